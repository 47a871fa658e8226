"""Each role's home: the right panels, the right figures, in a constant
number of queries, and the stock model index one click away."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clienteling.models import FollowUp, ImportantDate
from core import roles
from core.services import access_log_record
from tests.clienteling.factories import (
    AppointmentFactory,
    BoutiqueFactory,
    ClientFactory,
    ContactEventFactory,
    FollowUpFactory,
    UserFactory,
    adviser,
)
from tests.privacy.factories import DataSubjectRequestFactory
from tests.test_staff_pages import internals_in, visible_text

pytestmark = pytest.mark.django_db

HOME = reverse("admin:index")
SECTIONS = reverse("admin:sections")

PANELS = {
    "adviser": ["home-book", "home-follow-ups", "home-appointments", "home-dates"],
    "recent": ["home-recent"],
    "manager": ["home-team"],
    "service": ["home-search", "home-calls"],
    "compliance": ["home-requests", "home-jobs", "home-compliance-links"],
}


def panels_on(html: str) -> set[str]:
    return {
        panel for ids in PANELS.values() for panel in ids if f'id="{panel}"' in html
    }


@pytest.fixture
def paris():
    return BoutiqueFactory(name="Paris Vendôme")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.ADVISER, PANELS["adviser"] + PANELS["recent"]),
        # A manager who advises nobody gets no empty "my book".
        (roles.MANAGER, PANELS["manager"] + PANELS["recent"]),
        (roles.CUSTOMER_SERVICE, ["home-search", "home-calls", "home-recent"]),
        (roles.COMPLIANCE, PANELS["compliance"]),
    ],
)
def test_each_role_gets_its_own_panels_and_no_one_elses(client, paris, role, expected):
    user = UserFactory(role=role, boutiques=[paris])
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert panels_on(html) == set(expected)
    assert f'href="{SECTIONS}"' in html
    assert internals_in(visible_text(html)) == []


def test_a_superuser_without_a_role_gets_the_sections(client):
    client.force_login(UserFactory(is_superuser=True))
    response = client.get(HOME)
    assert response.status_code == 200
    assert panels_on(response.content.decode()) == set()
    assert "app-clienteling" in response.content.decode()


@pytest.mark.parametrize("role", roles.ROLES)
def test_every_role_reaches_the_sections(client, paris, role):
    client.force_login(UserFactory(role=role, boutiques=[paris]))
    response = client.get(SECTIONS)
    assert response.status_code == 200
    assert "app-clienteling" in response.content.decode()


def test_the_home_needs_a_signed_in_member_of_staff(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_manager_who_advises_clients_also_gets_the_book(client, paris):
    boss = UserFactory(role=roles.MANAGER, boutiques=[paris])
    ClientFactory(home_boutique=paris, primary_adviser=boss)
    client.force_login(boss)
    html = client.get(HOME).content.decode()
    expected = PANELS["manager"] + PANELS["adviser"] + PANELS["recent"]
    assert panels_on(html) == set(expected)


def test_the_advisers_book_counts_active_lapsing_and_new(client, paris):
    me = adviser(paris)
    ClientFactory(home_boutique=paris, primary_adviser=me)
    old = ClientFactory(home_boutique=paris, secondary_adviser=me)
    # Lapsing: created and last contacted two years ago.
    two_years = timezone.now() - datetime.timedelta(days=730)
    type(old).objects.filter(pk=old.pk).update(created_at=two_years)
    ClientFactory(home_boutique=paris)  # someone else's client
    client.force_login(me)
    response = client.get(HOME)
    book = response.context["book"]
    assert (book.active, book.lapsing) == (2, 1)
    assert book.new_this_month == 1


def test_follow_ups_due_are_mine_open_and_due_by_today(client, paris):
    me = adviser(paris)
    other = adviser(paris)
    today = timezone.localdate()
    mine = ClientFactory(home_boutique=paris, last_name="Lefèvre")
    due = FollowUpFactory(client=mine, adviser=me, due_date=today)
    late = FollowUpFactory(
        client=mine, adviser=me, due_date=today - datetime.timedelta(days=3)
    )
    FollowUpFactory(client=mine, adviser=me, due_date=today + datetime.timedelta(1))
    FollowUpFactory(client=mine, adviser=other, due_date=today)
    FollowUpFactory(
        client=mine, adviser=me, due_date=today, status=FollowUp.Status.DONE
    )
    client.force_login(me)
    response = client.get(HOME)
    assert [f.pk for f in response.context["follow_ups"]] == [late.pk, due.pk]
    assert response.context["follow_ups_count"] == 2
    assert "overdue since" in response.content.decode()


def test_my_appointments_today_and_tomorrow_are_listed(client, paris):
    me = adviser(paris)
    someone = ClientFactory(home_boutique=paris, last_name="Lefèvre")
    tomorrow = AppointmentFactory(client=someone, adviser=me)
    AppointmentFactory(
        client=someone,
        adviser=me,
        starts_at=tomorrow.starts_at + datetime.timedelta(days=3),
        ends_at=tomorrow.ends_at + datetime.timedelta(days=3),
    )
    AppointmentFactory(client=someone, adviser=adviser(paris))  # a colleague's
    client.force_login(me)
    response = client.get(HOME)
    assert response.context["appointments"] == [tomorrow]
    assert "Tomorrow" in response.content.decode()


def test_a_follow_up_is_done_from_the_home_in_one_tap(client, paris):
    me = adviser(paris)
    follow_up = FollowUpFactory(
        client=ClientFactory(home_boutique=paris),
        adviser=me,
        due_date=timezone.localdate(),
    )
    client.force_login(me)
    html = client.get(HOME).content.decode()
    done_url = reverse("admin:clienteling_followup_done", args=[follow_up.pk])
    assert f'action="{done_url}"' in html
    response = client.post(
        done_url,
        {"done_outcome": FollowUp.Outcome.values[0], "next": HOME + "#home-follow-ups"},
    )
    assert response.status_code == 302
    assert response["Location"] == HOME + "#home-follow-ups"
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.DONE
    # without an outcome it stays open, and says why
    other = FollowUpFactory(
        client=follow_up.client, adviser=me, due_date=timezone.localdate()
    )
    client.post(
        reverse("admin:clienteling_followup_done", args=[other.pk]),
        {"done_outcome": "", "next": HOME},
    )
    other.refresh_from_db()
    assert other.status == FollowUp.Status.OPEN


def test_dates_ahead_are_my_clients_recurring_dates_within_a_week(client, paris):
    me = adviser(paris)
    today = timezone.localdate()
    mine = ClientFactory(home_boutique=paris, primary_adviser=me)
    theirs = ClientFactory(home_boutique=paris)
    wedding = today.replace(year=today.year - 5) + datetime.timedelta(days=3)
    ImportantDate.objects.create(client=mine, kind="wedding", date=wedding)
    ImportantDate.objects.create(client=theirs, kind="wedding", date=wedding)
    ImportantDate.objects.create(
        client=mine, kind="birthday", date=today + datetime.timedelta(days=20)
    )
    client.force_login(me)
    rows = client.get(HOME).context["dates_ahead"]
    assert [(row.client, row.next_on) for row in rows] == [
        (mine, today + datetime.timedelta(days=3))
    ]


def test_recently_viewed_comes_from_the_access_log_and_stays_in_scope(client, paris):
    me = adviser(paris)
    london = BoutiqueFactory(name="London")
    first, second = ClientFactory.create_batch(2, home_boutique=paris)
    elsewhere = ClientFactory(home_boutique=london)
    for someone in (first, elsewhere, second, first):
        access_log_record(acting_user=me, action="view", target=someone)
    client.force_login(me)
    assert client.get(HOME).context["recently_viewed"] == [first, second]


def test_service_sees_a_search_box_and_the_contacts_logged_today(client, paris):
    agent = UserFactory(role=roles.CUSTOMER_SERVICE)
    someone = ClientFactory(home_boutique=paris)
    ContactEventFactory(client=someone, staff=agent, subject="Ring resizing")
    ContactEventFactory(
        client=someone,
        staff=agent,
        occurred_at=timezone.now() - datetime.timedelta(days=2),
    )
    client.force_login(agent)
    response = client.get(HOME)
    html = response.content.decode()
    assert 'name="q"' in html
    assert reverse("admin:clienteling_client_changelist") in html
    assert response.context["calls_today_count"] == 1
    assert "Ring resizing" in html


def test_the_managers_team_board_counts_each_adviser(client, paris):
    boss = UserFactory(role=roles.MANAGER, boutiques=[paris])
    anna = adviser(paris, first_name="Anna", last_name="A")
    adviser(BoutiqueFactory(name="London"), first_name="Lee")  # not my team
    today = timezone.localdate()
    someone = ClientFactory(home_boutique=paris)
    FollowUpFactory(client=someone, adviser=anna, due_date=today)
    yesterday = today - datetime.timedelta(days=1)
    FollowUpFactory(client=someone, adviser=anna, due_date=yesterday)
    ContactEventFactory(client=someone, staff=anna)
    ContactEventFactory(client=someone, staff=anna)
    AppointmentFactory(client=someone, adviser=anna)  # tomorrow
    client.force_login(boss)
    team = client.get(HOME).context["team"]
    tomorrow_this_week = (today + datetime.timedelta(days=1)).weekday() != 0
    assert [
        (
            r.adviser,
            r.open_follow_ups,
            r.overdue_follow_ups,
            r.contacted_this_month,
            r.appointments_this_week,
        )
        for r in team
    ] == [(anna, 2, 1, 1, 1 if tomorrow_this_week else 0)]


def test_compliance_sees_the_legal_clock(client):
    officer = UserFactory(role=roles.COMPLIANCE)
    today = timezone.localdate()
    DataSubjectRequestFactory(received_on=today)
    late = DataSubjectRequestFactory(received_on=today - datetime.timedelta(days=40))
    DataSubjectRequestFactory(received_on=today - datetime.timedelta(days=26))
    client.force_login(officer)
    response = client.get(HOME)
    desk = response.context["desk"]
    assert (desk.open, desk.overdue, desk.due_this_week) == (3, 1, 1)
    assert desk.rows[0].request == late
    assert reverse("admin:privacy_datasubjectrequest_change", args=[late.pk]) in (
        response.content.decode()
    )


@pytest.mark.parametrize("role", roles.ROLES)
def test_a_home_costs_the_same_queries_for_a_small_and_a_big_book(client, paris, role):
    user = UserFactory(role=role, boutiques=[paris])
    client.force_login(user)

    def grow(n):
        today = timezone.localdate()
        for _ in range(n):
            someone = ClientFactory(home_boutique=paris, primary_adviser=user)
            FollowUpFactory(client=someone, adviser=user, due_date=today)
            ContactEventFactory(client=someone, staff=user)
            access_log_record(acting_user=user, action="view", target=someone)
            DataSubjectRequestFactory(client=someone)
            AppointmentFactory(client=someone, adviser=user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        return len(queries)

    grow(2)
    small = count()
    grow(15)
    assert count() == small
