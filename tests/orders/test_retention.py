"""orders' retention handlers, run through privacy's retention runs.

Card references: blanked 395 days after the last payment with the card.
Invoices: deleted with their lines, credit notes and history once the
financial year's end plus the period has passed (docs/decisions/0103).
"""

import ast
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction

from orders import retention as orders_retention
from orders import services
from orders.models import Complaint, Guarantee, Invoice, InvoiceLine, Order, Payment
from privacy import retention
from privacy.models import RetentionRule
from tests.clienteling.factories import UserFactory
from tests.orders.factories import order

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=PARIS)
INVOICES_COUNTS_NONE = {
    "invoices_deleted": 0,
    "credit_notes_deleted": 0,
    "lines_deleted": 0,
    "history_purged": 0,
}


def _only(code: str) -> RetentionRule:
    RetentionRule.objects.exclude(code=code).update(is_active=False)
    return RetentionRule.objects.get(code=code)


def _run(now: datetime, *, dry_run: bool = False) -> dict:
    run = retention.retention_run_now(acting_user=None, dry_run=dry_run, now=now)
    return run.counts


def _card_payment(received_at: datetime, token: str, **kwargs) -> Payment:
    return services.payment_record(
        acting_user=None,
        order=order(status=Order.Status.CONFIRMED),
        method=kwargs.pop("method", Payment.Method.CARD),
        amount=Decimal("1250.00"),
        currency="EUR",
        provider_reference=token,
        received_at=received_at,
        **(
            {
                "card_brand": "visa",
                "card_last4": "4242",
                "card_expiry_month": 9,
                "card_expiry_year": 2027,
            }
            | kwargs
        ),
    )


def _card_details(payment: Payment) -> tuple:
    payment.refresh_from_db()
    return (
        payment.provider_reference,
        payment.card_brand,
        payment.card_last4,
        payment.card_expiry_month,
        payment.card_expiry_year,
    )


BLANK_CARD = ("", "", "", None, None)


def _invoice(issued_at: datetime) -> Invoice:
    return services.invoice_issue(
        acting_user=None, order=order(status=Order.Status.CONFIRMED), now=issued_at
    )


def _exists(invoice: Invoice) -> bool:
    return Invoice.objects.filter(pk=invoice.pk).exists()


def _history_rows(invoice: Invoice) -> int:
    return (
        Invoice.history.filter(id=invoice.pk).count()
        + InvoiceLine.history.filter(invoice_id=invoice.pk).count()
    )


# --- Card references -----------------------------------------------------------


def test_a_card_reference_is_kept_a_day_inside_its_period_and_blanked_a_day_after():
    # given a payment a day inside the 395 days and one a day past them
    days = _only("card_references").effective_days()
    assert days == 395
    inside = _card_payment(NOW - timedelta(days=days - 1), "tok_inside")
    past = _card_payment(NOW - timedelta(days=days + 1), "tok_past")
    kept = (past.method, past.amount, past.currency, past.received_at, past.order_id)

    # when
    dry = _run(NOW, dry_run=True)
    assert _card_details(past) == ("tok_past", "visa", "4242", 9, 2027)
    real = _run(NOW)
    again = _run(NOW)

    # then the card is gone from the row and its history, the sale is not
    assert _card_details(past) == BLANK_CARD
    assert (
        past.method,
        past.amount,
        past.currency,
        past.received_at,
        past.order_id,
    ) == kept
    assert Payment.history.filter(id=past.pk).count() == 1
    assert not Payment.history.filter(id=past.pk).exclude(
        provider_reference="", card_brand="", card_last4=""
    )
    assert not Payment.history.filter(id=past.pk, card_expiry_year__isnull=False)
    assert _card_details(inside) == ("tok_inside", "visa", "4242", 9, 2027)
    assert Payment.history.get(id=inside.pk).provider_reference == "tok_inside"
    assert real["card_references"] == {
        "payments_cleared": 1,
        "history_rows_cleared": 1,
        "admin_log_scrubbed": 0,
    }
    assert dry == real
    assert again["card_references"] == {}


