import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from orders import services
from orders.models import (
    INVOICE_RETENTION,
    Guarantee,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Order,
)
from tests.clienteling.factories import BoutiqueFactory
from tests.orders.factories import ClientFactory, ProductFactory, order

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def _confirmed(**kwargs):
    return order(status=Order.Status.CONFIRMED, **kwargs)


@pytest.mark.django_db
def test_invoice_numbers_are_sequential_per_boutique_and_year():
    paris = BoutiqueFactory(code="PAR-TEST")
    london = BoutiqueFactory(code="LON-TEST")

    def issue(boutique, when):
        client = ClientFactory(home_boutique=boutique)
        return services.invoice_issue(
            acting_user=None, order=_confirmed(client=client), now=when
        ).number

    numbers = [
        issue(paris, NOW),
        issue(paris, NOW),
        issue(london, NOW),
        issue(paris, datetime(2027, 1, 5, 10, tzinfo=UTC)),
    ]

    assert numbers == [
        "PAR-TEST/2026/000001",
        "PAR-TEST/2026/000002",
        "LON-TEST/2026/000001",
        "PAR-TEST/2027/000001",
    ]


@pytest.mark.django_db
def test_issuing_copies_lines_registers_guarantees_and_adds_lifetime_value():
    client = ClientFactory()
    created = _confirmed(
        client=client, products=[ProductFactory(price=Decimal("3000.00"))]
    )

    invoice = services.invoice_issue(acting_user=None, order=created, now=NOW)

    created.refresh_from_db()
    client.refresh_from_db()
    assert created.status == Order.Status.INVOICED
    assert invoice.total == Decimal("3000.00")
    assert invoice.lines.get().amount == Decimal("3000.00")
    assert invoice.billed_name == client.full_name
    assert client.lifetime_value == Decimal("3000.00")
    assert Guarantee.objects.get(client=client).legal_start == date(2026, 6, 15)


@pytest.mark.django_db
def test_invoice_is_marked_as_kept_under_the_legal_obligation():
    invoice = services.invoice_issue(acting_user=None, order=_confirmed(), now=NOW)

    assert invoice.legal_obligation == INVOICE_RETENTION.code
    assert INVOICE_RETENTION.years == 10
    assert invoice.retention_until == date(2036, 12, 31)
    assert Invoice.objects.under_retention(date(2036, 12, 31)).count() == 1
    assert Invoice.objects.under_retention(date(2037, 1, 1)).count() == 0


@pytest.mark.django_db
def test_a_draft_order_cannot_be_invoiced_and_no_number_is_used():
    draft = order()

    with pytest.raises(ValidationError, match="Only a confirmed order"):
        services.invoice_issue(acting_user=None, order=draft, now=NOW)

    assert not Invoice.objects.exists()
    assert not InvoiceCounter.objects.filter(last_number__gt=0).exists()


@pytest.mark.django_db
def test_a_failed_issue_releases_its_number(monkeypatch):
    # given an issue that fails after the number is allocated
    created = _confirmed()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_guarantee_register", broken)
    with pytest.raises(RuntimeError):
        services.invoice_issue(acting_user=None, order=created, now=NOW)
    monkeypatch.undo()

    # then nothing was kept, and the next invoice takes number 1
    assert not Invoice.objects.exists()
    created.refresh_from_db()
    assert created.status == Order.Status.CONFIRMED
    invoice = services.invoice_issue(acting_user=None, order=created, now=NOW)
    assert invoice.sequence == 1


@pytest.mark.django_db
def test_an_issued_invoice_cannot_be_changed_or_deleted():
    invoice = services.invoice_issue(acting_user=None, order=_confirmed(), now=NOW)
    line = invoice.lines.get()

    invoice.total = Decimal("1.00")
    with pytest.raises(ValidationError, match="cannot be changed"):
        invoice.save()
    with pytest.raises(ValidationError, match="cannot be changed"):
        invoice.delete()
    with pytest.raises(TypeError, match="immutable"):
        Invoice.objects.filter(pk=invoice.pk).update(total=Decimal("1.00"))
    line.amount = Decimal("1.00")
    with pytest.raises(ValidationError, match="cannot be changed"):
        line.save()
    with pytest.raises(TypeError, match="immutable"):
        InvoiceLine.objects.filter(pk=line.pk).update(amount=Decimal("1.00"))

    invoice.refresh_from_db()
    assert invoice.total != Decimal("1.00")
    assert invoice.history.count() == 1


@pytest.mark.django_db
def test_a_credit_note_reverses_the_invoice_and_voids_guarantees():
    client = ClientFactory()
    created = _confirmed(
        client=client, products=[ProductFactory(price=Decimal("500.00"))]
    )
    invoice = services.invoice_issue(acting_user=None, order=created, now=NOW)

    note = services.credit_note_issue(
        acting_user=None, invoice=invoice, reason="Returned within 14 days", now=NOW
    )

    client.refresh_from_db()
    created.refresh_from_db()
    assert note.kind == Invoice.Kind.CREDIT_NOTE
    assert note.total == Decimal("-500.00")
    assert note.sequence == invoice.sequence + 1
    assert note.credited_invoice == invoice
    assert client.lifetime_value == Decimal("0.00")
    assert created.status == Order.Status.RETURNED
    assert Guarantee.objects.get().status == Guarantee.Status.VOID


