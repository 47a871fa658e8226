"""A new explicit consent with its evidence lifts the suppression of the
client's addresses, recorded as an event (decision 0073)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consents import conversations, registry, selectors, services
from consents.models import (
    Channel,
    ConsentDecision,
    SuppressionEntry,
    SuppressionEvent,
)
from tests.clienteling.factories import (
    ClientFactory,
    EmailFactory,
    PhoneFactory,
    compliance,
    customer_service,
)
from tests.consents.factories import grant, paper_version

pytestmark = pytest.mark.django_db


def _objected_client():
    """A client who objected to newsletters: email and phone suppressed."""
    customer = ClientFactory()
    EmailFactory(client=customer, address="lea@example.com")
    PhoneFactory(client=customer, number="+33199001234")
    services.consent_record(
        acting_user=None,
        client=customer,
        purpose_code=registry.NEWSLETTERS,
        decision=ConsentDecision.Decision.OBJECT,
        channel=Channel.IN_PERSON,
        now=timezone.now() - timedelta(days=30),
    )
    assert SuppressionEntry.objects.filter(lifted_at__isnull=True).count() == 2
    return customer


def _by_phone(customer, agent, code=registry.NEWSLETTERS):
    return conversations.conversation_consent_record(
        acting_user=agent,
        client=customer,
        channel="phone",
        purpose_codes=[code],
        decision="grant",
        version=paper_version(),
        language="en",
        reference="CALL-42",
    )


def test_a_phone_consent_lifts_the_suppression_and_says_why():
    customer = _objected_client()
    agent = customer_service()

    result = _by_phone(customer, agent)

    row = result.decisions[0]
    assert not SuppressionEntry.objects.filter(lifted_at__isnull=True).exists()
    lifts = SuppressionEvent.objects.filter(action=SuppressionEvent.Action.LIFTED)
    assert lifts.count() == 2
    assert {event.decision for event in lifts} == {row}
    assert {event.by for event in lifts} == {agent}
    eligibility = selectors.outreach_eligibility(
        purpose_code=registry.NEWSLETTERS, channel="email", client_ids=[customer.pk]
    )
    assert eligibility.eligible == [customer.pk]


def test_a_grant_without_evidence_does_not_lift():
    # given a grant keyed in with no form, call or email behind it
    customer = _objected_client()

    grant(customer, registry.NEWSLETTERS, channel=Channel.IN_PERSON)

    assert SuppressionEntry.objects.filter(lifted_at__isnull=True).count() == 2
    assert not SuppressionEvent.objects.filter(action="lifted").exists()


def test_a_soft_opt_in_does_not_lift():
    customer = _objected_client()

    services.soft_opt_in_record(
        acting_user=None,
        client=customer,
        sale_at=timezone.now(),
        sale_reference="ORD-1",
        opt_out_offered=True,
    )

    assert SuppressionEntry.objects.filter(lifted_at__isnull=True).count() == 2
    assert not SuppressionEvent.objects.filter(action="lifted").exists()


def test_a_consent_to_a_purpose_that_is_not_marketing_does_not_lift():
    customer = _objected_client()

    _by_phone(customer, customer_service(), code="cross_group_intelligence")

    assert SuppressionEntry.objects.filter(lifted_at__isnull=True).count() == 2


def test_a_grant_dated_before_the_suppression_does_not_lift_it():
    customer = _objected_client()
    wording = paper_version().wordings.get(purpose__code=registry.EVENTS, language="en")
    submission_less_web_grant = services.consent_record(
        acting_user=None,
        client=customer,
        purpose_code=registry.EVENTS,
        decision=ConsentDecision.Decision.GRANT,
        channel=Channel.WEBSITE,
        wording=wording,
        ip_address="192.0.2.1",
        now=timezone.now() - timedelta(days=60),
    )

    assert submission_less_web_grant.pk
    assert SuppressionEntry.objects.filter(lifted_at__isnull=True).count() == 2


def test_a_new_objection_suppresses_a_lifted_address_again():
    customer = _objected_client()
    _by_phone(customer, customer_service())

    services.consent_record(
        acting_user=None,
        client=customer,
        purpose_code=registry.NEWSLETTERS,
        decision=ConsentDecision.Decision.OBJECT,
        channel=Channel.PHONE,
    )

    assert SuppressionEntry.objects.filter(lifted_at__isnull=True).count() == 2
    entry = SuppressionEntry.objects.get(kind="email")
    assert list(entry.events.order_by("pk").values_list("action", flat=True)) == [
        "added",
        "lifted",
        "added",
    ]


def test_the_suppression_admin_shows_lifted_entries_and_why(client):
    customer = _objected_client()
    _by_phone(customer, customer_service(username="agent.smith"))
    client.force_login(compliance())

    listing = client.get(
        reverse("admin:consents_suppressionentry_changelist") + "?status=lifted"
    )
    entry = SuppressionEntry.objects.get(kind="email")
    page = client.get(
        reverse("admin:consents_suppressionentry_change", args=[entry.pk])
    )

    assert listing.status_code == 200
    assert entry.digest[:16] in listing.text
    assert page.status_code == 200
    assert "lifted by agent.smith" in page.text
    decision = ConsentDecision.objects.get(decision="grant")
    assert (
        reverse("admin:consents_consentdecision_change", args=[decision.pk])
        in page.text
    )
    in_force = client.get(
        reverse("admin:consents_suppressionentry_changelist") + "?status=in_force"
    )
    assert entry.digest[:16] not in in_force.text
