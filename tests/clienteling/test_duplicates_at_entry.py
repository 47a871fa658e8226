"""Issue 14: an email or phone typed at entry that another client holds."""

import pytest
from django.urls import reverse

from clienteling.models import Client, DuplicateFlag
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    EmailFactory,
    PhoneFactory,
    adviser,
)
from tests.helpers import form_data

pytestmark = pytest.mark.django_db

ADD = "admin:clienteling_client_add"


def _change(client):
    return reverse("admin:clienteling_client_change", args=[client.pk])


def _add_page_data(client, boutique, **rows) -> dict:
    """The add form as a browser would post it: a name, the home boutique,
    then the email and phone rows given."""
    page = client.get(reverse(ADD))
    assert page.status_code == 200
    data = form_data(page.text, "client_form")
    data.update(
        {
            "first_name": "Alicia",
            "last_name": "Rossi-Martin",
            "home_boutique": str(boutique.pk),
            "preferred_language": "fr",
        }
    )
    if "email" in rows:
        data.update(
            {
                "emails-TOTAL_FORMS": "1",
                "emails-0-address": rows["email"],
                "emails-0-is_primary": "on",
            }
        )
    if "phone" in rows:
        data.update(
            {
                "phones-TOTAL_FORMS": "1",
                "phones-0-kind": "mobile",
                "phones-0-number": rows["phone"],
                "phones-0-is_primary": "on",
            }
        )
    return data


def _top_errors(response) -> list[str]:
    return [str(e) for e in response.context["adminform"].form.non_field_errors()]


def test_a_duplicate_email_is_refused_naming_the_client_with_a_link(client):
    boutique = BoutiqueFactory()
    alice = ClientFactory(
        home_boutique=boutique,
        first_name="Alice",
        last_name="Rossi",
        client_number="DEMO-0024",
    )
    EmailFactory(client=alice, address="alice.rossi@example.com")
    client.force_login(adviser(boutique))
    before = Client.objects.count()

    data = _add_page_data(client, boutique, email="Alice.Rossi@Example.com")
    response = client.post(reverse(ADD), data)

    assert response.status_code == 200
    card = reverse("admin:clienteling_client_card", args=[alice.pk])
    [message] = _top_errors(response)
    assert message.startswith("This email belongs to Alice Rossi (DEMO-0024): ")
    assert f'href="{card}"' in message
    assert "open the record?" in message
    assert f'href="{card}"' in response.text
    assert "Create anyway (they are different people)" in response.text
    # nothing written, everything typed kept
    assert Client.objects.count() == before
    assert not DuplicateFlag.objects.exists()
    assert 'value="Alice.Rossi@Example.com"' in response.text
    assert 'value="Rossi-Martin"' in response.text


def test_with_the_box_ticked_the_client_is_created_and_flagged(client):
    boutique = BoutiqueFactory()
    alice = ClientFactory(home_boutique=boutique)
    EmailFactory(client=alice, address="alice.rossi@example.com")
    client.force_login(adviser(boutique))

    data = _add_page_data(client, boutique, email="alice.rossi@example.com")
    data["duplicate_confirmed"] = "on"
    response = client.post(reverse(ADD), data)

    assert response.status_code == 302
    created = Client.objects.get(last_name="Rossi-Martin")
    assert created.emails.get().address == "alice.rossi@example.com"
    flag = DuplicateFlag.objects.get()
    assert (flag.client_id, flag.other_id) == (alice.pk, created.pk)
    assert flag.reason == DuplicateFlag.Reason.SAME_EMAIL
    assert flag.status == DuplicateFlag.Status.OPEN


def test_another_boutiques_client_is_not_named(client):
    paris, london = BoutiqueFactory(), BoutiqueFactory()
    theirs = ClientFactory(home_boutique=london, first_name="Alice", last_name="Rossi")
    EmailFactory(client=theirs, address="alice.rossi@example.com")
    client.force_login(adviser(paris))

    data = _add_page_data(client, paris, email="alice.rossi@example.com")
    response = client.post(reverse(ADD), data)

    assert response.status_code == 200
    assert _top_errors(response) == [
        "This email belongs to a client of another boutique."
    ]
    assert "Rossi (" not in response.text
    assert theirs.client_number not in response.text
    assert reverse("admin:clienteling_client_card", args=[theirs.pk]) not in (
        response.text
    )
    assert not Client.objects.filter(last_name="Rossi-Martin").exists()


