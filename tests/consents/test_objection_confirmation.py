"""Recording an objection goes through a confirmation page naming the
purpose, the channel and what stops; only its POST records it."""

import pytest
from django.urls import reverse

from consents import registry
from consents.models import ConsentDecision, Purpose, SuppressionEntry
from tests.clienteling.factories import BoutiqueFactory, EmailFactory, adviser
from tests.consents.factories import ClientFactory, grant

pytestmark = pytest.mark.django_db

FRAUD = "fraud_counterfeiting"  # a legal purpose no one can object to


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR-O")


@pytest.fixture
def customer(paris):
    person = ClientFactory(home_boutique=paris, first_name="Ada", last_name="Nope")
    EmailFactory(client=person, address="nope@example.com")
    grant(person, registry.NEWSLETTERS)
    return person


def _withdraw_url(person) -> str:
    return reverse("admin:consents_withdraw", args=[person.pk])


def _object_url(person) -> str:
    return reverse("admin:consents_object", args=[person.pk])


def _nothing_written(person) -> None:
    assert list(
        ConsentDecision.objects.filter(client=person).values_list("decision", flat=True)
    ) == ["grant"]
    assert not SuppressionEntry.objects.exists()


def test_the_panel_button_shows_the_confirmation_and_records_nothing(
    client, paris, customer
):
    client.force_login(adviser(paris))

    response = client.post(
        _withdraw_url(customer),
        {"purpose": registry.NEWSLETTERS, "decision": "object", "channel": "phone"},
    )

    page = response.text
    newsletters = Purpose.objects.get(code=registry.NEWSLETTERS)
    assert response.status_code == 200
    assert f"Record an objection for {customer}" in page
    assert f"Purpose: {newsletters.name}" in page
    assert "How the client told you: Phone" in page
    assert "go on the suppression list" in page
    assert "Record the objection" in page
    # the confirmation posts the channel chosen on the panel back
    assert 'name="channel" value="phone"' in page
    assert 'name="decision" value="object"' in page
    _nothing_written(customer)


def test_a_get_of_the_page_records_nothing(client, paris, customer):
    client.force_login(adviser(paris))

    response = client.get(
        _object_url(customer), {"purpose": registry.NEWSLETTERS, "channel": "email"}
    )

    assert response.status_code == 200
    assert "How the client told you: Email" in response.text
    _nothing_written(customer)


def test_the_confirmation_post_records_the_objection(client, paris, customer):
    client.force_login(adviser(paris))
    back = reverse("admin:consents_client", args=[customer.pk])

    response = client.post(
        _object_url(customer),
        {
            "purpose": registry.NEWSLETTERS,
            "channel": "phone",
            "next": back,
            "confirm": "yes",
        },
    )

    assert response.status_code == 302
    assert response.url == back
    latest = ConsentDecision.objects.filter(client=customer).latest("id")
    assert (latest.decision, latest.channel) == ("object", "phone")
    assert SuppressionEntry.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"purpose": "no-such-purpose"}, "this one is unknown"),
        ({"purpose": FRAUD}, "The client cannot object to"),
        (
            {"purpose": registry.NEWSLETTERS, "channel": "carrier-pigeon"},
            "Choose how the client told you",
        ),
    ],
)
def test_a_bad_objection_is_refused_with_a_message_and_no_button(
    client, paris, customer, data, message
):
    client.force_login(adviser(paris))

    response = client.post(_object_url(customer), {**data, "confirm": "yes"})

    assert response.status_code == 200
    assert message in response.text
    assert "Record the objection" not in response.text
    _nothing_written(customer)


def test_an_objection_for_another_boutiques_client_is_404(client, customer):
    client.force_login(adviser(BoutiqueFactory(code="LON-O")))

    response = client.post(
        _object_url(customer),
        {"purpose": registry.NEWSLETTERS, "channel": "phone", "confirm": "yes"},
    )

    assert response.status_code == 404
    _nothing_written(customer)


def test_a_foreign_next_address_is_not_followed(client, paris, customer):
    client.force_login(adviser(paris))

    response = client.post(
        _object_url(customer),
        {
            "purpose": registry.NEWSLETTERS,
            "next": "https://evil.example.com/",
            "confirm": "yes",
        },
    )

    assert response.status_code == 302
    assert "evil" not in response.url
