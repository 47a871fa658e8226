"""Reads of the orders app, including those the privacy app relies on."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.models import Client, MetalAllergy
from core.id_arrays import in_ids
from orders.models import (
    AfterSalesCase,
    Complaint,
    Guarantee,
    Invoice,
    Order,
    OrderLine,
    Payment,
    Product,
)

ALLERGY_PERMISSION = "clienteling.view_metalallergy"
PAYMENT_PERMISSION = "orders.view_payment"


# --- Allergy warning ----------------------------------------------------------


@dataclass(frozen=True)
class AllergyConflict:
    product: Product
    metal: str
    metal_label: str
    severity: str


def allergy_conflicts(*, client_id: int, products: Iterable[Product]):
    """Each (product, metal) where the product contains a metal the client
    is recorded as allergic to. One query, whatever the number of products.

    MetalAllergy rows exist only under explicit consent (a withdrawal
    deletes them), so no consent, no row, no warning.
    """
    products = [p for p in products if p is not None]
    if not products:
        return []
    allergies = dict(
        MetalAllergy.objects.filter(client_id=client_id).values_list(
            "metal", "severity"
        )
    )
    labels = dict(MetalAllergy.Metal.choices)
    seen = set()
    conflicts = []
    for product in products:
        for metal in product.metals:
            if metal in allergies and (product.pk, metal) not in seen:
                seen.add((product.pk, metal))
                conflicts.append(
                    AllergyConflict(product, metal, labels[metal], allergies[metal])
                )
    return conflicts


GENERIC_ALLERGY_WARNING = _(
    "Check with an adviser before saving: a piece in this order may not suit "
    "this client. Confirm below once an adviser who can see the client's "
    "record has discussed it with them."
)


def severity_label(code: str) -> str:
    """A stored severity code in staff words ("Severe", "Sévère")."""
    try:
        return MetalAllergy.Severity(code).label
    except ValueError:
        return code


def allergy_warning(*, user, conflicts: list[AllergyConflict]) -> str:
    """The warning an adviser sees, without health details for staff who
    may not see allergies (they learn only that someone should check)."""
    if not conflicts:
        return ""
    if user is not None and not user.has_perm(ALLERGY_PERMISSION):
        return GENERIC_ALLERGY_WARNING
    detail = "; ".join(
        (
            _(
                "%(reference)s %(name)s contains %(metal)s, to which the client "
                "is allergic (%(severity)s)"
            )
            % {
                "reference": c.product.reference,
                "name": c.product.name,
                "metal": c.metal_label.lower(),
                "severity": severity_label(c.severity).lower(),
            }
        )
        for c in conflicts
    )
    return _(
        "Allergy warning: %(detail)s. Tick “I have discussed this with "
        "the client” to save the order anyway."
    ) % {"detail": detail}


# --- Legal holds and retention (read by privacy) ------------------------------


@dataclass(frozen=True)
class LegalHold:
    """Something that must stop a client's erasure while it lasts."""

    client_id: int
    kind: str  # "aftersales_case" or "complaint"
    object_id: int
    reason: str
    since: datetime


def legal_holds_for(client_ids: Iterable[int]) -> dict[int, list[LegalHold]]:
    """Open after-sales cases and complaints per client (absent: none).

    Two queries whatever the number of clients, the ids as one array
    (core.id_arrays: a retention batch asks for 10,000).
    """
    client_ids = list(client_ids)
    holds: dict[int, list[LegalHold]] = {}
    if not client_ids:
        return holds
    for case in AfterSalesCase.objects.open().filter(in_ids("client_id", client_ids)):
        holds.setdefault(case.client_id, []).append(
            LegalHold(
                case.client_id,
                "aftersales_case",
                case.pk,
                f"Open after-sales case ({case.get_kind_display().lower()})",
                case.received_at,
            )
        )
    for complaint in Complaint.objects.open().filter(in_ids("client_id", client_ids)):
        holds.setdefault(complaint.client_id, []).append(
            LegalHold(
                complaint.client_id,
                "complaint",
                complaint.pk,
                f"Open complaint ({complaint.get_category_display().lower()})",
                complaint.received_at,
            )
        )
    return holds


@dataclass(frozen=True)
class RetainedRecord:
    """A record an erasure keeps under its obligation (it does not stop it)."""

    client_id: int
    kind: str  # "invoice" or "guarantee"
    object_id: int
    reason: str
    until: date