def test_the_period_runs_from_the_last_payment_with_the_same_card():
    # given an old payment whose token was used again 100 days ago
    _only("card_references")
    old = _card_payment(NOW - timedelta(days=500), "tok_shared")
    recent = _card_payment(NOW - timedelta(days=100), "tok_shared")
    other = _card_payment(NOW - timedelta(days=500), "tok_other")

    # when
    first = _run(NOW)

    # then only the card not used since is blanked
    assert _card_details(old)[0] == "tok_shared"
    assert _card_details(other) == BLANK_CARD
    assert first["card_references"]["payments_cleared"] == 1

    # when the later payment passes its 395 days too
    later = _run(NOW + timedelta(days=300))

    assert _card_details(old) == BLANK_CARD
    assert _card_details(recent) == BLANK_CARD
    assert later["card_references"]["payments_cleared"] == 2


def test_other_payment_methods_and_blank_cards_are_left_alone():
    _only("card_references")
    transfer = services.payment_record(
        acting_user=None,
        order=order(status=Order.Status.CONFIRMED),
        method=Payment.Method.BANK_TRANSFER,
        amount=Decimal("900.00"),
        currency="EUR",
        provider_reference="VIR-2025-0042",
        iban="FR76 3000 6000 0112 3456 7890 189",
        received_at=NOW - timedelta(days=800),
    )
    _card_payment(
        NOW - timedelta(days=800),
        "",
        card_brand="",
        card_last4="",
        card_expiry_month=None,
        card_expiry_year=None,
    )

    counts = _run(NOW)

    transfer.refresh_from_db()
    assert transfer.provider_reference == "VIR-2025-0042"
    assert transfer.iban_masked.endswith("0189")
    assert counts["card_references"] == {}


def test_the_admin_log_loses_the_last_four_digits_of_a_blanked_card():
    # given admin log rows describing both payments (str shows the last four)
    _only("card_references")
    staff = UserFactory()
    past = _card_payment(NOW - timedelta(days=400), "tok_past", card_last4="1881")
    inside = _card_payment(NOW - timedelta(days=10), "tok_inside", card_last4="7007")
    payment_type = ContentType.objects.get_for_model(Payment)
    for payment in (past, inside):
        LogEntry.objects.create(
            user=staff,
            content_type=payment_type,
            object_id=str(payment.pk),
            object_repr=str(payment),
            action_flag=ADDITION,
            change_message="[]",
        )

    counts = _run(NOW)

    reprs = dict(LogEntry.objects.values_list("object_id", "object_repr"))
    assert reprs[str(past.pk)] == orders_retention.PAYMENT_LOG_REPR
    assert "7007" in reprs[str(inside.pk)]
    assert counts["card_references"]["admin_log_scrubbed"] == 1


# --- Invoices ------------------------------------------------------------------


def test_an_invoice_of_2015_is_due_from_the_first_minute_of_2026_not_before():
    invoice = _invoice(datetime(2015, 12, 31, 23, 30, tzinfo=PARIS))
    new_year = datetime(2026, 1, 1, tzinfo=PARIS)

    last_minute = _run(new_year - timedelta(minutes=1), dry_run=True)
    first_minute = _run(new_year + timedelta(minutes=1), dry_run=True)

    assert last_minute["invoices"] == {}
    assert first_minute["invoices"]["invoices_deleted"] == 1
    assert _exists(invoice)  # dry runs


def test_an_invoice_is_deleted_the_day_after_its_financial_year_end_plus_the_period():
    # given an invoice of the last half hour of 2015 and one of the first of 2016
    days = _only("invoices").effective_days()
    assert days == 3653
    last_of_2015 = _invoice(datetime(2015, 12, 31, 23, 30, tzinfo=PARIS))
    first_of_2016 = _invoice(datetime(2016, 1, 1, 0, 30, tzinfo=PARIS))
    assert _history_rows(last_of_2015) == 2
    boundary = datetime(2016, 1, 1, tzinfo=PARIS) + timedelta(days=days)
    assert boundary == datetime(2026, 1, 1, tzinfo=PARIS)

    # when a day before the boundary
    before = _run(boundary - timedelta(days=1))

    # then nothing is due
    assert before["invoices"] == {}
    assert _exists(last_of_2015)

    # when a day after
    dry = _run(boundary + timedelta(days=1), dry_run=True)
    assert _exists(last_of_2015)
    after = _run(boundary + timedelta(days=1))
    again = _run(boundary + timedelta(days=1))

    # then the 2015 invoice, its line and its history are gone; 2016's stay
    assert not _exists(last_of_2015)
    assert not InvoiceLine.objects.filter(invoice_id=last_of_2015.pk).exists()
    assert _history_rows(last_of_2015) == 0
    assert _exists(first_of_2016)
    assert _history_rows(first_of_2016) == 2
    assert after["invoices"] == INVOICES_COUNTS_NONE | {
        "invoices_deleted": 1,
        "lines_deleted": 1,
        "history_purged": 2,
        "invoices_held": 0,
    }
    assert dry == after
    assert again["invoices"] == {}
    # the sale itself stays (accounting keeps the order and its guarantee)
    assert Order.objects.filter(pk=last_of_2015.order_id).exists()
    assert Guarantee.objects.filter(order_line__order=last_of_2015.order_id).exists()


