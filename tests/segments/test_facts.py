"""The daily facts (issue 15, part 3): rebuilt idempotently by the nightly
task; the dashboard's sales figures equal a direct query whether read from
the facts, live, or both; "figures as of" on the page."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core import roles
from orders.models import Order
from segments import facts, figures, tasks
from segments.figures import Period
from segments.models import ContactFact, FactsRebuild, SalesFact
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    ContactEventFactory,
    UserFactory,
    adviser,
)
from tests.orders.factories import ProductFactory, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris():
    return BoutiqueFactory(name="Paris")


def _sale(paris, seller, *, days_ago: int, price="1000", currency="EUR"):
    product = ProductFactory(price=Decimal(price), currency=currency)
    sold = order(
        client=ClientFactory(home_boutique=paris),
        products=[product],
        adviser=seller,
        currency=currency,
        status=Order.Status.INVOICED,
    )
    Order.objects.filter(pk=sold.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return sold


def _direct_eur(paris, since):
    return sum(
        o.total * Decimal(str(settings.BUDGET_RATES_EUR[o.currency]))
        for o in Order.objects.purchases().filter(boutique=paris, created_at__gte=since)
    ).quantize(Decimal("0.01"))


def test_rebuild_twice_writes_the_same_facts(paris):
    alice = adviser(paris)
    _sale(paris, alice, days_ago=3)
    _sale(paris, alice, days_ago=3, price="500000", currency="JPY")
    _sale(paris, alice, days_ago=40)
    _sale(paris, alice, days_ago=0)  # today, before the rebuild: a fact too

    first = facts.sales_facts_rebuild()
    rows = sorted(
        SalesFact.objects.values_list(
            "day", "currency", "orders", "amount", "amount_eur"
        )
    )
    second = facts.sales_facts_rebuild()

    assert first["written"] == second["written"] == 4
    assert (
        sorted(
            SalesFact.objects.values_list(
                "day", "currency", "orders", "amount", "amount_eur"
            )
        )
        == rows
    )
    assert FactsRebuild.objects.count() == 2


def test_nightly_task_rebuilds(paris):
    _sale(paris, adviser(paris), days_ago=2)

    result = tasks.rebuild_sales_facts.delay().get()

    assert result["written"] == 1
    assert SalesFact.objects.count() == 1


def test_figures_from_facts_and_live_equal_a_direct_query(paris):
    alice = adviser(paris, first_name="Alice", last_name="A")
    _sale(paris, alice, days_ago=5)
    _sale(paris, alice, days_ago=5, price="500000", currency="JPY")
    facts.sales_facts_rebuild()
    # sold after the rebuild: today, read live
    _sale(paris, alice, days_ago=0, price="250")
    today = timezone.localdate()
    period = Period(today - datetime.timedelta(days=30), today)

    per_adviser = figures.sales_per_adviser(paris, period)
    per_month = figures.sales_per_month(paris, period)
    per_currency = figures.sales_per_currency(paris, period)

    direct = _direct_eur(paris, period.since)
    assert per_adviser.rows[0].values == [direct]
    assert sum(r.values[0] for r in per_month.rows) == direct
    assert {r.label: r.values[0] for r in per_currency.rows} == {"EUR": 2, "JPY": 1}


def test_a_sale_the_facts_hold_is_not_counted_twice(paris):
    alice = adviser(paris)
    _sale(paris, alice, days_ago=2)
    facts.sales_facts_rebuild()
    today = timezone.localdate()

    figure = figures.sales_per_adviser(
        paris, Period(today - datetime.timedelta(days=7), today)
    )

    assert figure.rows[0].values == [Decimal("1000.00")]


def test_dashboard_says_as_of_when(client, paris):
    client.force_login(UserFactory(role=roles.MANAGER, boutiques=[paris]))

    live = client.get(reverse("admin:segments_dashboard_manager"))
    facts.sales_facts_rebuild(now=timezone.now())
    built = client.get(reverse("admin:segments_dashboard_manager"))

    assert "Sales figures read live" in live.text
    assert "Sales figures as of" in built.text


def test_contact_figures_from_facts_and_live_equal_a_direct_count(paris):
    alice = adviser(paris, first_name="Alice", last_name="A")
    bob = adviser(paris, first_name="Bob", last_name="B")
    now = timezone.now()
    mine = ClientFactory(home_boutique=paris)
    elsewhere = ClientFactory()  # another boutique: never counted for Paris

    def contact(who, days_ago, **kwargs):
        ContactEventFactory(
            client=kwargs.pop("client", mine),
            staff=who,
            occurred_at=now - datetime.timedelta(days=days_ago),
            **kwargs,
        )

    contact(alice, 3)
    contact(alice, 3, channel="email", outcome="message_sent")
    contact(bob, 10, outcome="no_answer")
    contact(alice, 3, client=elsewhere)
    first = facts.sales_facts_rebuild()
    second = facts.sales_facts_rebuild()
    # After the rebuild's moment: read live (decision 0121).
    ContactEventFactory(client=mine, staff=bob, occurred_at=timezone.now())
    today = timezone.localdate()
    period = Period(today - datetime.timedelta(days=30), today)

    per_adviser = figures.contacts_per_adviser(paris, period)
    by_outcome = figures.contacts_by_outcome(paris, period)

    assert first["contacts_written"] == second["contacts_written"]
    assert ContactFact.objects.filter(boutique=paris).count() == 3
    table = {r.label: r.values for r in per_adviser.rows}
    columns = [str(c) for c in per_adviser.columns]
    assert dict(zip(columns, table["Alice A"], strict=True)) == {
        "Phone": 1,
        "Email": 1,
    }
    assert dict(zip(columns, table["Bob B"], strict=True)) == {"Phone": 2, "Email": 0}
    assert {r.label: r.values[0] for r in by_outcome.rows} == {
        "Reached the client": 2,
        "Message sent": 1,
        "No answer": 1,
    }


def test_a_sale_of_today_before_the_rebuild_is_a_fact_and_counted_once(paris):
    # Decision 0121: the facts hold every sale before the rebuild's moment,
    # today's included; what is sold after it is read live.
    alice = adviser(paris)
    _sale(paris, alice, days_ago=0)
    facts.sales_facts_rebuild()
    _sale(paris, alice, days_ago=0, price="250")
    today = timezone.localdate()
    period = Period(today, today)

    figure = figures.sales_per_adviser(paris, period)

    assert list(SalesFact.objects.values_list("day", "orders")) == [(today, 1)]
    assert figure.rows[0].values == [_direct_eur(paris, period.since)]
    assert figure.rows[0].values == [Decimal("1250.00")]
