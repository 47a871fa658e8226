"""Retention of orders' records: card references and issued invoices.

Dangerous module: it deletes issued invoices, which everything else
refuses (Invoice.save/delete, ImmutableQuerySet, and on PostgreSQL a
trigger that lets a DELETE through only for invoices past their
retention_until for which the transaction opened the evidence gate,
core.evidence and orders/migrations/0006), and it blanks
card references in history tables. Everything is set-based over the ids a
retention batch hands over (at most 1,000), never Model.save()/delete() or
signals: a django-simple-history delete would first write a fresh copy of
the very row being removed.

privacy.retention collects RETENTION_HANDLERS from each app's retention.py
(as core.data_map collects datamap.py) and runs them under the rules it
stores: period, on/off, source. orders imports nothing from privacy;
dependencies point privacy -> orders. A handler is a pair (due, apply):
`due(rule, now)` is a queryset of the due rows, walked by ascending pk;
`apply(ids, rule, now, dry_run)` does the work and returns its counts, and
on a dry run counts exactly what it would do. The decisions behind the
invoice rule are in docs/decisions/0103.
"""

from contextlib import contextmanager
from datetime import datetime, timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.evidence import evidence_gate
from orders.models import AfterSalesCase, Complaint, Invoice, InvoiceLine, Payment


def _cutoff(rule, now: datetime) -> datetime:
    """Rows whose anchor is before this are past the rule's period."""
    return now - timedelta(days=rule.effective_days())


# --- Card references (CNIL délibération 2018-303) ------------------------------

# What identifies the card: the provider's token or authorisation reference,
# and what the client recognises it by. Blank is what erasure writes too (the
# data map erases these fields), and it satisfies
# payment_card_details_only_for_cards.
CARD_REFERENCE_ERASED = {
    "provider_reference": "",
    "card_brand": "",
    "card_last4": "",
    "card_expiry_month": None,
    "card_expiry_year": None,
}
HAS_CARD_REFERENCE = (
    ~Q(provider_reference="")
    | ~Q(card_brand="")
    | ~Q(card_last4="")
    | Q(card_expiry_month__isnull=False)
    | Q(card_expiry_year__isnull=False)
)
# str(Payment) shows the last four digits, and so does the admin log's copy.
PAYMENT_LOG_REPR = "Card payment (card reference erased)"


def payments_due_for_card_retention(rule, now: datetime) -> models.QuerySet:
    """Card payments still holding a card reference whose card was last used
    before the cut-off.

    The period runs from the last payment with the card: an older payment
    keeps its reference while a later one with the same token is inside
    the period. Amount, date, method and order stay (accounting).
    """
    cutoff = _cutoff(rule, now)
    same_card_since = Payment.objects.filter(
        provider_reference=OuterRef("provider_reference"), received_at__gte=cutoff
    ).exclude(provider_reference="")
    return (
        Payment.objects.filter(method=Payment.Method.CARD, received_at__lt=cutoff)
        .filter(HAS_CARD_REFERENCE)
        .filter(~Exists(same_card_since))
    )


def card_references_clear(ids: list[int], rule, now: datetime, dry_run: bool) -> dict:
    """Blank the card reference of these payments, in their rows, their
    history rows and the admin log's description of them."""
    rows = Payment._base_manager.filter(pk__in=ids).filter(HAS_CARD_REFERENCE)
    history = Payment.history.model
    old_rows = history._base_manager.filter(id__in=ids).filter(HAS_CARD_REFERENCE)
    logged = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Payment),
        object_id__in=[str(pk) for pk in ids],
    ).exclude(object_repr=PAYMENT_LOG_REPR)
    if dry_run:
        return {
            "payments_cleared": rows.count(),
            "history_rows_cleared": old_rows.count(),
            "admin_log_scrubbed": logged.count(),
        }
    return {
        "payments_cleared": rows.update(**CARD_REFERENCE_ERASED),
        "history_rows_cleared": old_rows.update(**CARD_REFERENCE_ERASED),
        "admin_log_scrubbed": logged.update(object_repr=PAYMENT_LOG_REPR),
    }


# --- Invoices (Code de commerce L123-22) ---------------------------------------


def financial_year_start(at: datetime) -> datetime:
    """The start of the financial year `at` falls in, in local time.

    The house's financial year is the calendar year (no setting says
    otherwise; invoice series are numbered by calendar year too).
    """
    return timezone.localtime(at).replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


