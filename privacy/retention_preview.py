"""What a retention run would do now, and its counts in words.

Reads only. The "Run retention now" confirmation page shows, by rule, how
many rows each step would delete or change and who would be erased; the
dry run's report lists the same clients. Every figure comes from the rule
handlers of privacy.retention (their `due` querysets and the holds), so the
page and the run cannot disagree about who is due.

Counting the clients to erase walks the due ids in batches (the holds are
decided per client), the same work as a dry run's first pass; the list of
names is paginated, so a page never loads more than PAGE_SIZE clients.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from privacy import holds as holds_module
from privacy import retention
from privacy.models import RetentionRule

PAGE_SIZE = 50

# What each rule's step does: (one row, several rows), with {n} the count
# of due rows. A rule another app adds without a sentence gets the fallback.
STEP_SENTENCES = {
    "inactive_clients": (
        _(
            "{n} client is past the period: erased, the record becoming an "
            "anonymised tombstone, unless a legal hold keeps it."
        ),
        _(
            "{n} clients are past the period: erased, each record becoming an "
            "anonymised tombstone; clients under a legal hold are kept."
        ),
    ),
    "web_activity": (
        _("{n} website event deleted, with its history."),
        _("{n} website events deleted, with their history."),
    ),
    "ip_addresses": (
        _("{n} IP address record deleted, with its history."),
        _("{n} IP address records deleted, with their history."),
    ),
    "cookie_choices": (
        _("{n} client has their cookie choice cleared."),
        _("{n} clients have their cookie choice cleared."),
    ),
    "access_log": (
        _("{n} access-log entry deleted."),
        _("{n} access-log entries deleted."),
    ),
    "card_references": (
        _(
            "{n} card payment loses its card reference; amount, date and order "
            "stay for the accounts."
        ),
        _(
            "{n} card payments lose their card reference; amount, date and "
            "order stay for the accounts."
        ),
    ),
    "invoices": (
        _(
            "{n} invoice deleted with its credit notes and lines, unless an "
            "open complaint or after-sales case is about it."
        ),
        _(
            "{n} invoices deleted with their credit notes and lines; those an "
            "open complaint or after-sales case is about are kept."
        ),
    ),
}
STEP_FALLBACK = (
    _("{n} record past the period, processed by this rule."),
    _("{n} records past the period, processed by this rule."),
)

# Count keys of the handlers, in words: (one, many, done, would do).
COUNT_WORDS = {
    "clients_erased": (
        ngettext_lazy("%(n)s client erased", "%(n)s clients erased", "n"),
        ngettext_lazy(
            "%(n)s client would be erased", "%(n)s clients would be erased", "n"
        ),
    ),
    "clients_held": (
        ngettext_lazy(
            "%(n)s client kept under a legal hold",
            "%(n)s clients kept under a legal hold",
            "n",
        ),
        ngettext_lazy(
            "%(n)s client would be kept under a legal hold",
            "%(n)s clients would be kept under a legal hold",
            "n",
        ),
    ),
    "rows_deleted": (
        ngettext_lazy("%(n)s record deleted", "%(n)s records deleted", "n"),
        ngettext_lazy(
            "%(n)s record would be deleted", "%(n)s records would be deleted", "n"
        ),
    ),
    "history_purged": (
        ngettext_lazy(
            "%(n)s earlier version deleted from history",
            "%(n)s earlier versions deleted from history",
            "n",
        ),
        ngettext_lazy(
            "%(n)s earlier version would be deleted from history",
            "%(n)s earlier versions would be deleted from history",
            "n",
        ),
    ),
    "clients_cleared": (
        ngettext_lazy(
            "%(n)s cookie choice cleared", "%(n)s cookie choices cleared", "n"
        ),
        ngettext_lazy(
            "%(n)s cookie choice would be cleared",
            "%(n)s cookie choices would be cleared",
            "n",
        ),
    ),
    "payments_cleared": (
        ngettext_lazy(
            "%(n)s payment cleared of its card reference",
            "%(n)s payments cleared of their card reference",
            "n",
        ),
        ngettext_lazy(
            "%(n)s payment would be cleared of its card reference",
            "%(n)s payments would be cleared of their card reference",
            "n",
        ),
    ),
    "history_rows_cleared": (
        ngettext_lazy(
            "%(n)s earlier payment version cleared of its card reference",
            "%(n)s earlier payment versions cleared of their card reference",
            "n",
        ),
        ngettext_lazy(
            "%(n)s earlier payment version would be cleared of its card reference",
            "%(n)s earlier payment versions would be cleared of their card reference",
            "n",
        ),
    ),
    "admin_log_scrubbed": (
        ngettext_lazy(
            "%(n)s admin log entry scrubbed", "%(n)s admin log entries scrubbed", "n"
        ),
        ngettext_lazy(
            "%(n)s admin log entry would be scrubbed",
            "%(n)s admin log entries would be scrubbed",
            "n",
        ),
    ),
    "invoices_deleted": (
        ngettext_lazy("%(n)s invoice deleted", "%(n)s invoices deleted", "n"),
        ngettext_lazy(
            "%(n)s invoice would be deleted", "%(n)s invoices would be deleted", "n"
        ),
    ),
    "credit_notes_deleted": (
        ngettext_lazy("%(n)s credit note deleted", "%(n)s credit notes deleted", "n"),
        ngettext_lazy(
            "%(n)s credit note would be deleted",
            "%(n)s credit notes would be deleted",
            "n",
        ),
    ),
    "lines_deleted": (
        ngettext_lazy("%(n)s invoice line deleted", "%(n)s invoice lines deleted", "n"),
        ngettext_lazy(
            "%(n)s invoice line would be deleted",
            "%(n)s invoice lines would be deleted",
            "n",
        ),
    ),
    "invoices_held": (
        ngettext_lazy(
            "%(n)s invoice kept for an open complaint or after-sales case",
            "%(n)s invoices kept for an open complaint or after-sales case",
            "n",
        ),
        ngettext_lazy(
            "%(n)s invoice would be kept for an open complaint or after-sales case",
            "%(n)s invoices would be kept for an open complaint or after-sales case",
            "n",
        ),
    ),
}


def count_sentence(key: str, value: int, *, dry_run: bool) -> str:
    """One handler count in words: "2 clients would be erased"."""
    phrases = COUNT_WORDS.get(key)
    if phrases is None:
        return f"{value} {key.replace('_', ' ')}"
    done, would = phrases
    return (would if dry_run else done) % {"n": value}


def count_sentences(counts: dict, *, dry_run: bool) -> list[str]:
    return [
        count_sentence(key, value, dry_run=dry_run)
        for key, value in counts.items()
        if key != "no_handler"
    ]


def erases_clients(code: str) -> bool:
    """Whether this rule's step erases whole clients (the typed count)."""
    handler = retention.HANDLERS.get(code)
    # The handler, not the code: a rule is "erasing" by what it runs.
    return handler is not None and handler.apply is retention._apply_clients