def records_retained_for(
    client_ids: Iterable[int], *, today: date
) -> dict[int, list[RetainedRecord]]:
    """Invoices inside their 10 years and guarantees the client may still
    claim, per client: what an erasure keeps, and until when.

    Two queries whatever the number of clients.
    """
    client_ids = list(client_ids)
    found: dict[int, list[RetainedRecord]] = {}
    for invoice in invoices_kept_for(client_ids, today=today).only(
        "pk", "client_id", "retention_until"
    ):
        found.setdefault(invoice.client_id, []).append(
            RetainedRecord(
                invoice.client_id,
                "invoice",
                invoice.pk,
                _("Invoice kept 10 years (Code de commerce L123-22)"),
                invoice.retention_until,
            )
        )
    guarantees = Guarantee.objects.filter(
        client_id__in=client_ids, status=Guarantee.Status.ACTIVE
    ).filter(Q(legal_end__gte=today) | Q(house_end__gte=today))
    for guarantee in guarantees.only("pk", "client_id", "legal_end", "house_end"):
        found.setdefault(guarantee.client_id, []).append(
            RetainedRecord(
                guarantee.client_id,
                "guarantee",
                guarantee.pk,
                _("Guarantee the client may still claim"),
                max(guarantee.legal_end, guarantee.house_end),
            )
        )
    return found


def invoices_kept_for(client_ids: Iterable[int], *, today: date):
    """Invoices of these clients still under the legal retention obligation.

    Erasure keeps them (and the name and address they were issued to)
    under INVOICE_RETENTION until retention_until.
    """
    return Invoice.objects.filter(client_id__in=list(client_ids)).under_retention(today)


def purchases_since(since: datetime):
    """Sales (orders that became a purchase) opened at or after `since`.

    Retention filters it by client (OuterRef) to find clients whose
    commercial relationship is still running.
    """
    return Order.objects.purchases().filter(created_at__gte=since)


# --- Purchases (read by privacy's cross-group export) -------------------------


class PurchaseRow(NamedTuple):
    client_id: int
    category: str
    collection: str
    metals: tuple[str, ...]
    unit_price: Decimal
    currency: str
    boutique_country: str
    purchased_on: date


# Orders that are sales: invoiced or delivered, not returned or cancelled.
SOLD_STATUSES = ("invoiced", "delivered")
# Lines per round trip: privacy's export asks for a few thousand clients
# at a time, and this keeps memory flat whatever their history.
PURCHASES_CHUNK = 2000


def purchases_for(client_ids: Sequence[int], since: date) -> Iterator[PurchaseRow]:
    """Purchases of these clients since `since`, as plain rows, one query.

    Reads orders' OrderLine (one row per line; quantity repeats the row).
    """
    lines = (
        OrderLine.objects.filter(
            order__client_id__in=list(client_ids),
            order__status__in=SOLD_STATUSES,
            order__created_at__date__gte=since,
        )
        .order_by("order__client_id", "order__created_at", "id")
        .values_list(
            "order__client_id",
            "product__category",
            "product__collection__name",
            "product__metals",
            "unit_price",
            "currency",
            "order__boutique__country",
            "order__created_at",
            "quantity",
        )
    )
    for (
        client_id,
        category,
        collection,
        metals,
        price,
        currency,
        country,
        at,
        qty,
    ) in lines.iterator(chunk_size=PURCHASES_CHUNK):
        row = PurchaseRow(
            client_id,
            category,
            collection,
            tuple(sorted(metals or ())),
            price,
            currency,
            str(country),
            timezone.localdate(at),
        )
        for _unused in range(max(qty, 1)):
            yield row


# --- Client 360 panel ---------------------------------------------------------

PANEL_ORDERS = 20


def client_purchases_panel(*, user, client: Client, today: date) -> dict:
    """What the client owns and has open with the house, for the client page.

    A fixed number of queries (one per section) whatever the history size.
    """
    lines = OrderLine.objects.select_related("product__collection")
    orders = list(
        Order.objects.filter(client=client)
        .exclude(status=Order.Status.CANCELLED)
        .select_related("boutique")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-created_at", "-id")[:PANEL_ORDERS]
    )
    all_guarantees = Guarantee.objects.filter(client=client)
    # Bounded: the heaviest client's page stays as fast as anyone's; the
    # panel says how many there are in all.
    guarantees = list(
        all_guarantees.select_related("product").order_by("-legal_start", "-id")[
            :PANEL_ORDERS
        ]
    )
    guarantee_count = all_guarantees.count()  # always: a constant query count
    open_cases = list(
        AfterSalesCase.objects.open().filter(client=client).select_related("boutique")
    )
    open_complaints = list(Complaint.objects.open().filter(client=client))
    can_see_payments = user.has_perm(PAYMENT_PERMISSION)
    payments = (
        list(
            Payment.objects.filter(order__client=client)
            .select_related("order")
            .order_by("-received_at")[:PANEL_ORDERS]
        )
        if can_see_payments
        else []
    )
    return {
        "client": client,
        "orders": orders,
        "guarantees": [(g, g.is_in_force(today)) for g in guarantees],
        "guarantee_count": guarantee_count,
        "open_cases": open_cases,
        "open_complaints": open_complaints,
        "lifetime_value": client.lifetime_value,
        "can_see_payments": can_see_payments,
        "payments": payments,
    }