def _past_retention(rule, now: datetime) -> Q:
    """Documents whose financial year ended before the cut-off, and past
    the `retention_until` date stamped on them when they were issued.

    The stamped date is the legal floor: a rule edited to a shorter period
    never deletes an invoice before it.
    """
    # A financial year ends when the next one starts; it ended strictly
    # before the cut-off if the document was issued before the start of
    # the year in progress just before the cut-off.
    ended_by = financial_year_start(_cutoff(rule, now) - timedelta(microseconds=1))
    return Q(issued_at__lt=ended_by, retention_until__lt=timezone.localdate(now))


def invoices_due_for_retention(rule, now: datetime) -> models.QuerySet:
    """Invoices past retention whose credit notes are all past it too.

    Walked by the invoice: a credit note references its invoice (PROTECT)
    and goes with it, so an invoice waits for its last credit note.
    """
    past = _past_retention(rule, now)
    credit_notes = Invoice.objects.filter(credited_invoice=OuterRef("pk"))
    return Invoice.objects.filter(past, kind=Invoice.Kind.INVOICE).filter(
        ~Exists(credit_notes.exclude(past))
    )


def _disputed(ids: list[int]) -> set[int]:
    """Invoices whose order an open complaint or after-sales case is about.

    The invoice is evidence in the dispute: kept until it is closed.
    """
    open_complaint = Complaint.objects.open().filter(order=OuterRef("order"))
    open_case = AfterSalesCase.objects.open().filter(
        guarantee__order_line__order=OuterRef("order")
    )
    return set(
        Invoice._base_manager.filter(pk__in=ids)
        .filter(Exists(open_complaint) | Exists(open_case))
        .values_list("pk", flat=True)
    )


@contextmanager
def _invoice_deletion(documents: list[int]):
    """The transaction may delete these issued invoices, inside this block.

    On PostgreSQL the immutability trigger lets a DELETE of an invoice or
    its lines through only when the evidence gate is open for the invoice
    and its retention_until has passed (core.evidence); the gate
    closes when the block ends, and an error rolls the savepoint and the
    opening back together.
    """
    with transaction.atomic(), evidence_gate("invoice_retention", documents):
        yield


def _raw_delete(rows: models.QuerySet) -> int:
    # Django returns None, not 0, for a statement it skips (an empty IN).
    return rows._raw_delete(rows.db) or 0


def invoices_delete(ids: list[int], rule, now: datetime, dry_run: bool) -> dict:
    """Delete these invoices with their credit notes, lines and history.

    An invoice under dispute is kept and counted as held.
    """
    held = _disputed(ids)
    invoices = [pk for pk in ids if pk not in held]
    credit_notes = list(
        Invoice._base_manager.filter(credited_invoice__in=invoices).values_list(
            "pk", flat=True
        )
    )
    documents = invoices + credit_notes
    counts = {
        "invoices_deleted": 0,
        "credit_notes_deleted": 0,
        "lines_deleted": 0,
        "history_purged": 0,
        "invoices_held": len(held),
    }
    if not documents:
        return counts
    history = [
        Invoice.history.model._base_manager.filter(id__in=documents),
        InvoiceLine.history.model._base_manager.filter(invoice_id__in=documents),
    ]
    lines = InvoiceLine._base_manager.filter(invoice_id__in=documents)
    notes = Invoice._base_manager.filter(pk__in=credit_notes)
    originals = Invoice._base_manager.filter(pk__in=invoices)
    if dry_run:
        counts["history_purged"] = sum(rows.count() for rows in history)
        counts["lines_deleted"] = lines.count()
        counts["credit_notes_deleted"] = notes.count()
        counts["invoices_deleted"] = originals.count()
        return counts
    with _invoice_deletion(documents):
        counts["history_purged"] = sum(_raw_delete(rows) for rows in history)
        counts["lines_deleted"] = _raw_delete(lines)
        # Credit notes first: each references its invoice.
        counts["credit_notes_deleted"] = _raw_delete(notes)
        counts["invoices_deleted"] = _raw_delete(originals)
    return counts


RETENTION_HANDLERS = {
    "card_references": (payments_due_for_card_retention, card_references_clear),
    "invoices": (invoices_due_for_retention, invoices_delete),
}