def test_an_invoice_waits_for_its_credit_note_and_goes_with_it():
    # given a 2014 invoice credited in February 2015 (years in the past, so
    # that PostgreSQL's own floor, retention_until before today, is met)
    _only("invoices")
    invoice = _invoice(datetime(2014, 6, 15, 11, 0, tzinfo=PARIS))
    note = services.credit_note_issue(
        acting_user=None,
        invoice=invoice,
        reason="Returned",
        now=datetime(2015, 2, 1, 11, 0, tzinfo=PARIS),
    )

    # when the invoice's period is over but not the credit note's
    mid_2025 = _run(datetime(2025, 6, 15, tzinfo=PARIS))

    # then both stay
    assert mid_2025["invoices"] == {}
    assert _exists(invoice)
    assert _exists(note)

    # when the credit note's period is over too (2016-01-01 + 3653 days
    # is 1 January 2026: three leap days in its ten years)
    dry = _run(datetime(2026, 1, 3, tzinfo=PARIS), dry_run=True)
    real = _run(datetime(2026, 1, 3, tzinfo=PARIS))

    # then both go, with their lines and history
    assert not Invoice.objects.filter(pk__in=[invoice.pk, note.pk]).exists()
    assert _history_rows(invoice) + _history_rows(note) == 0
    assert real["invoices"] == {
        "invoices_deleted": 1,
        "credit_notes_deleted": 1,
        "lines_deleted": 2,
        "history_purged": 4,
        "invoices_held": 0,
    }
    assert dry == real


def test_a_shorter_period_never_deletes_before_the_date_stamped_on_the_invoice():
    # given a rule edited to one year
    rule = _only("invoices")
    rule.period_days = 365
    rule.save()
    recent = _invoice(datetime(2024, 3, 1, 11, 0, tzinfo=PARIS))
    old = _invoice(datetime(2015, 3, 1, 11, 0, tzinfo=PARIS))

    counts = _run(NOW)

    # then the 2024 invoice stays until its retention_until (31/12/2034)
    assert _exists(recent)
    assert not _exists(old)
    assert counts["invoices"]["invoices_deleted"] == 1


def test_an_invoice_under_dispute_is_held_until_the_dispute_closes():
    # given two old invoices, one with an open complaint about its order,
    # one whose piece is in the workshop under its guarantee
    _only("invoices")
    complained = _invoice(datetime(2015, 3, 1, 11, 0, tzinfo=PARIS))
    complaint = services.complaint_open(
        acting_user=None,
        client=complained.client,
        channel="email",
        category="product_quality",
        description="Stone loose",
        order=complained.order,
        now=NOW - timedelta(days=30),
    )
    repaired = _invoice(datetime(2015, 4, 1, 11, 0, tzinfo=PARIS))
    services.case_open(
        acting_user=None,
        client=repaired.client,
        boutique=repaired.boutique,
        kind="repair",
        piece_description="Ring, claw bent",
        guarantee=Guarantee.objects.get(order_line__order=repaired.order_id),
        now=NOW - timedelta(days=30),
    )
    free = _invoice(datetime(2015, 5, 1, 11, 0, tzinfo=PARIS))

    dry = _run(NOW, dry_run=True)
    held = _run(NOW)

    assert _exists(complained)
    assert _exists(repaired)
    assert not _exists(free)
    assert held["invoices"] == {
        "invoices_deleted": 1,
        "credit_notes_deleted": 0,
        "lines_deleted": 1,
        "history_purged": 2,
        "invoices_held": 2,
    }
    assert dry == held

    # when the complaint is resolved
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Complaint.Status.RESOLVED, resolution="Stone reset"
    )
    later = _run(NOW)

    assert not _exists(complained)
    assert later["invoices"]["invoices_deleted"] == 1
    assert later["invoices"]["invoices_held"] == 1


# --- Both rules, several batches -------------------------------------------------


