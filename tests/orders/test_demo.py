import pytest
from django.core.management import call_command

from clienteling.models import Boutique
from orders.models import (
    AfterSalesCase,
    Complaint,
    Guarantee,
    Invoice,
    Order,
    Payment,
    Product,
)
from tests.orders.factories import ClientFactory, MetalAllergyFactory

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.count()
        for m in (
            Product,
            Order,
            Invoice,
            Payment,
            Guarantee,
            AfterSalesCase,
            Complaint,
        )
    ]


def test_seed_demo_works_with_no_clients():
    call_command("seed_demo")

    assert any("nickel" in p.metals for p in Product.objects.all())
    assert Product.objects.values("collection").distinct().count() >= 3
    assert not Order.objects.exists()


def test_seed_demo_gives_existing_clients_a_history_and_is_idempotent():
    # given demo boutiques and a dozen clients, one allergic to nickel
    call_command("seed_demo")
    paris = Boutique.objects.get(code="PAR-VENDOME")
    london = Boutique.objects.get(code="LON-BOND")
    clients = [
        ClientFactory(home_boutique=paris if i % 3 else london) for i in range(12)
    ]
    MetalAllergyFactory(client=clients[0], metal="nickel")

    # when seeded twice
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")

    # then every client has an order, and nothing was added the second time
    assert _counts() == first
    assert Order.objects.values("client").distinct().count() == 12
    assert Invoice.objects.exists()
    assert Guarantee.objects.exists()
    assert AfterSalesCase.objects.exists()
    assert Complaint.objects.exists()
    assert set(
        Order.objects.filter(boutique=london).values_list("currency", flat=True)
    ) == {"GBP"}
