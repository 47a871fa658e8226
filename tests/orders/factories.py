from decimal import Decimal

import factory

from clienteling.models import Collection, MetalAllergy
from orders import services
from orders.models import Order, Product
from tests.clienteling.factories import ClientFactory

__all__ = [
    "ClientFactory",
    "CollectionFactory",
    "MetalAllergyFactory",
    "ProductFactory",
    "order",
]


class MetalAllergyFactory(factory.django.DjangoModelFactory):
    """Directly, as the consent gate (consents app) would have allowed it."""

    class Meta:
        model = MetalAllergy

    client = factory.SubFactory(ClientFactory)
    metal = MetalAllergy.Metal.NICKEL
    severity = MetalAllergy.Severity.SEVERE


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Collection {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    reference = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"Bague Exemple {n}")
    collection = factory.SubFactory(CollectionFactory)
    category = Product.Category.RING
    metals = factory.LazyFunction(lambda: ["yellow_gold"])
    price = Decimal("1000.00")
    currency = "EUR"


def order(*, client=None, products=None, acting_user=None, status=None, **kwargs):
    """A draft order through the service, optionally moved to a status."""
    client = client or ClientFactory()
    products = products or [ProductFactory()]
    created = services.order_create(
        acting_user=acting_user,
        client=client,
        boutique=kwargs.pop("boutique", client.home_boutique),
        lines=[services.LineInput(product=p) for p in products],
        allergy_acknowledged=kwargs.pop("allergy_acknowledged", True),
        **kwargs,
    )
    if status in (Order.Status.CONFIRMED, Order.Status.INVOICED):
        services.order_transition(
            acting_user=acting_user, order=created, status=Order.Status.CONFIRMED
        )
    if status == Order.Status.INVOICED:
        services.invoice_issue(acting_user=acting_user, order=created)
        created.refresh_from_db()
    return created
