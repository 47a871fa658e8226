"""The outcome of a contact: required for a call, filtered and counted."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clienteling import services
from clienteling.models import ContactEvent
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    ContactEventFactory,
    adviser,
)

pytestmark = pytest.mark.django_db

CONTACTS = reverse("admin:clienteling_contactevent_changelist")


def _log_url(client):
    return reverse("admin:clienteling_client_log_contact", args=[client.pk])


def test_a_call_without_outcome_is_refused_naming_the_field():
    target = ClientFactory()

    with pytest.raises(ValidationError) as refused:
        services.contact_log(
            acting_user=None,
            client=target,
            channel=ContactEvent.Channel.PHONE,
            direction=ContactEvent.Direction.OUTBOUND,
            subject="Ring ready",
        )

    assert "outcome" in refused.value.message_dict
    assert "phone call" in refused.value.message_dict["outcome"][0]
    assert not ContactEvent.objects.exists()


def test_an_email_needs_no_outcome_and_a_call_keeps_its_own():
    target = ClientFactory()

    email = services.contact_log(
        acting_user=None,
        client=target,
        channel=ContactEvent.Channel.EMAIL,
        direction=ContactEvent.Direction.OUTBOUND,
        subject="Catalogue",
    )
    call = services.contact_log(
        acting_user=None,
        client=target,
        channel=ContactEvent.Channel.PHONE,
        direction=ContactEvent.Direction.OUTBOUND,
        subject="Ring ready",
        outcome=ContactEvent.Outcome.VOICEMAIL,
    )

    assert email.outcome == ""
    assert ContactEvent.objects.get(pk=call.pk).outcome == "voicemail"


def test_log_contact_form_without_outcome_keeps_what_was_typed_and_writes_nothing(
    client,
):
    boutique = BoutiqueFactory()
    target = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))

    response = client.post(
        _log_url(target),
        {
            "channel": "phone",
            "direction": "outbound",
            "subject": "Resizing ready for collection",
            "summary": "Asked for Thursday",
        },
    )

    assert response.status_code == 200
    form = response.context["contact_form"]
    assert "outcome" in form.errors
    assert "phone call" in form.errors["outcome"][0]
    assert 'value="Resizing ready for collection"' in response.text
    assert "Asked for Thursday" in response.text
    assert not ContactEvent.objects.exists()


def test_the_outcome_is_on_the_timeline(client):
    boutique = BoutiqueFactory()
    target = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))

    client.post(
        _log_url(target),
        {
            "channel": "phone",
            "direction": "outbound",
            "outcome": "call_back",
            "subject": "Engagement ring",
        },
    )
    page = client.get(reverse("admin:clienteling_client_card", args=[target.pk]))

    assert "Asked to be called back" in page.text


def test_contact_history_filters_and_counts_outcomes(client):
    # given three calls and an email in the adviser's boutique, one call
    # elsewhere
    boutique = BoutiqueFactory()
    mine = ClientFactory(home_boutique=boutique)
    for outcome in ("voicemail", "voicemail", "reached"):
        ContactEventFactory(client=mine, outcome=outcome)
    ContactEventFactory(client=mine, channel="email", outcome="")
    ContactEventFactory(outcome="voicemail")
    client.force_login(adviser(boutique))

    # when
    everything = client.get(CONTACTS)
    voicemails = client.get(CONTACTS, {"outcome": "voicemail"})

    # then the filter counts the contacts of the user's scope
    assert everything.status_code == 200
    assert "Left a voicemail (2)" in everything.text
    assert "Reached the client (1)" in everything.text
    assert "Not recorded (1)" in everything.text
    assert "All (4)" in everything.text
    assert voicemails.context["cl"].result_count == 2
    # and the other filters narrow the counts
    emails = client.get(CONTACTS, {"channel__exact": "email"})
    assert "Left a voicemail (0)" in emails.text
