"""Merging a duplicate flag goes through a confirmation page naming which
record is kept, which is merged and what moves; only its POST merges."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clienteling.models import Client, ClientEmail, ContactEvent, DuplicateFlag
from consents import registry
from consents.models import ConsentDecision
from core import roles
from orders.models import Order
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    ContactFactory,
    EmailFactory,
    UserFactory,
    adviser,
)
from tests.consents.factories import grant
from tests.orders.factories import order

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR-M", name="Paris Vendôme")


@pytest.fixture
def flag(paris):
    survivor = ClientFactory(home_boutique=paris, first_name="Ada", last_name="Kept")
    duplicate = ClientFactory(home_boutique=paris, first_name="Ada", last_name="Twice")
    for _ in range(3):
        ContactFactory(client=duplicate)
    EmailFactory(client=duplicate, address="twice@example.com")
    order(client=duplicate)
    grant(duplicate, registry.NEWSLETTERS)
    return DuplicateFlag.objects.create(
        client=survivor, other=duplicate, reason=DuplicateFlag.Reason.SAME_EMAIL
    )


def _manager(boutique):
    return UserFactory(role=roles.MANAGER, boutiques=[boutique])


def _url(a_flag) -> str:
    return reverse("admin:clienteling_duplicateflag_merge", args=[a_flag.pk])


def _unchanged(a_flag) -> None:
    duplicate = Client.objects.get(pk=a_flag.other_id)
    assert duplicate.status == Client.Status.ACTIVE
    assert ContactEvent.objects.filter(client=duplicate).count() == 3
    assert ClientEmail.objects.filter(client=duplicate).count() == 1
    assert Order.objects.filter(client=duplicate).count() == 1
    assert ConsentDecision.objects.filter(client_id=a_flag.client_id).count() == 0
    a_flag.refresh_from_db()
    assert a_flag.status == DuplicateFlag.Status.OPEN


def test_the_page_names_both_records_and_what_moves_and_a_get_changes_nothing(
    client, paris, flag
):
    client.force_login(_manager(paris))

    response = client.get(_url(flag))

    page = response.text
    assert response.status_code == 200
    survivor, duplicate = flag.client, flag.other
    assert f"Merge {duplicate} into {survivor}" in page
    assert f"Ada Kept, client number {survivor.client_number}" in page
    assert f"Ada Twice, client number {duplicate.client_number}" in page
    assert "home boutique Paris Vendôme" in page
    contacts = ContactEvent._meta.verbose_name_plural
    assert f"3 {contacts}" in page
    assert f"1 {Order._meta.verbose_name}" in page
    assert f"1 {ClientEmail._meta.verbose_name}" in page
    # the consent ledger is evidence: it stays, and is copied over
    assert f"1 {ConsentDecision._meta.verbose_name}" in page
    assert "the consent history is copied to the kept record" in page
    assert "Merge the two records" in page
    _unchanged(flag)


@pytest.mark.parametrize("data", [{}, {"confirm": "no"}])
def test_a_post_without_the_confirmation_merges_nothing(client, paris, flag, data):
    client.force_login(_manager(paris))

    response = client.post(_url(flag), data)

    assert response.status_code == 200
    assert "Nothing was changed." in response.text
    _unchanged(flag)


def test_the_list_action_leads_to_the_page_of_one_flag_and_merges_nothing(
    client, paris, flag
):
    client.force_login(_manager(paris))

    response = client.post(
        reverse("admin:clienteling_duplicateflag_changelist"),
        {"action": "merge_into_first", "_selected_action": [flag.pk]},
    )

    assert response.status_code == 302
    assert response.url == _url(flag)
    _unchanged(flag)


def test_the_confirmation_post_merges_and_moves_everything(client, paris, flag):
    client.force_login(_manager(paris))

    response = client.post(_url(flag), {"confirm": "yes"})

    survivor, duplicate = flag.client, Client.objects.get(pk=flag.other_id)
    assert response.status_code == 302
    assert response.url == reverse(
        "admin:clienteling_client_change", args=[survivor.pk]
    )
    assert (duplicate.status, duplicate.merged_into) == ("merged", survivor)
    assert ContactEvent.objects.filter(client=survivor).count() == 3
    assert Order.objects.filter(client=survivor).count() == 1
    assert ConsentDecision.objects.filter(client=survivor).count() == 1
    flag.refresh_from_db()
    assert flag.status == DuplicateFlag.Status.MERGED


def test_a_settled_flag_offers_no_button_and_merges_nothing_again(client, paris, flag):
    client.force_login(_manager(paris))
    client.post(_url(flag), {"confirm": "yes"})

    again = client.post(_url(flag), {"confirm": "yes"})

    assert "already settled" in again.text
    assert "Merge the two records" not in again.text
    assert Client.objects.get(pk=flag.client_id).status == Client.Status.ACTIVE


def test_an_adviser_cannot_merge_even_in_scope(client, paris, flag):
    client.force_login(adviser(paris))

    assert client.post(_url(flag), {"confirm": "yes"}).status_code == 403
    _unchanged(flag)


def test_staff_without_change_permission_cannot_merge(client, paris, flag):
    viewer = UserFactory(boutiques=[paris])
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_duplicateflag"),
        Permission.objects.get(codename="view_client"),
    )
    client.force_login(viewer)

    assert client.get(_url(flag)).status_code == 403
    assert client.post(_url(flag), {"confirm": "yes"}).status_code == 403
    _unchanged(flag)


def test_a_flag_of_another_boutique_is_404(client, flag):
    client.force_login(_manager(BoutiqueFactory(code="LON-M")))

    assert client.post(_url(flag), {"confirm": "yes"}).status_code == 404
    _unchanged(flag)
