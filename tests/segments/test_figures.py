"""Must show (issue 15): each dashboard figure equals a direct query over a
small fixed data set with known answers."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from clienteling.models import Appointment, ContactEvent, FollowUp
from consents import registry
from orders.models import Order
from privacy.models import DataSubjectRequest
from segments import figures
from segments.figures import Period
from tests.clienteling.factories import (
    AppointmentFactory,
    BoutiqueFactory,
    ClientFactory,
    ContactEventFactory,
    FollowUpFactory,
    adviser,
)
from tests.consents.factories import grant
from tests.orders.factories import ProductFactory, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def period(today):
    return Period(
        today - datetime.timedelta(days=60), today + datetime.timedelta(days=30)
    )


@pytest.fixture
def shop(today):
    """Paris: Alice sold 2 x EUR 1,000, Bob ¥500,000; a draft order and a
    Munich sale that no Paris figure may count."""
    paris = BoutiqueFactory(name="Paris")
    munich = BoutiqueFactory(name="Munich")
    alice = adviser(paris, first_name="Alice", last_name="A")
    bob = adviser(paris, first_name="Bob", last_name="B")
    euro = ProductFactory(price=Decimal("1000"), currency="EUR")
    yen = ProductFactory(price=Decimal("500000"), currency="JPY")
    clients = [
        ClientFactory(home_boutique=paris, primary_adviser=alice) for _ in range(3)
    ]
    for c in clients[:2]:
        order(client=c, products=[euro], adviser=alice, status=Order.Status.INVOICED)
    order(
        client=clients[2],
        products=[yen],
        adviser=bob,
        currency="JPY",
        status=Order.Status.INVOICED,
    )
    order(client=clients[0], products=[euro], adviser=alice)  # a draft
    order(
        client=ClientFactory(home_boutique=munich),
        products=[euro],
        status=Order.Status.INVOICED,
    )
    return paris, alice, bob, clients


def _direct_sales_by_adviser(paris):
    totals = Counter()
    for o in Order.objects.filter(
        boutique=paris, status__in=["invoiced", "delivered", "returned"]
    ):
        totals[o.adviser_id] += o.total * Decimal(
            str(settings.BUDGET_RATES_EUR[o.currency])
        )
    return totals


def test_sales_per_adviser_equals_a_direct_sum(shop, period):
    paris, alice, bob, _clients = shop
    direct = _direct_sales_by_adviser(paris)

    figure = figures.sales_per_adviser(paris, period)

    got = {row.label: row.values[0] for row in figure.rows}
    assert got == {
        "Alice A": direct[alice.pk].quantize(Decimal("0.01")),
        "Bob B": direct[bob.pk].quantize(Decimal("0.01")),
    }
    assert got["Alice A"] == Decimal("2000.00")
    # and the bar links to the clients Alice advises
    alice_row = next(r for r in figure.rows if r.label == "Alice A")
    assert f"adviser={alice.pk}" in alice_row.url


def test_sales_per_month_and_per_currency(shop, period):
    paris, *_ = shop
    direct = sum(_direct_sales_by_adviser(paris).values()).quantize(Decimal("0.01"))

    per_month = figures.sales_per_month(paris, period)
    per_currency = figures.sales_per_currency(paris, period)

    assert sum(row.values[0] for row in per_month.rows) == direct
    assert {r.label: r.values[0] for r in per_currency.rows} == {"EUR": 2, "JPY": 1}
    assert dict(per_currency.currencies) == {
        "EUR": Decimal("2000.00"),
        "JPY": Decimal("500000.00"),
    }


def test_new_and_lapsing_clients(shop, period, today):
    paris, alice, _bob, clients = shop
    old = ClientFactory(home_boutique=paris)
    long_ago = timezone.now() - datetime.timedelta(days=600)
    type(old).objects.filter(pk=old.pk).update(
        created_at=long_ago, last_contact_at=long_ago
    )

    figure = figures.new_and_lapsing_clients(paris, period, today=today)

    new = sum(r.values[0] for r in figure.rows[:-1])
    assert (
        new
        == type(old)
        .objects.filter(home_boutique=paris, created_at__gte=period.since)
        .count()
        == 3
    )
    assert figure.rows[-1].values == [1]


def test_contacts_per_adviser_by_channel_and_outcome(shop, period):
    paris, alice, bob, clients = shop
    for channel in ("phone", "phone", "email"):
        ContactEventFactory(client=clients[0], staff=alice, channel=channel)
    ContactEventFactory(client=clients[1], staff=bob, channel="email")
    ContactEventFactory(
        client=ClientFactory(), staff=bob, channel="phone"
    )  # another boutique

    per_adviser = figures.contacts_per_adviser(paris, period)
    by_outcome = figures.contacts_by_outcome(paris, period)

    table = {
        row.label: dict(
            zip([str(c) for c in per_adviser.columns], row.values, strict=True)
        )
        for row in per_adviser.rows
    }
    direct = Counter(
        ContactEvent.objects.filter(client__home_boutique=paris).values_list(
            "staff__first_name", "channel"
        )
    )
    labels = dict(ContactEvent.Channel.choices)
    for (name, channel), n in direct.items():
        assert (
            table[f"{name} {'A' if name == 'Alice' else 'B'}"][str(labels[channel])]
            == n
        )
    assert sum(r.values[0] for r in by_outcome.rows) == 4


def test_follow_up_completion(shop, period, today):
    paris, alice, _bob, clients = shop
    FollowUpFactory(client=clients[0], adviser=alice, due_date=today, status="done")
    FollowUpFactory(client=clients[1], adviser=alice, due_date=today)
    FollowUpFactory(
        client=clients[2], adviser=alice, due_date=today, status="dismissed"
    )

    figure = figures.follow_up_completion(paris, period)

    direct_done = FollowUp.objects.filter(adviser=alice, status="done").count()
    direct_open = FollowUp.objects.filter(adviser=alice, status="open").count()
    assert [(r.label, r.values) for r in figure.rows] == [
        ("Alice A", [direct_done, direct_open])
    ]


def test_appointments_held_and_no_shows(shop, period):
    paris, alice, _bob, clients = shop
    AppointmentFactory(client=clients[0], adviser=alice)
    held = AppointmentFactory(client=clients[1], adviser=alice)
    Appointment.objects.filter(pk=held.pk).update(status=Appointment.Status.ATTENDED)

    figure = figures.appointments_held(paris, period)

    got = {r.label: r.values[0] for r in figure.rows}
    for status in Appointment.Status:
        assert (
            got[str(status.label)]
            == Appointment.objects.filter(boutique=paris, status=status).count()
        )


def test_consent_rates(shop):
    paris, _alice, _bob, clients = shop
    grant(clients[0], registry.NEWSLETTERS)
    grant(clients[1], registry.NEWSLETTERS)

    figure = figures.consent_rates(paris)

    newsletters = next(r for r in figure.rows if "ewsletter" in r.label)
    # 2 of the 3 Paris clients
    assert sum(newsletters.values) == Decimal("66.7")


def test_adviser_book_and_follow_ups(shop, today):
    _paris, alice, _bob, clients = shop
    FollowUpFactory(
        client=clients[0],
        adviser=alice,
        due_date=today,
        status="done",
        done_at=timezone.now(),
    )

    book, follow_ups = figures.adviser_figures(alice, today=today)  # this month

    assert book.rows[0].values == [3]  # active: the 3 clients she advises
    assert follow_ups.rows[0].values == [1]


def test_compliance_requests_by_kind_and_on_time(period, today):
    client = ClientFactory()
    DataSubjectRequest.objects.create(
        client=client,
        kind="access",
        channel="email",
        received_on=today,
        due_on=today + datetime.timedelta(days=3),
    )
    DataSubjectRequest.objects.create(
        client=client,
        kind="erasure",
        channel="email",
        received_on=today,
        due_on=today - datetime.timedelta(days=1),
    )

    by_kind = figures.requests_by_kind_and_status(period)
    on_time = figures.requests_on_time(period, today=today)

    assert (
        sum(sum(r.values) for r in by_kind.rows) == DataSubjectRequest.objects.count()
    )
    got = {r.label: r.values[0] for r in on_time.rows}
    assert got["Open, overdue"] == 1
    assert got["Open, 7 days or fewer left"] == 1
