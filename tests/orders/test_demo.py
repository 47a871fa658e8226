import io

import pytest
from django.core.management import call_command

from clienteling.models import Boutique, Client
from orders import demo
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


def test_orders_demo_works_with_no_clients():
    out = io.StringIO()

    demo.seed(stdout=out)

    assert any("nickel" in p.metals for p in Product.objects.all())
    assert Product.objects.values("collection").distinct().count() >= 3
    assert not Order.objects.exists()
    assert "0 new demo orders" in out.getvalue()


def test_seed_demo_gives_demo_clients_a_history_and_is_idempotent():
    # given the demo boutiques and clients, plus one Paris client allergic
    # to nickel
    call_command("seed_demo")
    MetalAllergyFactory(
        client=ClientFactory(home_boutique=Boutique.objects.get(code="PAR-VENDOME")),
        metal="nickel",
    )
    first = _counts()

    # when seeded again
    call_command("seed_demo")

    # then nothing new was written
    assert _counts() == first
    assert Order.objects.values("client").distinct().count() == min(
        demo.DEMO_CLIENTS, Client.objects.count()
    )
    for model in (Invoice, Payment, Guarantee, AfterSalesCase, Complaint):
        assert model.objects.exists(), model.__name__
    london = Order.objects.filter(boutique__code="LON-BOND")
    assert set(london.values_list("currency", flat=True)) <= {"GBP"}


def test_demo_sales_are_spread_over_the_boutique_sellers():
    # given the demo
    call_command("seed_demo")

    # then the Paris sales are recorded by more than one seller, each of
    # whom works in Paris, and every demo order passes its model checks
    paris = Order.objects.filter(boutique__code="PAR-VENDOME")
    sellers = set(paris.values_list("adviser__username", flat=True))
    assert len(sellers) >= 2, sellers
    for order in paris.select_related("adviser"):
        assert order.adviser.boutiques.filter(code="PAR-VENDOME").exists()
    for order in Order.objects.all():
        order.full_clean()
