"""Issue 15: every dashboard figure links to the filtered list behind it.
Each row of each figure of the manager, compliance and adviser dashboards
is followed as the role that sees it, on a small fixed data set; the list
it lands on must show as many rows as the figure counts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Appointment, Client
from consents import registry
from core import roles
from orders.models import Order
from privacy.models import DataSubjectRequest, RetentionRule
from segments import figures
from segments.figures import COUNT, Period
from tests.clienteling.factories import (
    AppointmentFactory,
    BoutiqueFactory,
    ClientFactory,
    ContactEventFactory,
    FollowUpFactory,
    UserFactory,
    adviser,
)
from tests.consents.factories import grant
from tests.orders.factories import ProductFactory, order

pytestmark = pytest.mark.django_db


def _listed_count(page) -> int:
    """How many rows the list a link lands on shows: an admin changelist's
    result count, or the dashboard's clients page's paginator."""
    context = page.context
    if "cl" in context:
        return context["cl"].result_count
    return context["page"].paginator.count


@pytest.fixture
def house():
    today = timezone.localdate()
    period = Period(today - datetime.timedelta(days=60), today)
    paris = BoutiqueFactory(name="Paris")
    munich = BoutiqueFactory(name="Munich")
    alice = adviser(paris, first_name="Alice", last_name="A")
    bob = adviser(paris, first_name="Bob", last_name="B")
    manager = UserFactory(role=roles.MANAGER, boutiques=[paris, munich])
    compliance = UserFactory(role=roles.COMPLIANCE)
    euro = ProductFactory(price=Decimal("1000"), currency="EUR")
    clients = [
        ClientFactory(home_boutique=paris, primary_adviser=alice) for _ in range(3)
    ]
    clients.append(ClientFactory(home_boutique=paris, primary_adviser=bob))
    for c in clients[:2]:
        order(client=c, products=[euro], adviser=alice, status=Order.Status.INVOICED)
    order(client=clients[3], products=[euro], adviser=bob, status=Order.Status.INVOICED)
    order(client=clients[0], products=[euro], adviser=alice)  # a draft
    order(
        client=ClientFactory(home_boutique=munich),
        products=[euro],
        status=Order.Status.INVOICED,
    )
    for c, by in ((clients[0], alice), (clients[1], alice), (clients[3], bob)):
        ContactEventFactory(client=c, staff=by, boutique=paris)
    FollowUpFactory(
        client=clients[0],
        adviser=alice,
        due_date=today,
        status="done",
        done_at=timezone.now(),
    )
    FollowUpFactory(client=clients[1], adviser=alice, due_date=today)
    # A follow-up of a merged record: neither its list (active clients
    # only) nor the completion figure counts it.
    merged = ClientFactory(
        home_boutique=paris, status=Client.Status.MERGED, merged_into=clients[1]
    )
    FollowUpFactory(client=merged, adviser=alice, due_date=today)
    AppointmentFactory(
        client=clients[0],
        boutique=paris,
        adviser=alice,
        status=Appointment.Status.ATTENDED,
    )
    grant(clients[0], registry.NEWSLETTERS)
    # Two inactive clients in a third boutique: one due for erasure within
    # 30 days, one within 90 only (the forecast's link lists the 90 days').
    lyon = BoutiqueFactory(name="Lyon")
    inactive = RetentionRule.objects.get(code="inactive_clients").effective_days()
    for days_left in (10, 60):
        due = ClientFactory(home_boutique=lyon)
        Client.objects.filter(pk=due.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=inactive - days_left),
            last_client_initiated_contact_at=None,
        )
    DataSubjectRequest.objects.create(
        client=clients[2],
        kind="access",
        channel="email",
        received_on=today,
        due_on=today + datetime.timedelta(days=3),
    )
    return {
        "today": today,
        "period": period,
        "paris": paris,
        "alice": alice,
        "manager": manager,
        "compliance": compliance,
    }


def _dashboards(house):
    today, period = house["today"], house["period"]
    yield (
        "manager",
        house["manager"],
        figures.manager_figures(house["paris"], period, today=today),
    )
    yield (
        "compliance",
        house["compliance"],
        figures.compliance_figures(period, today=today),
    )
    yield (
        "adviser",
        house["alice"],
        figures.adviser_figures(house["alice"], today=today),
    )


def test_every_figure_row_links_to_a_list_of_as_many(client, house):
    """All mismatches are collected, so that the failure names them all."""
    missing, wrong = [], []
    for dashboard, user, shown in _dashboards(house):
        client.force_login(user)
        for figure in shown:
            for row in figure.rows:
                where = f"{dashboard}/{figure.key}/{row.label}"
                if not row.url:
                    missing.append(where)
                    continue
                page = client.get(row.url)
                assert page.status_code == 200, where
                if figure.unit != COUNT:
                    continue
                listed = _listed_count(page)
                counted = (
                    sum(v or 0 for v in row.values)
                    if row.listed_column is None
                    else row.values[row.listed_column]
                )
                if listed != counted:
                    wrong.append(f"{where}: figure {counted}, list {listed}")
    problems = [f"without a link: {m}" for m in missing] + [
        f"links to a list of another count: {w}" for w in wrong
    ]
    assert not problems


def test_the_client_list_filters_behind_consent_rates_and_retention(client, house):
    """The client list's "current consent" filter (consent rates link to
    it) lists the clients whose current decision is a grant; its "due
    for erasure" filter (the retention forecast) is offered only to
    those who may read the retention rules."""
    from consents.models import Purpose

    url = reverse("admin:clienteling_client_changelist")
    newsletters = Purpose.objects.get(code=registry.NEWSLETTERS)
    client.force_login(house["manager"])
    page = client.get(url, {"boutique": house["paris"].pk, "consent": newsletters.pk})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    assert "due for erasure" not in page.content.decode()
    client.force_login(house["compliance"])
    page = client.get(url)
    assert page.status_code == 200
    assert "due for erasure" in page.content.decode()


def test_the_fixture_has_clients_due_within_30_and_90_days(house):
    """So that the forecast's link above is checked against a count that
    is not zero, and against the 90 days' column, not the sum."""
    forecast = figures.retention_forecast(today=house["today"])
    rule = str(RetentionRule.objects.get(code="inactive_clients"))
    assert [r.values for r in forecast.rows if r.label == rule] == [[1, 2]]
    assert all(r.listed_column == 1 for r in forecast.rows)


def test_follow_up_completion_counts_what_its_list_shows(client, house):
    """The follow-up list shows active clients' follow-ups only; the
    completion figure counts the same set (the merged record's is out)."""
    figure = figures.follow_up_completion(house["paris"], house["period"])
    (alice,) = [r for r in figure.rows if r.label == "Alice A"]
    assert alice.values == [1, 1]
    client.force_login(house["manager"])
    assert _listed_count(client.get(alice.url)) == 2
