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

from privacy import holds as holds_module
from privacy import retention
from privacy.models import RetentionRule

PAGE_SIZE = 50

# What each rule's step does: (one row, several rows), with {n} the count
# of due rows. A rule another app adds without a sentence gets the fallback.
STEP_SENTENCES = {
    "inactive_clients": (
        "{n} client is past the period: erased, the record becoming an "
        "anonymised tombstone, unless a legal hold keeps it.",
        "{n} clients are past the period: erased, each record becoming an "
        "anonymised tombstone; clients under a legal hold are kept.",
    ),
    "web_activity": (
        "{n} website event deleted, with its history.",
        "{n} website events deleted, with their history.",
    ),
    "ip_addresses": (
        "{n} IP address record deleted, with its history.",
        "{n} IP address records deleted, with their history.",
    ),
    "cookie_choices": (
        "{n} client has their cookie choice cleared.",
        "{n} clients have their cookie choice cleared.",
    ),
    "access_log": (
        "{n} access-log entry deleted.",
        "{n} access-log entries deleted.",
    ),
    "card_references": (
        "{n} card payment loses its card reference; amount, date and order "
        "stay for the accounts.",
        "{n} card payments lose their card reference; amount, date and "
        "order stay for the accounts.",
    ),
    "invoices": (
        "{n} invoice deleted with its credit notes and lines, unless an "
        "open complaint or after-sales case is about it.",
        "{n} invoices deleted with their credit notes and lines; those an "
        "open complaint or after-sales case is about are kept.",
    ),
}
STEP_FALLBACK = (
    "{n} record past the period, processed by this rule.",
    "{n} records past the period, processed by this rule.",
)

# Count keys of the handlers, in words: (one, many, done, would do).
COUNT_WORDS = {
    "clients_erased": ("client", "clients", "erased", "would be erased"),
    "clients_held": (
        "client",
        "clients",
        "kept under a legal hold",
        "would be kept under a legal hold",
    ),
    "rows_deleted": ("record", "records", "deleted", "would be deleted"),
    "history_purged": (
        "earlier version",
        "earlier versions",
        "deleted from history",
        "would be deleted from history",
    ),
    "clients_cleared": (
        "cookie choice",
        "cookie choices",
        "cleared",
        "would be cleared",
    ),
    "payments_cleared": (
        "payment",
        "payments",
        "cleared of its card reference",
        "would be cleared of its card reference",
    ),
    "history_rows_cleared": (
        "earlier payment version",
        "earlier payment versions",
        "cleared of its card reference",
        "would be cleared of its card reference",
    ),
    "admin_log_scrubbed": (
        "admin log entry",
        "admin log entries",
        "scrubbed",
        "would be scrubbed",
    ),
    "invoices_deleted": ("invoice", "invoices", "deleted", "would be deleted"),
    "credit_notes_deleted": (
        "credit note",
        "credit notes",
        "deleted",
        "would be deleted",
    ),
    "lines_deleted": ("invoice line", "invoice lines", "deleted", "would be deleted"),
    "invoices_held": (
        "invoice",
        "invoices",
        "kept for an open complaint or after-sales case",
        "would be kept for an open complaint or after-sales case",
    ),
}


def count_sentence(key: str, value: int, *, dry_run: bool) -> str:
    """One handler count in words: "2 clients would be erased"."""
    one, many, done, would = COUNT_WORDS.get(
        key,
        (
            key.replace("_", " "),
            key.replace("_", " "),
            "",
            "",
        ),
    )
    verb = would if dry_run else done
    noun = one if value == 1 else many
    return " ".join(part for part in (str(value), noun, verb) if part)


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
                "No sweep of its own: erased with the client."
                if followed
                else "No handler installed: this rule changes nothing."
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