def confirmation_phrase(clients: int) -> str:
    """What the user types to run retention: the number of clients erased."""
    return f"ERASE {clients} CLIENT{'' if clients == 1 else 'S'}"


@dataclass(frozen=True)
class StepPreview:
    rule: RetentionRule
    cutoff: datetime | None
    due: int
    sentence: str
    erases_clients: bool
    held: int = 0


@dataclass(frozen=True)
class RetentionPreview:
    now: datetime
    steps: list[StepPreview]
    clients_to_erase: int
    clients_held: int

    @property
    def phrase(self) -> str:
        return confirmation_phrase(self.clients_to_erase)


def _held_among(queryset) -> int:
    """How many of the due clients a legal hold keeps, batch by batch."""
    held = 0
    last = 0
    while True:
        ids = list(
            queryset.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[: retention.BATCH]
        )
        if not ids:
            return held
        held += len(holds_module.holds_for(ids))
        last = ids[-1]


def retention_preview(*, now: datetime | None = None) -> RetentionPreview:
    """Every active rule's step, counted as a run started now would do it."""
    at = now or timezone.now()
    steps = []
    to_erase = held_total = 0
    for rule in RetentionRule.objects.filter(is_active=True).order_by("name"):
        handler = retention.HANDLERS.get(rule.code)
        if handler is None:
            followed = retention.FOLLOWS.get(rule.code)
            sentence = (
                _("No sweep of its own: erased with the client.")
                if followed
                else _("No handler installed: this rule changes nothing.")
            )
            steps.append(StepPreview(rule, None, 0, sentence, False))
            continue
        due = handler.due(rule, at)
        count = due.count()
        erasing = erases_clients(rule.code)
        held = _held_among(due) if erasing and count else 0
        if erasing:
            to_erase += count - held
            held_total += held
        one, many = STEP_SENTENCES.get(rule.code, STEP_FALLBACK)
        sentence = (one if count == 1 else many).format(n=count)
        steps.append(
            StepPreview(
                rule, retention.cutoff(rule, at), count, sentence, erasing, held
            )
        )
    return RetentionPreview(
        now=at, steps=steps, clients_to_erase=to_erase, clients_held=held_total
    )


@dataclass(frozen=True)
class DueClients:
    """One page of the clients a rule would erase."""

    rule: RetentionRule
    page: Page
    held: dict[int, list]


def due_clients_pages(*, now: datetime, page_number=1) -> list[DueClients]:
    """For each active erasing rule, one page of its due clients by name,
    with the holds of that page's clients."""
    pages = []
    for rule in RetentionRule.objects.filter(is_active=True).order_by("name"):
        if not erases_clients(rule.code):
            continue
        due = (
            retention.HANDLERS[rule.code]
            .due(rule, now)
            .order_by("last_name", "first_name", "id")
            .only("id", "first_name", "last_name", "client_number")
        )
        page = Paginator(due, PAGE_SIZE).get_page(page_number)
        ids = [client.pk for client in page.object_list]
        pages.append(DueClients(rule, page, holds_module.holds_for(ids)))
    return pages
