"""The free-text rule on the write paths people use most, its bounds, and the
health-word flag on logged contacts.

The generated net over every field is tests/privacy/test_free_text_net.py.
"""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.exceptions import ImportRefused
from clienteling.health_mentions import mentions_health
from clienteling.models import ContactEvent, FollowUp, WebEvent
from core.free_text import LONG_TEXT_MAX_LENGTH
from privacy.models import DataSubjectRequest
from privacy.requests import request_extend, request_open
from tests.clienteling.factories import (
    ClientFactory,
    adviser,
    compliance,
    customer_service,
)
from tests.helpers import PAYMENT_NUMBER_VARIANTS, VISA

VARIANTS = [
    pytest.param(kind, text, id=name)
    for name, (kind, text) in PAYMENT_NUMBER_VARIANTS.items()
]
WORDS = {"card_number": "payment card number", "iban": "full IBAN"}


def _log(client, user, **fields):
    return services.contact_log(
        acting_user=user,
        client=client,
        channel=ContactEvent.Channel.PHONE,
        direction=ContactEvent.Direction.INBOUND,
        **{"subject": "Call", "outcome": ContactEvent.Outcome.REACHED, **fields},
    )


# --- Services -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "text"), VARIANTS)
@pytest.mark.parametrize("field", ["summary", "subject"])
def test_contact_log_refuses_payment_numbers_and_writes_nothing(field, kind, text):
    client = ClientFactory()
    user = adviser(client.home_boutique)

    with pytest.raises(ValidationError) as refused:
        _log(client, user, **{field: f"card {text} exp 12/29"})

    messages = refused.value.message_dict[field]
    assert any(WORDS[kind] in m and "must never be written here" in m for m in messages)
    assert not ContactEvent.objects.exists()
    client.refresh_from_db()
    assert client.last_contact_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "text"), VARIANTS)
def test_a_follow_up_note_refuses_payment_numbers(kind, text):
    client = ClientFactory()

    with pytest.raises(ValidationError) as refused:
        services.follow_up_create(
            acting_user=adviser(client.home_boutique),
            client=client,
            due_date=timezone.localdate(),
            note=text,
        )

    assert WORDS[kind] in " ".join(refused.value.message_dict["note"])
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "text"), VARIANTS)
def test_a_data_subject_request_refuses_payment_numbers(kind, text):
    client = ClientFactory()
    officer = compliance()
    request = request_open(
        acting_user=officer,
        client=client,
        kind=DataSubjectRequest.Kind.ACCESS,
        channel=DataSubjectRequest.Channel.EMAIL,
        received_on=timezone.localdate(),
    )

    with pytest.raises(ValidationError) as refused:
        request_extend(acting_user=officer, request=request, months=1, reason=text)

    assert WORDS[kind] in " ".join(refused.value.messages)
    request.refresh_from_db()
    assert request.extension_reason == ""
    assert request.extended_due_on is None


@pytest.mark.django_db
def test_web_events_import_refuses_a_card_number_and_writes_nothing():
    client = ClientFactory()
    rows = [
        {
            "external_id": f"evt-{n}",
            "client_number": client.client_number,
            "kind": WebEvent.Kind.PRODUCT_VIEW,
            "product_reference": reference,
            "occurred_at": timezone.now().isoformat(),
        }
        for n, reference in enumerate(["B4086500", f"x{VISA}"], start=1)
    ]

    with pytest.raises(ImportRefused) as refused:
        services.web_events_import(rows=rows)

    assert refused.value.messages == [
        "Row 2: Product reference holds what looks like a payment card number. "
        "A card number must never be written here: remove it (keep only the "
        "brand and the last four digits, in the payment record)."
    ]
    assert not WebEvent.objects.exists()


# --- Bounds and NUL ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_one_megabyte_summary_is_refused_with_its_length():
    client = ClientFactory()

    with pytest.raises(ValidationError) as refused:
        _log(client, adviser(client.home_boutique), summary="x" * 1_000_000)

    assert refused.value.message_dict["summary"] == [
        f"Summary is 1,000,000 characters long; at most "
        f"{LONG_TEXT_MAX_LENGTH:,} are accepted."
    ]
    assert not ContactEvent.objects.exists()


@pytest.mark.django_db
def test_a_summary_at_the_bound_is_accepted():
    client = ClientFactory()

    event = _log(client, adviser(client.home_boutique), summary="x" * 5000)

    assert len(event.summary) == LONG_TEXT_MAX_LENGTH


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["summary", "subject"])
def test_a_nul_character_is_refused_with_a_clear_message(field):
    client = ClientFactory()

    with pytest.raises(ValidationError) as refused:
        _log(client, adviser(client.home_boutique), **{field: "left\x00right"})

    assert "contains a NUL character" in " ".join(refused.value.message_dict[field])
    assert not ContactEvent.objects.exists()


