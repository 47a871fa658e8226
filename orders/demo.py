"""Demo records for orders: a catalogue, and orders, invoices, payments,
guarantees, after-sales cases and complaints for the demo clients.

Fictional data only. Called by `manage.py seed_demo` after clienteling's
demo; works with whatever clients exist (none included) and is idempotent:
a client who already has an order is left alone.
"""

from decimal import Decimal

from django.db import transaction

from clienteling.models import Client, Collection, MetalAllergy, User
from orders import selectors, services
from orders.models import Order, Product

DEMO_CLIENTS = 40

# Each row: reference, name, collection, category, metals, stones, price and
# currency. Nickel appears in white gold alloys and silver, as in real life.
PRODUCTS = [
    ("LV-R-001", "Bague Lumière", "Lumière Vendôme", "ring",
     ["white_gold", "nickel", "rhodium"], "Diamond 0.5 ct", "6800.00", "EUR"),
    ("LV-N-002", "Collier Lumière", "Lumière Vendôme", "necklace",
     ["white_gold", "nickel"], "Diamonds", "12400.00", "EUR"),
    ("AO-R-010", "Bague Abeille", "Abeille d'Or", "ring",
     ["yellow_gold"], "", "2900.00", "EUR"),
    ("AO-E-011", "Boucles Abeille", "Abeille d'Or", "earrings",
     ["yellow_gold", "copper"], "Sapphires", "3400.00", "EUR"),
    ("TU-B-020", "Bracelet Trait d'Union", "Trait d'Union", "bracelet",
     ["platinum"], "", "8900.00", "EUR"),
    ("TU-P-021", "Pendentif Trait d'Union", "Trait d'Union", "pendant",
     ["silver", "nickel"], "", "950.00", "EUR"),
    ("LV-R-101", "Lumière Ring", "Lumière Vendôme", "ring",
     ["white_gold", "nickel", "rhodium"], "Diamond 0.5 ct", "5900.00", "GBP"),
    ("AO-R-110", "Abeille Ring", "Abeille d'Or", "ring",
     ["yellow_gold"], "", "2500.00", "GBP"),
    ("TU-B-120", "Trait d'Union Bracelet", "Trait d'Union", "bracelet",
     ["platinum"], "", "7700.00", "GBP"),
]  # fmt: skip


def _catalogue() -> dict[str, list[Product]]:
    by_currency: dict[str, list[Product]] = {}
    for ref, name, collection, category, metals, stones, price, currency in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            reference=ref,
            defaults={
                "name": name,
                "collection": Collection.objects.get_or_create(name=collection)[0],
                "category": category,
                "metals": metals,
                "stones": stones,
                "price": Decimal(price),
                "currency": currency,
            },
        )
        by_currency.setdefault(product.currency, []).append(product)
    return by_currency


def _sellers() -> dict[int, User]:
    """The demo adviser (or manager) of each boutique, by boutique id."""
    sellers: dict[int, User] = {}
    for user in User.objects.filter(
        username__in=["manager", "adviser", "adviser.london"]
    ).order_by("username"):
        for boutique_id in user.boutiques.values_list("id", flat=True):
            sellers[boutique_id] = user
    return sellers


@transaction.atomic
def seed(*, stdout) -> None:
    catalogue = _catalogue()
    sellers = _sellers()
    # The same first clients every run; those who already have an order
    # are skipped, so a second run adds nothing.
    first = Client.objects.active().order_by("id").values("id")[:DEMO_CLIENTS]
    clients = list(
        Client.objects.filter(id__in=first, orders__isnull=True)
        .select_related("home_boutique")
        .order_by("id")
    )
    created = 0
    for index, client in enumerate(clients):
        currency = "GBP" if client.home_boutique.country == "GB" else "EUR"
        products = catalogue[currency]
        piece = products[index % len(products)]
        seller = sellers.get(client.home_boutique_id)
        conflicts = selectors.allergy_conflicts(client_id=client.pk, products=[piece])
        order = services.order_create(
            acting_user=seller,
            client=client,
            boutique=client.home_boutique,
            currency=currency,
            lines=[
                services.LineInput(
                    product=piece,
                    ring_size="52" if piece.category == "ring" else "",
                    serial_number=f"SN-{piece.reference}-{client.pk:05d}",
                )
            ],
            # The demo adviser discussed it; the order records who confirmed.
            allergy_acknowledged=bool(conflicts),
            # Asked at the sale: most accept emails on similar products
            # (soft opt-in), some refuse (an objection), some were not asked.
            marketing_email=("offered", "offered", "refused", "")[index % 4],
        )
        created += 1
        if index % 4 == 3:
            continue  # left as a draft
        services.order_transition(
            acting_user=seller, order=order, status=Order.Status.CONFIRMED
        )
        invoice = services.invoice_issue(acting_user=seller, order=order)
        services.payment_record(
            acting_user=seller,
            order=order,
            method="card",
            amount=invoice.total,
            currency=currency,
            provider_reference=f"tok_demo_{order.number.lower()}",
            card_brand="visa",
            card_last4="4242",
            card_expiry_month=12,
            card_expiry_year=2030,
        )
        if index % 5 == 0:
            services.case_open(
                acting_user=seller,
                client=client,
                boutique=client.home_boutique,
                kind="resizing" if piece.category == "ring" else "cleaning",
                piece_description=str(piece),
                guarantee=order.lines.get().guarantees.get(),
            )
        if index % 7 == 1:
            services.complaint_open(
                acting_user=seller,
                client=client,
                channel="email",
                category="delivery",
                description="The gift box arrived damaged (demo).",
                boutique=client.home_boutique,
                order=order,
            )
    allergic = MetalAllergy.objects.filter(metal="nickel").count()
    stdout.write(
        f"Orders: {Product.objects.count()} products, {created} new demo orders "
        f"({allergic} clients with a nickel allergy on record)."
    )