@pytest.mark.django_db
def test_a_partial_credit_note_keeps_the_order_invoiced():
    created = _confirmed(products=[ProductFactory(), ProductFactory()])
    invoice = services.invoice_issue(acting_user=None, order=created, now=NOW)
    first, second = created.lines.all()

    services.credit_note_issue(
        acting_user=None, invoice=invoice, reason="One returned", order_lines=[first]
    )

    created.refresh_from_db()
    assert created.status == Order.Status.INVOICED
    with pytest.raises(ValidationError, match="already credited"):
        services.credit_note_issue(
            acting_user=None, invoice=invoice, reason="Again", order_lines=[first]
        )
    services.credit_note_issue(acting_user=None, invoice=invoice, reason="The rest")
    created.refresh_from_db()
    assert created.status == Order.Status.RETURNED
    assert Invoice.objects.filter(kind="credit_note").count() == 2


@pytest.mark.django_db
def test_a_credit_note_without_reason_writes_nothing():
    invoice = services.invoice_issue(acting_user=None, order=_confirmed(), now=NOW)

    with pytest.raises(ValidationError, match="why"):
        services.credit_note_issue(acting_user=None, invoice=invoice, reason=" ")

    assert Invoice.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_gap_free_unique_numbers():
    # given confirmed orders of one boutique, ready to be invoiced at once
    boutique = BoutiqueFactory(code="PAR-RACE")
    orders = [
        _confirmed(client=ClientFactory(home_boutique=boutique)) for _ in range(8)
    ]
    barrier = threading.Barrier(2)
    errors = []

    def issue(batch):
        try:
            barrier.wait(timeout=10)
            for pending in batch:
                services.invoice_issue(acting_user=None, order=pending, now=NOW)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when two threads issue invoices for the same boutique concurrently
    threads = [
        threading.Thread(target=issue, args=(orders[0::2],)),
        threading.Thread(target=issue, args=(orders[1::2],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then every order has a number, and the numbers are 1..8 exactly
    assert errors == []
    sequences = sorted(
        Invoice.objects.filter(boutique=boutique).values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, 9))
    assert InvoiceCounter.objects.get(boutique=boutique, year=2026).last_number == 8


@pytest.mark.django_db
def test_invoices_cannot_be_deleted_through_the_orm():
    from orders.models import Invoice

    with pytest.raises(TypeError, match="kept 10 years"):
        Invoice.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_to_change_or_delete_an_issued_invoice():
    from django.db import DatabaseError, transaction

    invoice = services.invoice_issue(acting_user=None, order=_confirmed(), now=NOW)
    for statement in (
        "UPDATE orders_invoice SET total = 0",
        "DELETE FROM orders_invoiceline",
        "DELETE FROM orders_invoice",
    ):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            connection.cursor().execute(statement)

    invoice.refresh_from_db()
    assert invoice.total > 0


# --- Lifetime value in euros ---------------------------------------------------


@pytest.mark.django_db
def test_a_sale_in_another_currency_counts_at_the_budget_rate(settings):
    settings.BUDGET_RATES_EUR = {**settings.BUDGET_RATES_EUR, "JPY": Decimal("0.0061")}
    client = ClientFactory()
    yen = ProductFactory(price=Decimal("500000.00"), currency="JPY")
    euro = ProductFactory(price=Decimal("1000.00"))
    tokyo = _confirmed(client=client, products=[yen], currency="JPY")
    paris = _confirmed(client=client, products=[euro])

    invoice = services.invoice_issue(acting_user=None, order=tokyo, now=NOW)
    services.invoice_issue(acting_user=None, order=paris, now=NOW)
    client.refresh_from_db()
    assert invoice.total == Decimal("500000.00")  # the invoice stays in yen
    assert client.lifetime_value == Decimal("4050.00")  # 3,050 + 1,000 euros

    services.credit_note_issue(
        acting_user=None, invoice=invoice, reason="Returned within 14 days", now=NOW
    )
    client.refresh_from_db()
    assert client.lifetime_value == Decimal("1000.00")


def test_every_order_currency_needs_a_budget_rate(settings):
    from orders.checks import every_currency_has_a_budget_rate

    assert every_currency_has_a_budget_rate() == []
    settings.BUDGET_RATES_EUR = {
        k: v for k, v in settings.BUDGET_RATES_EUR.items() if k != "AED"
    }

    errors = every_currency_has_a_budget_rate()

    assert [(e.id, e.msg) for e in errors] == [
        (
            "orders.E001",
            "Orders may be in AED but BUDGET_RATES_EUR has no rate for it.",
        )
    ]
