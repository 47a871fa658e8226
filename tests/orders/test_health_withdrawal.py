"""Withdrawing allergy-aware service erases the allergy confirmations on
orders too, history rows included (they reveal the allergy)."""

import pytest

from consents import registry
from consents import services as consent_services
from orders import services
from orders.models import Order
from tests.clienteling.factories import UserFactory
from tests.consents.factories import grant
from tests.orders.factories import ClientFactory, MetalAllergyFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _confirmed_order(client):
    MetalAllergyFactory(client=client, metal="nickel")
    order = services.order_create(
        acting_user=UserFactory(),
        client=client,
        boutique=client.home_boutique,
        lines=[services.LineInput(product=ProductFactory(metals=["nickel"]))],
        allergy_acknowledged=True,
    )
    services.order_save(acting_user=None, order=order)  # one more history row
    return order


def test_withdrawal_blanks_the_confirmation_in_the_order_and_its_history():
    client, other = ClientFactory(), ClientFactory()
    for someone in (client, other):
        grant(someone, registry.ALLERGY_AWARE_SERVICE)
    order, kept = _confirmed_order(client), _confirmed_order(other)
    assert order.history.exclude(allergy_acknowledged_at=None).count() >= 2

    consent_services.consent_withdraw(
        acting_user=None,
        client=client,
        purpose_code=registry.ALLERGY_AWARE_SERVICE,
        channel="in_person",
    )

    order.refresh_from_db()
    assert (order.allergy_acknowledged_at, order.allergy_acknowledged_by) == (
        None,
        None,
    )
    history = Order.history.filter(client_id=client.pk)
    assert history.exists()
    assert not history.exclude(
        allergy_acknowledged_at=None, allergy_acknowledged_by=None
    ).exists()
    # The other client's consent stands, and so does their confirmation.
    kept.refresh_from_db()
    assert kept.allergy_acknowledged_at is not None
    assert kept.history.exclude(allergy_acknowledged_at=None).exists()
