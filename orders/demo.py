"""Demo records for orders: a catalogue, and orders, invoices, payments,
guarantees, after-sales cases and complaints for the demo clients.

Fictional data only. Called by `manage.py seed_demo` after clienteling's
demo; works with whatever clients exist (none included) and is idempotent:
a client who already has an order is left alone. Orders end in every state
(draft, confirmed, invoiced, delivered, returned with a credit note,
cancelled); after-sales cases at each step; complaints open and resolved
(an open complaint is a legal hold on erasure).
"""

from decimal import Decimal

from django.db import transaction

from clienteling.models import Client, Collection, MetalAllergy, User
from core import roles
from orders import selectors, services
from orders.models import Order, Product

DEMO_CLIENTS = 40
# After-sales cases move along their lifecycle, each by its number of steps.
CASE_PROGRESS = ["in_workshop", "ready", "returned"]
CASE_STEPS = (0, 1, 3, 0, 2, 3, 1)

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


def _sellers() -> dict[int, list[User]]:
    """The demo staff who sell in each boutique (its advisers and its
    manager), by boutique id, so the manager's per-adviser chart shows
    several sellers."""
    sellers: dict[int, list[User]] = {}
    for user in (
        User.objects.filter(groups__name__in=[roles.ADVISER, roles.MANAGER])
        .filter(username__in=["manager", "adviser", "adviser.london"])
        .order_by("username")
        .distinct()
    ):
        for boutique_id in user.boutiques.values_list("id", flat=True):
            sellers.setdefault(boutique_id, []).append(user)
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
    sold_in: dict[int, int] = {}
    for index, client in enumerate(clients):
        currency = "GBP" if client.home_boutique.country == "GB" else "EUR"
        products = catalogue[currency]
        piece = products[index % len(products)]
        # Each sale to the next of the boutique's sellers in turn.
        staff = sellers.get(client.home_boutique_id) or [None]
        sold = sold_in.get(client.home_boutique_id, 0)
        sold_in[client.home_boutique_id] = sold + 1
        seller = staff[sold % len(staff)]
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
        if index % 8 == 3:
            continue  # left as a draft
        if index % 8 == 7:
            services.order_transition(
                acting_user=seller, order=order, status=Order.Status.CANCELLED
            )
            continue
        services.order_transition(
            acting_user=seller, order=order, status=Order.Status.CONFIRMED
        )
        if index % 10 == 9:
            continue  # confirmed, awaiting its invoice
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
        if index % 6 == 2:
            services.order_transition(
                acting_user=seller, order=order, status=Order.Status.DELIVERED
            )
        if index % 9 == 4:
            # Brought back within the return period: a credit note.
            services.credit_note_issue(
                acting_user=seller,
                invoice=invoice,
                reason="Returned unworn within the return period (demo).",
            )
            continue
        if index % 5 == 0:
            case = services.case_open(
                acting_user=seller,
                client=client,
                boutique=client.home_boutique,
                kind="resizing" if piece.category == "ring" else "cleaning",
                piece_description=str(piece),
                guarantee=order.lines.get().guarantees.get(),
            )
            for status in CASE_PROGRESS[: CASE_STEPS[index // 5 % len(CASE_STEPS)]]:
                services.case_transition(acting_user=seller, case=case, status=status)
        if index % 7 == 1:
            complaint = services.complaint_open(
                acting_user=seller,
                client=client,
                channel="email",
                category="delivery",
                description="The gift box arrived damaged (demo).",
                boutique=client.home_boutique,
                order=order,
            )
            if index % 14 == 8:
                services.complaint_transition(
                    acting_user=seller,
                    complaint=complaint,
                    status="resolved",
                    resolution="A new box was sent (demo).",
                )
    # The metal is encrypted: compared in Python, not in the database.
    allergic = sum(
        1
        for metal in MetalAllergy.objects.values_list("metal", flat=True)
        if metal == "nickel"
    )
    stdout.write(
        f"Orders: {Product.objects.count()} products, {created} new demo orders "
        f"({allergic} clients with a nickel allergy on record)."
    )