def test_a_phone_typed_in_another_format_is_caught(client):
    boutique = BoutiqueFactory()
    bob = ClientFactory(home_boutique=boutique, first_name="Bob", last_name="Lenoir")
    PhoneFactory(client=bob, number="+33612345678")
    client.force_login(adviser(boutique))

    data = _add_page_data(client, boutique, phone="06 12 34 56 78")
    response = client.post(reverse(ADD), data)

    assert response.status_code == 200
    [message] = _top_errors(response)
    assert message.startswith(
        f"This phone number belongs to Bob Lenoir ({bob.client_number}): "
    )
    assert 'value="06 12 34 56 78"' in response.text
    assert not Client.objects.filter(last_name="Rossi-Martin").exists()


def test_editing_a_client_keeping_its_own_email_is_not_a_duplicate(client):
    boutique = BoutiqueFactory()
    alice = ClientFactory(home_boutique=boutique)
    EmailFactory(client=alice, address="alice@example.com")
    PhoneFactory(client=alice, number="+33612345678")
    client.force_login(adviser(boutique))
    page = client.get(_change(alice))
    data = form_data(page.text, "client_form")
    data["last_name"] = "Rossi"
    # the same email retyped in capitals is not someone else's either
    data["emails-0-address"] = "ALICE@example.com"

    response = client.post(_change(alice), data)

    assert response.status_code == 302, _top_errors(response)
    alice.refresh_from_db()
    assert alice.last_name == "Rossi"
    assert not DuplicateFlag.objects.exists()


def test_changing_an_email_to_another_clients_is_refused_then_saved_anyway(client):
    boutique = BoutiqueFactory()
    alice = ClientFactory(home_boutique=boutique, first_name="Alice")
    EmailFactory(client=alice, address="alice@example.com")
    other = ClientFactory(home_boutique=boutique)
    EmailFactory(client=other, address="other@example.com")
    client.force_login(adviser(boutique))
    page = client.get(_change(other))
    data = form_data(page.text, "client_form")
    data["emails-0-address"] = "alice@example.com"

    refused = client.post(_change(other), data)

    assert refused.status_code == 200
    [message] = _top_errors(refused)
    assert message.startswith(f"This email belongs to {alice}: ")
    assert "Save anyway (they are different people)" in refused.text
    assert other.emails.get().address == "other@example.com"

    data["duplicate_confirmed"] = "on"
    saved = client.post(_change(other), data)

    assert saved.status_code == 302
    assert other.emails.get().address == "alice@example.com"
    assert DuplicateFlag.objects.filter(
        client=alice, other=other, reason="same_email"
    ).exists()


def test_a_client_that_already_shares_a_phone_may_still_be_edited(client):
    # flagged earlier (nightly): an unrelated edit is not stopped again
    boutique = BoutiqueFactory()
    first, second = ClientFactory.create_batch(2, home_boutique=boutique)
    PhoneFactory(client=first, number="+33612345678")
    PhoneFactory(client=second, number="+33612345678")
    client.force_login(adviser(boutique))
    page = client.get(_change(second))
    data = form_data(page.text, "client_form")
    data["first_name"] = "Renamed"

    response = client.post(_change(second), data)

    assert response.status_code == 302, _top_errors(response)


def test_merged_records_are_not_duplicates(client):
    boutique = BoutiqueFactory()
    survivor = ClientFactory(home_boutique=boutique)
    merged = ClientFactory(
        home_boutique=boutique, status="merged", merged_into=survivor
    )
    EmailFactory(client=merged, address="old@example.com")
    client.force_login(adviser(boutique))

    data = _add_page_data(client, boutique, email="old@example.com")
    response = client.post(reverse(ADD), data)

    assert response.status_code == 302
    assert not DuplicateFlag.objects.exists()