def test_the_dry_run_counts_exactly_what_the_run_then_does(monkeypatch):
    # given more due rows than a batch holds, and rows not yet due
    monkeypatch.setattr(retention, "BATCH", 2)
    RetentionRule.objects.exclude(code__in=["card_references", "invoices"]).update(
        is_active=False
    )
    for n in range(5):
        _card_payment(NOW - timedelta(days=400 + n), f"tok_{n % 2}")
        _invoice(datetime(2014, 3, 1 + n, 11, 0, tzinfo=PARIS))
    _card_payment(NOW - timedelta(days=30), "tok_recent")
    credited = _invoice(datetime(2015, 1, 5, 11, 0, tzinfo=PARIS))
    services.credit_note_issue(
        acting_user=None,
        invoice=credited,
        reason="Returned",
        now=datetime(2015, 1, 20, 11, 0, tzinfo=PARIS),
    )
    _invoice(datetime(2016, 1, 5, 11, 0, tzinfo=PARIS))

    # when
    dry = _run(NOW, dry_run=True)
    real = _run(NOW)
    again = _run(NOW, dry_run=True)

    # then
    assert dry == real
    assert real["card_references"] == {
        "payments_cleared": 5,
        "history_rows_cleared": 5,
        "admin_log_scrubbed": 0,
    }
    assert real["invoices"] == {
        "invoices_deleted": 6,
        "credit_notes_deleted": 1,
        "lines_deleted": 7,
        "history_purged": 14,
        "invoices_held": 0,
    }
    assert Invoice.objects.count() == 1
    assert Payment.objects.exclude(provider_reference="").count() == 1
    assert again["card_references"] == {}
    assert again["invoices"] == {}


def test_orders_handlers_are_installed_and_reported_without_a_missing_note():
    RetentionRule.objects.exclude(code__in=["card_references", "invoices"]).update(
        is_active=False
    )
    assert {"card_references", "invoices"} <= set(retention.HANDLERS)

    run = retention.retention_run_now(acting_user=None, dry_run=True, now=NOW)
    report = {line.rule.code: line for line in retention.retention_report(run=run)}

    assert report["card_references"].note == ""
    assert report["invoices"].note == ""
    assert report["invoices"].cutoff == NOW - timedelta(days=3653)


def test_orders_imports_nothing_from_privacy():
    # Dependencies point privacy -> orders: privacy finds orders' handlers.
    imported = set()
    for path in Path(orders_retention.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)

    assert "orders" in imported
    assert "privacy" not in imported


# --- Deleting issued invoices: the immutability trigger ---------------------------


@pytest.mark.postgres
def test_on_postgresql_only_the_retention_handler_may_delete_an_invoice():
    # given an invoice past retention and one not
    rule = _only("invoices")
    old = _invoice(datetime(2015, 3, 1, 11, 0, tzinfo=PARIS))
    recent = _invoice(datetime(2024, 3, 1, 11, 0, tzinfo=PARIS))

    # when the handler deletes the old one, then a plain DELETE follows in
    # the same transaction
    with transaction.atomic():
        counts = orders_retention.invoices_delete([old.pk], rule, NOW, False)
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            connection.cursor().execute(
                "DELETE FROM orders_invoiceline WHERE invoice_id = %s", [recent.pk]
            )

    # then the handler's delete went through and the switch was off again
    assert counts["invoices_deleted"] == 1
    assert not _exists(old)
    assert InvoiceLine.objects.filter(invoice=recent).count() == 1


def test_a_failed_deletion_leaves_everything_and_the_switch_off(monkeypatch):
    # given a deletion that fails after the lines are gone
    rule = _only("invoices")
    old = _invoice(datetime(2015, 3, 1, 11, 0, tzinfo=PARIS))
    real_raw_delete = orders_retention._raw_delete

    def failing(rows):
        if rows.model is Invoice:
            raise DatabaseError("injected")
        return real_raw_delete(rows)

    monkeypatch.setattr(orders_retention, "_raw_delete", failing)

    with pytest.raises(DatabaseError, match="injected"):
        orders_retention.invoices_delete([old.pk], rule, NOW, False)

    if connection.vendor == "postgresql":
        # The gate's opening was rolled back with the work: a plain DELETE
        # is refused again.
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            connection.cursor().execute(
                "DELETE FROM orders_invoiceline WHERE invoice_id = %s", [old.pk]
            )
    assert _exists(old)
    assert InvoiceLine.objects.filter(invoice=old).count() == 1
    assert _history_rows(old) == 2
