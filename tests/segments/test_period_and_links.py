"""The adviser dashboard's period picker, and chart links that land on
exactly the clients a figure counts (issue 15)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Client
from core import roles
from segments import figures
from segments.dashboards import AdviserPeriodForm
from segments.figures import Period
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    UserFactory,
    adviser,
)

pytestmark = pytest.mark.django_db

ADVISER = "admin:segments_dashboard_adviser"
TODAY = datetime.date(2026, 5, 14)


def _form(**data):
    form = AdviserPeriodForm(data, today=TODAY)
    return form, form.period()


def test_preset_periods():
    assert _form(span="this_month")[1] == Period(datetime.date(2026, 5, 1), TODAY)
    assert _form(span="last_month")[1] == Period(
        datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)
    )
    assert _form(span="last_90_days")[1] == Period(datetime.date(2026, 2, 14), TODAY)
    # January: last month is December of the year before
    january = AdviserPeriodForm({"span": "last_month"}, today=datetime.date(2027, 1, 3))
    assert january.period() == Period(
        datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)
    )


def test_custom_range_is_taken_as_given():
    form, period = _form(span="custom", start="2026-01-10", end="2026-02-20")
    assert form.is_valid()
    assert period == Period(datetime.date(2026, 1, 10), datetime.date(2026, 2, 20))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"span": "custom", "start": "2026-03-01", "end": "2026-02-01"},
            "end",
            "The end of the period is before its start.",
        ),
        ({"span": "custom", "end": "2026-02-01"}, "start", "Give the first day"),
        ({"span": "custom", "start": "2026-02-01"}, "end", "Give the last day"),
        ({"span": "next_year"}, "span", "Select a valid choice"),
    ],
)
def test_bad_ranges_are_refused_and_the_default_shown(data, field, message):
    form, period = _form(**data)

    assert not form.is_valid()
    assert any(message in error for error in form.errors[field])
    assert period == Period(datetime.date(2026, 5, 1), TODAY)


def test_the_adviser_page_refuses_a_reversed_range(client):
    paris = BoutiqueFactory(name="Paris")
    alice = adviser(paris)
    client.force_login(alice)

    page = client.get(
        reverse(ADVISER),
        {"span": "custom", "start": "2026-06-01", "end": "2026-01-01"},
    )

    assert page.status_code == 200
    assert "The end of the period is before its start." in page.text
    assert page.context["period"] == figures.adviser_period(
        "this_month", timezone.localdate()
    )


def _listed(client, url) -> set[int]:
    page = client.get(url)
    assert page.status_code == 200
    return {c.pk for c in page.context["page"].paginator.object_list}


def _created(client_obj, days_ago):
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    Client.objects.filter(pk=client_obj.pk).update(created_at=moment)


def test_new_clients_of_the_period_link_to_exactly_them(client):
    paris = BoutiqueFactory(name="Paris")
    alice = adviser(paris)
    new = ClientFactory(home_boutique=paris, primary_adviser=alice)
    old = ClientFactory(home_boutique=paris, primary_adviser=alice)
    _created(old, 200)
    ClientFactory(home_boutique=paris)  # not hers
    today = timezone.localdate()
    period = figures.adviser_period("last_90_days", today)

    book, _follow_ups = figures.adviser_figures(alice, today=today, period=period)
    row = book.rows[2]
    client.force_login(alice)

    assert row.values == [1]
    assert _listed(client, row.url) == {new.pk}
    assert _listed(client, book.rows[0].url) == {new.pk, old.pk}


def test_each_new_clients_month_links_to_exactly_its_clients(client):
    paris = BoutiqueFactory(name="Paris")
    clients = [ClientFactory(home_boutique=paris) for _ in range(3)]
    _created(clients[0], 40)
    _created(clients[1], 70)
    ClientFactory()  # another boutique
    today = timezone.localdate()
    period = Period(today - datetime.timedelta(days=120), today)
    client.force_login(UserFactory(role=roles.MANAGER, boutiques=[paris]))

    figure = figures.new_and_lapsing_clients(paris, period, today=today)
    months = figure.rows[:-1]

    assert sum(r.values[0] for r in months) == 3
    for row in months:
        assert len(_listed(client, row.url)) == row.values[0], row.label
    seen = set().union(*(_listed(client, r.url) for r in months))
    assert seen == {c.pk for c in clients}


def test_a_bad_creation_filter_lists_no_one_and_says_why(client):
    paris = BoutiqueFactory(name="Paris")
    ClientFactory(home_boutique=paris)
    client.force_login(UserFactory(role=roles.MANAGER, boutiques=[paris]))
    url = reverse("admin:segments_dashboard_clients")

    page = client.get(
        url,
        {
            "boutique": paris.pk,
            "created_from": "2026-05-02",
            "created_to": "2026-05-01",
        },
        follow=True,
    )

    assert page.context["page"].paginator.count == 0
    assert "The end of the period is before its start." in page.text
