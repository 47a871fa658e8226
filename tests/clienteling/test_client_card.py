"""The client's page is a read-first card (issue 14): the key facts at the
top, quick actions by role, the record's state, a paginated timeline,
editing a click away; constant queries whatever the history."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Client, ImportantDate, MetalAllergy, RingSize
from core import roles
from core.models import AccessLogEntry
from privacy import requests as dsr
from privacy.models import DataSubjectRequest
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    ContactEventFactory,
    FollowUpFactory,
    MetalAllergyFactory,
    UserFactory,
    adviser,
)
from tests.helpers import get_counting_queries
from tests.orders.factories import order
from tests.test_staff_pages import internals_in, visible_text

pytestmark = pytest.mark.django_db


def card(someone) -> str:
    return reverse("admin:clienteling_client_card", args=[someone.pk])


@pytest.fixture
def paris():
    return BoutiqueFactory(name="Paris Vendôme")


@pytest.fixture
def someone(paris):
    client = ClientFactory(home_boutique=paris, first_name="Léa", last_name="Lefèvre")
    MetalAllergyFactory(client=client)
    RingSize.objects.create(
        client=client,
        finger="left_ring",
        system="EU",
        size="52",
        circumference_mm=Decimal("52.0"),
        measured_at=datetime.date(2026, 1, 5),
    )
    today = timezone.localdate()
    ImportantDate.objects.create(
        client=client,
        kind="wedding",
        date=(today + datetime.timedelta(days=10)).replace(year=today.year - 3),
    )
    return client


def test_the_adviser_reads_allergy_sizes_and_next_date_first(client, paris, someone):
    client.force_login(adviser(paris))
    response = client.get(card(someone))
    assert response.status_code == 200
    html = response.content.decode()
    header = html[html.index('id="client-header"') : html.index('id="timeline"')]
    assert "Allergy" in header
    assert "Nickel" in header
    assert "52" in header
    assert "US" in header
    assert "Wedding" in header
    assert internals_in(visible_text(html)) == []
    # and editing is a click away, on its own page
    assert reverse("admin:clienteling_client_change", args=[someone.pk]) in html


def test_customer_service_gets_no_allergy_badge(client, someone):
    agent = UserFactory(role=roles.CUSTOMER_SERVICE)
    client.force_login(agent)
    html = client.get(card(someone)).content.decode()
    assert 'id="allergy-badge"' not in html
    assert "Nickel" not in html


def test_opening_the_card_is_in_the_access_log(client, paris, someone):
    me = adviser(paris)
    client.force_login(me)
    client.get(card(someone))
    assert AccessLogEntry.objects.filter(
        user=me,
        action="view",
        object_type="clienteling.client",
        object_id=str(someone.pk),
    ).exists()
    assert AccessLogEntry.objects.filter(user=me, action="view_health").exists()


def test_a_client_of_another_boutique_is_not_found(client, someone):
    client.force_login(adviser(BoutiqueFactory(name="London")))
    assert client.get(card(someone)).status_code == 404


@pytest.mark.parametrize(
    ("role", "actions"),
    [
        (
            roles.ADVISER,
            (["Log a contact", "Add a follow-up", "New order"], ["Request erasure"]),
        ),
        (
            roles.CUSTOMER_SERVICE,
            (["Log a contact"], ["Request erasure", "Add a follow-up"]),
        ),
        (roles.COMPLIANCE, (["Request erasure"], ["Log a contact", "New order"])),
    ],
)
def test_quick_actions_follow_the_role(client, someone, role, actions):
    expected, absent = actions
    paris = someone.home_boutique
    client.force_login(UserFactory(role=role, boutiques=[paris]))
    html = client.get(card(someone)).content.decode()
    actions = html[
        html.index('class="ecrin-card-actions"') : html.index('id="client-facts"')
    ]
    for label in expected:
        assert label in actions, label
    for label in absent:
        assert label not in actions, label


def test_an_erased_client_says_so_and_offers_nothing(client, paris):
    tombstone = ClientFactory(home_boutique=paris, client_number="ERASED-1234")
    client.force_login(UserFactory(role=roles.COMPLIANCE))
    html = client.get(card(tombstone)).content.decode()
    assert "This client was erased" in html
    actions = html[
        html.index('class="ecrin-card-actions"') : html.index('id="client-facts"')
    ]
    assert "button" not in actions


def test_a_restricted_client_says_so_at_the_top(client, paris, someone):
    me = adviser(paris)
    client.force_login(me)
    assert 'id="edit-client"' in client.get(card(someone)).content.decode()
    officer = UserFactory(role=roles.COMPLIANCE)
    request = dsr.request_open(
        acting_user=officer,
        client=someone,
        kind=DataSubjectRequest.Kind.RESTRICTION,
        channel="email",
        received_on=timezone.localdate(),
    )
    request = dsr.request_verify_identity(
        acting_user=officer, request=request, method="known_email"
    )
    dsr.request_restrict(
        acting_user=officer, request=request, reason="Accuracy contested"
    )
    client.force_login(me)
    html = client.get(card(someone)).content.decode()
    top = html[: html.index('id="client-header"')]
    assert "ecrin-state-restricted" in top
    # and no way into the edit form while restricted
    assert 'id="edit-client"' not in html


def test_the_timeline_is_paginated_newest_first(client, paris, someone):
    now = timezone.now()
    for n in range(30):
        ContactEventFactory(
            client=someone,
            subject=f"Call {n:02d}",
            occurred_at=now - datetime.timedelta(hours=n),
        )
    client.force_login(adviser(paris))
    first = client.get(card(someone)).content.decode()
    assert "Call 00" in first
    assert "Call 24" in first
    assert "Call 25" not in first
    second = client.get(card(someone) + "?page=2").content.decode()
    assert "Call 25" in second
    assert "Call 29" in second
    assert "Call 00" not in second
    # a page that does not exist shows the last one, not an error
    assert client.get(card(someone) + "?page=99").status_code == 200


# What the card costs for an adviser, whatever the client's history: the
# session, user, second factor and permissions; the client with its
# boutique and both advisers; the access log; the 360 lists, the panels,
# the timeline's page and count; the header's job notice (30 on the
# load test's clients, which have no orders or health data).
CARD_QUERIES = 33


def test_the_card_costs_the_same_queries_for_a_light_and_a_heavy_client(client, paris):
    me = adviser(paris)
    second = adviser(paris)
    light, heavy = ClientFactory.create_batch(
        2, home_boutique=paris, primary_adviser=me, secondary_adviser=second
    )
    ContactEventFactory.create_batch(10, client=light)
    ContactEventFactory.create_batch(120, client=heavy)
    order(client=light)
    for _ in range(12):
        order(client=heavy)
    # both with health data: opening either writes the health access log
    MetalAllergyFactory(client=light)
    for metal in (MetalAllergy.Metal.NICKEL, MetalAllergy.Metal.COBALT):
        MetalAllergyFactory(client=heavy, metal=metal)
    FollowUpFactory.create_batch(5, client=heavy, adviser=me)
    client.force_login(me)
    client.get(card(light))  # warm caches (content types, permissions)
    response, few = get_counting_queries(client, card(light))
    assert str(second) in response.content.decode()  # both advisers named
    _, many = get_counting_queries(client, card(heavy))
    assert many == few <= CARD_QUERIES


def test_the_client_list_opens_the_card(client, paris, someone):
    client.force_login(adviser(paris))
    html = client.get(reverse("admin:clienteling_client_changelist")).content.decode()
    assert f'href="{card(someone)}"' in html


@pytest.mark.parametrize(
    "query", ["?q=lefevre", "?o=-3", "?q=L%C3%A9a+Lef%C3%A8vre&o=2"]
)
def test_the_rows_keep_the_lists_filters_as_the_admin_would(
    client, paris, someone, query
):
    """The row links are built once per page (decision 0109) and carry the
    list's query in _changelist_filters exactly as the admin's own
    add_preserved_filters writes it for the card's URL."""
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
    from django.http import QueryDict
    from django.utils.http import urlencode

    client.force_login(adviser(paris))
    response = client.get(reverse("admin:clienteling_client_changelist") + query)
    stock = add_preserved_filters(
        {
            "opts": Client._meta,
            "preserved_filters": urlencode(
                {"_changelist_filters": QueryDict(query[1:]).urlencode()}
            ),
        },
        card(someone),
    )
    assert "_changelist_filters=" in stock
    assert f'href="{stock.replace("&", "&amp;")}"' in response.content.decode()


def test_saving_the_edit_form_returns_to_the_card(client, paris, someone):
    from tests.helpers import form_data

    client.force_login(adviser(paris))
    edit = reverse("admin:clienteling_client_change", args=[someone.pk])
    data = form_data(client.get(edit).content.decode())
    data["first_name"] = "Léonie"
    response = client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == card(someone)
    assert Client.objects.get(pk=someone.pk).first_name == "Léonie"


def test_a_logged_contact_lands_on_the_cards_timeline(client, paris, someone):
    client.force_login(adviser(paris))
    response = client.post(
        reverse("admin:clienteling_client_log_contact", args=[someone.pk]),
        {
            "channel": "boutique_visit",
            "direction": "inbound",
            "subject": "Came to try the Abeille ring",
            "summary": "",
            "occurred_at": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == card(someone) + "#timeline"
