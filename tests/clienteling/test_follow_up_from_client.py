"""Follow-ups the clienteling way: from the client, done with an outcome."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.models import ContactPreference, FollowUp
from core import hooks
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    FollowUpFactory,
    adviser,
)

pytestmark = pytest.mark.django_db

ADD = reverse("admin:clienteling_followup_add")
LIST = reverse("admin:clienteling_followup_changelist")
RESTRICTED = "Processing of this client is restricted (GDPR Art. 18)."


def _restricted(client):
    def gate(candidate):
        if candidate.pk == client.pk:
            raise ValidationError(RESTRICTED)

    return hooks.override("edit_gate", gate)


def _client_page(client):
    # The client's page is the card (the edit form no longer shows the 360).
    return reverse("admin:clienteling_client_card", args=[client.pk])


def test_client_page_offers_a_follow_up_with_the_client_prefilled(client):
    # given an adviser on a client's page
    boutique = BoutiqueFactory()
    me = adviser(boutique)
    target = ClientFactory(
        home_boutique=boutique, first_name="Alice", last_name="Rossi"
    )
    client.force_login(me)

    page = client.get(_client_page(target))
    add_url = f"{ADD}?client={target.pk}"
    assert add_url in page.text

    # when the add form opens from the link
    form_page = client.get(add_url)

    # then the client is named, read-only, and the adviser is me
    assert form_page.status_code == 200
    assert "Alice Rossi" in form_page.text
    assert 'name="client"' not in form_page.text
    form = form_page.context["adminform"].form
    assert form.initial["adviser"] == me.pk

    # and saving creates the follow-up for that client, back on their page
    response = client.post(
        add_url,
        {
            "adviser": me.pk,
            "due_date": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
            "reason": "manual",
            "note": "Call about the engraving",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(_client_page(target))
    created = FollowUp.objects.get()
    assert (created.client, created.adviser, created.note) == (
        target,
        me,
        "Call about the engraving",
    )


def test_prefill_of_a_client_out_of_scope_is_ignored(client):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))
    theirs = ClientFactory(first_name="Hidden", last_name="Person")

    page = client.get(f"{ADD}?client={theirs.pk}")

    assert page.status_code == 200
    assert "Hidden Person" not in page.text
    assert 'name="client"' in page.text


def test_follow_up_for_a_restricted_client_is_refused_and_not_written(client):
    boutique = BoutiqueFactory()
    me = adviser(boutique)
    target = ClientFactory(
        home_boutique=boutique, first_name="Alice", last_name="Rossi"
    )
    client.force_login(me)

    with _restricted(target):
        page = client.get(_client_page(target))
        response = client.post(
            f"{ADD}?client={target.pk}",
            {
                "adviser": me.pk,
                "due_date": timezone.localdate().isoformat(),
                "reason": "manual",
                "note": "Call about the engraving",
            },
        )

    assert f"{ADD}?client={target.pk}" not in page.text
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == [f"Client Alice Rossi: {RESTRICTED}"]
    assert "Call about the engraving" in response.text
    assert not FollowUp.objects.exists()


def test_the_service_refuses_a_restricted_client_naming_the_field():
    target = ClientFactory()

    with _restricted(target), pytest.raises(ValidationError) as refused:
        services.follow_up_create(
            acting_user=None, client=target, due_date=timezone.localdate()
        )

    assert refused.value.message_dict == {"client": [RESTRICTED]}
    assert not FollowUp.objects.exists()


def test_list_links_to_the_client_and_shows_the_preferred_channel(client):
    boutique = BoutiqueFactory()
    target = ClientFactory(
        home_boutique=boutique, first_name="Alice", last_name="Rossi"
    )
    ContactPreference.objects.create(client=target, channel="phone")
    FollowUpFactory(client=target)
    client.force_login(adviser(boutique))

    page = client.get(LIST)

    assert f'<a href="{_client_page(target)}">Alice Rossi</a>' in page.text
    assert "Phone" in page.text


def test_done_from_the_list_needs_an_outcome(client):
    # given an open follow-up in the list
    boutique = BoutiqueFactory()
    follow_up = FollowUpFactory(client=ClientFactory(home_boutique=boutique))
    client.force_login(adviser(boutique))
    rows = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(follow_up.pk),
        "_save": "Save",
    }

    # when marked done without an outcome: refused, nothing written
    refused = client.post(
        LIST, {**rows, "form-0-status": "done", "form-0-done_outcome": ""}
    )
    assert refused.status_code == 200
    assert "Choose the outcome" in refused.text
    follow_up.refresh_from_db()
    assert follow_up.status == "open"

    # when an outcome is chosen: done, with when
    done = client.post(
        LIST, {**rows, "form-0-status": "open", "form-0-done_outcome": "reached"}
    )
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.done_outcome) == ("done", "reached")
    assert follow_up.done_at is not None


def test_done_in_one_tap_from_the_client_page(client):
    boutique = BoutiqueFactory()
    target = ClientFactory(home_boutique=boutique)
    follow_up = FollowUpFactory(client=target)
    client.force_login(adviser(boutique))
    url = reverse("admin:clienteling_followup_done", args=[follow_up.pk])

    page = client.get(_client_page(target))
    assert url in page.text
    missing = client.post(url, {"next": _client_page(target)}, follow=True)
    follow_up.refresh_from_db()
    assert follow_up.status == "open"
    assert "Outcome: choose" in missing.text

    response = client.post(
        url, {"done_outcome": "appointment_booked", "next": _client_page(target)}
    )

    assert response.status_code == 302
    assert response["Location"] == _client_page(target)
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.done_outcome) == ("done", "appointment_booked")


def test_done_view_is_scoped(client):
    follow_up = FollowUpFactory()
    client.force_login(adviser(BoutiqueFactory()))

    response = client.post(
        reverse("admin:clienteling_followup_done", args=[follow_up.pk]),
        {"done_outcome": "reached"},
    )

    assert response.status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.status == "open"