def test_every_free_text_model_field_bound_is_enforced_without_a_form():
    request = DataSubjectRequest(details="y" * (LONG_TEXT_MAX_LENGTH + 1))

    with pytest.raises(ValidationError) as refused:
        request.clean_fields(exclude=["client", "kind", "channel", "received_on"])

    assert "at most 5,000 are accepted" in refused.value.message_dict["details"][0]


# --- The contact page ----------------------------------------------------------------


def _log_url(client):
    return reverse("admin:clienteling_client_log_contact", args=[client.pk])


def _post(http, client, summary):
    return http.post(
        _log_url(client),
        {
            "channel": ContactEvent.Channel.PHONE,
            "direction": ContactEvent.Direction.INBOUND,
            "outcome": ContactEvent.Outcome.REACHED,
            "subject": "Call",
            "summary": summary,
        },
    )


@pytest.mark.django_db
def test_the_contact_page_refuses_a_card_number_on_the_field(client):
    customer = ClientFactory()
    client.force_login(adviser(customer.home_boutique))

    response = _post(client, customer, "card 4111\u200b1111\u200b1111\u200b1111")

    assert response.status_code == 200
    errors = response.context["contact_form"].errors["summary"]
    assert "payment card number" in errors[0]
    assert "4111" not in response.content.decode().split("errorlist")[1][:400]
    assert not ContactEvent.objects.exists()


@pytest.mark.django_db
def test_the_contact_page_refuses_a_one_megabyte_summary(client):
    customer = ClientFactory()
    client.force_login(adviser(customer.home_boutique))

    response = _post(client, customer, "x" * 1_000_000)

    assert response.status_code == 200
    assert "summary" in response.context["contact_form"].errors
    assert not ContactEvent.objects.exists()


# --- Health words are flagged, not refused --------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "allergic to nickel",
        "Nickel allergy, prefers platinum",
        "mentions eczema on the wrist",
        "Eczéma au poignet",
        "elle est allergique au nickel",
        "Allergie gegen Nickel",
        "contact dermatitis from her old ring",
        "ALLERGY",
    ],
)
def test_health_words_are_spotted(text):
    assert mentions_health(text)


@pytest.mark.parametrize(
    "text",
    ["Wants a nickel-free clasp? asked about platinum", "Gallery opening", ""],
)
def test_ordinary_text_is_not_flagged(text):
    assert not mentions_health(text)


@pytest.mark.django_db
def test_a_health_word_saves_the_contact_and_points_to_the_allergy_record(client):
    customer = ClientFactory()
    client.force_login(adviser(customer.home_boutique))

    response = _post(client, customer, "Client is allergic to nickel")

    # then the contact is saved: a warning, not a refusal
    assert response.status_code == 302
    assert ContactEvent.objects.get().summary == "Client is allergic to nickel"
    warnings = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("seems to mention the client" in w for w in warnings)
    # allergies are recorded on the edit form
    url = reverse("admin:clienteling_client_change", args=[customer.pk])
    assert f'href="{url}#allergies-group">Record an allergy</a>' in "".join(warnings)
    # and the message repeats none of the summary's words
    assert not any("nickel" in w.lower() or "allergic" in w for w in warnings)


@pytest.mark.django_db
def test_without_allergy_access_the_warning_asks_for_the_adviser(client):
    customer = ClientFactory()
    agent = customer_service()
    assert not agent.has_perm("clienteling.add_metalallergy")
    client.force_login(agent)

    response = _post(client, customer, "eczema on the wrist")

    if response.status_code == 403:
        pytest.fail("customer service may log contacts; the page refused")
    warnings = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("ask the client's adviser" in w for w in warnings)
    assert not any("Record an allergy" in w for w in warnings)


@pytest.mark.django_db
def test_a_contact_without_health_words_gets_no_warning(client):
    customer = ClientFactory()
    client.force_login(adviser(customer.home_boutique))

    response = _post(client, customer, "Asked about the new collection")

    assert response.status_code == 302
    assert not any("health" in str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.django_db
def test_the_contact_list_flags_summaries_that_mention_health(client):
    customer = ClientFactory()
    user = adviser(customer.home_boutique)
    _log(customer, user, subject="Visit", summary="eczema on the wrist")
    _log(customer, user, subject="Call", summary="asked about rings")
    client.force_login(user)

    page = client.get(reverse("admin:clienteling_contactevent_changelist"))

    assert page.content.decode().count("⚠ mentions health") == 1
