from decimal import Decimal

import factory
from django.utils import timezone

from orders import services
from orders.models import (
    AfterSalesCase,
    Complaint,
    Guarantee,
    Invoice,
    Order,
    Payment,
    Product,
)
from tests.clienteling.factories import (
    ClientFactory,
    CollectionFactory,
    MetalAllergyFactory,
)

__all__ = [
    "AfterSalesCaseFactory",
    "ClientFactory",
    "CollectionFactory",
    "ComplaintFactory",
    "GuaranteeFactory",
    "InvoiceFactory",
    "MetalAllergyFactory",
    "OrderFactory",
    "PaymentFactory",
    "ProductFactory",
    "order",
]


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


class OrderFactory(factory.django.DjangoModelFactory):
    """A draft order of one product, through order_create."""

    class Meta:
        model = Order

    client = factory.SubFactory(ClientFactory)

    @classmethod
    def _create(cls, model_class, *, client, **kwargs):
        return order(client=client, **kwargs)


class InvoiceFactory(factory.django.DjangoModelFactory):
    """The invoice of a one-line order, through invoice_issue."""

    class Meta:
        model = Invoice

    client = factory.SubFactory(ClientFactory)

    @classmethod
    def _create(cls, model_class, *, client, **kwargs):
        invoiced = order(client=client, status=Order.Status.INVOICED)
        return invoiced.invoices.get()


class GuaranteeFactory(factory.django.DjangoModelFactory):
    """Registered by invoicing, as in the boutique."""

    class Meta:
        model = Guarantee

    client = factory.SubFactory(ClientFactory)

    @classmethod
    def _create(cls, model_class, *, client, **kwargs):
        invoiced = order(client=client, status=Order.Status.INVOICED)
        return Guarantee.objects.get(order_line__order=invoiced)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory, status=Order.Status.CONFIRMED)
    method = Payment.Method.BANK_TRANSFER
    amount = Decimal("1000.00")
    currency = "EUR"
    received_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.payment_record(acting_user=None, **kwargs)


class AfterSalesCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AfterSalesCase

    client = factory.SubFactory(ClientFactory)
    boutique = factory.SelfAttribute("client.home_boutique")
    kind = AfterSalesCase.Kind.RESIZING
    piece_description = "Yellow-gold ring, size 52 to 54"

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.case_open(acting_user=None, **kwargs)


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    client = factory.SubFactory(ClientFactory)
    channel = Complaint.Channel.PHONE
    category = Complaint.Category.DELIVERY
    description = "The parcel arrived two weeks late."

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.complaint_open(acting_user=None, **kwargs)
