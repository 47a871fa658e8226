"""The client's answer at a sale about emails on similar products."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from consents import registry
from consents.models import ConsentDecision, SoftOptIn, SuppressionEntry
from consents.selectors import outreach_eligibility
from orders import services
from orders.models import Order
from tests.clienteling.factories import EmailFactory
from tests.orders.factories import ClientFactory, order

pytestmark = pytest.mark.django_db

SALE = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def _sold(answer: str, client=None):
    if client is None:
        client = ClientFactory()
        EmailFactory(client=client, address=f"sale{client.pk}@example.com")
    confirmed = order(client=client, status=Order.Status.CONFIRMED)
    Order.objects.filter(pk=confirmed.pk).update(marketing_email=answer)
    confirmed.refresh_from_db()
    invoice = services.invoice_issue(acting_user=None, order=confirmed, now=SALE)
    return client, invoice


def _newsletter_eligibility(client):
    return outreach_eligibility(
        purpose_code=registry.NEWSLETTERS,
        channel="email",
        client_ids=[client.pk],
        now=SALE,
    )


def test_a_sale_where_the_opt_out_was_offered_makes_a_soft_opt_in():
    client, invoice = _sold(Order.MarketingEmail.OFFERED)

    soft = SoftOptIn.objects.get(client=client)
    assert soft.first_sale_at == SALE
    assert soft.sale_reference == invoice.number
    eligibility = _newsletter_eligibility(client)
    assert eligibility.eligible == [client.pk]
    assert eligibility.soft_opt_in == {client.pk}


def test_a_refusal_at_the_sale_is_an_objection_and_suppresses_the_email():
    client, _ = _sold(Order.MarketingEmail.REFUSED)

    objection = ConsentDecision.objects.get(client=client)
    assert objection.decision == ConsentDecision.Decision.OBJECT
    assert objection.purpose.code == registry.NEWSLETTERS
    assert objection.channel == "in_person"
    assert objection.decided_at == SALE
    assert not SoftOptIn.objects.filter(client=client).exists()
    assert SuppressionEntry.objects.filter(kind="email").count() == 1
    assert _newsletter_eligibility(client).eligible == []


def test_a_second_refusal_does_not_repeat_the_objection():
    client, _ = _sold(Order.MarketingEmail.REFUSED)
    _sold(Order.MarketingEmail.REFUSED, client=client)

    assert ConsentDecision.objects.filter(client=client).count() == 1


def test_no_answer_records_nothing():
    client, _ = _sold("")

    assert not SoftOptIn.objects.filter(client=client).exists()
    assert not ConsentDecision.objects.filter(client=client).exists()
    assert _newsletter_eligibility(client).eligible == []


def test_an_unknown_answer_is_refused_when_the_order_is_created():
    client = ClientFactory()

    with pytest.raises(ValidationError) as caught:
        order(client=client, marketing_email="maybe")

    assert "marketing_email" in caught.value.message_dict
    assert not Order.objects.filter(client=client).exists()


def test_offered_is_refused_for_a_client_without_an_email_address():
    client = ClientFactory()

    with pytest.raises(ValidationError) as caught:
        order(client=client, marketing_email=Order.MarketingEmail.OFFERED)

    assert caught.value.message_dict["marketing_email"][0].startswith(
        "The client has no email address"
    )
    assert not Order.objects.filter(client=client).exists()


def test_an_address_removed_before_the_invoice_makes_no_soft_opt_in():
    client = ClientFactory()
    EmailFactory(client=client, address="gone@example.com")
    confirmed = order(
        client=client,
        status=Order.Status.CONFIRMED,
        marketing_email=Order.MarketingEmail.OFFERED,
    )
    client.emails.all().delete()

    services.invoice_issue(acting_user=None, order=confirmed, now=SALE)

    assert not SoftOptIn.objects.filter(client=client).exists()


def test_a_refusal_on_a_distance_sale_is_not_recorded_as_in_person():
    client = ClientFactory()
    EmailFactory(client=client, address="far@example.com")
    confirmed = order(
        client=client,
        status=Order.Status.CONFIRMED,
        channel=Order.Channel.DISTANCE,
        marketing_email=Order.MarketingEmail.REFUSED,
    )

    services.invoice_issue(acting_user=None, order=confirmed, now=SALE)

    assert ConsentDecision.objects.get(client=client).channel == "clienteling_tool"
