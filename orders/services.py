"""Writes and business rules of the orders app.

Every function takes keyword-only arguments and `acting_user` (None only
for system jobs), validates before writing (full_clean), records who did it
in django-simple-history, and returns what it changed. A ValidationError
means nothing was written: each function is one transaction.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling import services as clienteling_services
from clienteling.models import Boutique, Client, ContactEvent
from core import hooks
from core.payment_numbers import iban_mask
from core.writes import now_or as _now
from core.writes import save_with_author as _save
from orders import selectors
from orders.models import (
    INVOICE_RETENTION,
    AfterSalesCase,
    Complaint,
    Guarantee,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Order,
    OrderLine,
    Payment,
    Product,
)
from orders.models.aftersales import (
    HOUSE_GUARANTEE_YEARS,
    LEGAL_GUARANTEE_YEARS,
    add_years,
)

_ONE_DAY = timedelta(days=1)


def _transition_error(model, current: str, target: str) -> ValidationError:
    labels = dict(model.Status.choices)
    allowed = sorted(labels[s] for s in model.TRANSITIONS[current])
    return ValidationError(
        {
            "status": (
                _(
                    "A %(verbose_name)s cannot go from %(current)s to %(target)s "
                    "(allowed: %(allowed)s)."
                )
                % {
                    "verbose_name": model._meta.verbose_name,
                    "current": labels[current].lower(),
                    "target": labels.get(target, target).lower(),
                    "allowed": ", ".join(map(str, allowed)) or _("none, it is closed"),
                }
            )
        },
        code="transition_not_allowed",
    )


# --- Orders -------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    product: Product
    quantity: int = 1
    unit_price: Decimal | None = None
    ring_size: str = ""
    engraving: str = ""
    serial_number: str = ""


def order_allergy_check(
    *,
    acting_user,
    order: Order,
    products: list[Product],
    acknowledged: bool,
    now: datetime | None = None,
) -> None:
    """Refuse lines that conflict with a recorded allergy unless the adviser
    has confirmed discussing it; record who confirmed and when."""
    conflicts = selectors.allergy_conflicts(
        client_id=order.client_id, products=products
    )
    if not conflicts:
        # A confirmation about lines since removed confirms nothing now
        # (the history keeps it).
        order.allergy_acknowledged_at = None
        order.allergy_acknowledged_by = None
        return
    if not acknowledged:
        raise ValidationError(
            selectors.allergy_warning(user=acting_user, conflicts=conflicts),
            code="allergy_unacknowledged",
        )
    order.allergy_acknowledged_at = _now(now)
    order.allergy_acknowledged_by = acting_user


def _order_total_refresh(*, acting_user, order: Order) -> Order:
    order.total = order.lines_total()
    _save(order, acting_user)
    return order


@transaction.atomic
def order_create(
    *,
    acting_user,
    client: Client,
    boutique: Boutique,
    lines: list[LineInput],
    channel: str = Order.Channel.BOUTIQUE,
    currency: str = "EUR",
    notes: str = "",
    marketing_email: str = "",
    adviser=None,
    allergy_acknowledged: bool = False,
    now: datetime | None = None,
) -> Order:
    """Create a draft order with its lines and computed total."""
    order = Order(
        client=client,
        boutique=boutique,
        channel=channel,
        currency=currency,
        notes=notes.strip(),
        marketing_email=marketing_email,
        adviser=adviser or acting_user,
    )
    order_allergy_check(
        acting_user=acting_user,
        order=order,
        products=[line.product for line in lines],
        acknowledged=allergy_acknowledged,
        now=now,
    )
    _save(order, acting_user)
    for line in lines:
        _save(
            OrderLine(
                order=order,
                product=line.product,
                quantity=line.quantity,
                unit_price=line.unit_price,
                ring_size=line.ring_size,
                engraving=line.engraving,
                serial_number=line.serial_number,
            ),
            acting_user,
        )
    return _order_total_refresh(acting_user=acting_user, order=order)


def allergy_confirmations_erase(client: Client) -> int:
    """Registered with core.hooks: when an allergy warning was
    confirmed, and by whom, reveals the allergy. Blanked on the client's
    orders and in every history row of them when the allergy consent goes.
    Set-based: a save would write one more history row holding it."""
    blank = {"allergy_acknowledged_at": None, "allergy_acknowledged_by": None}
    changed = (
        Order.objects.filter(client=client)
        .exclude(allergy_acknowledged_at=None, allergy_acknowledged_by=None)
        .update(**blank)
    )
    Order.history.filter(client_id=client.pk).exclude(
        allergy_acknowledged_at=None, allergy_acknowledged_by=None
    ).update(**blank)
    return changed


@transaction.atomic
def order_save(*, acting_user, order: Order) -> Order:
    """Save an order's header as edited in the admin; a new one is the
    acting user's sale. Lines follow through order_lines_saved."""
    if order.pk is None and order.adviser_id is None:
        order.adviser = acting_user
    _save(order, acting_user)
    return order


@transaction.atomic
def order_lines_saved(
    *, acting_user, order: Order, allergy_acknowledged: bool, now=None
) -> Order:
    """After lines were edited (the admin inline): re-check and re-total."""
    lines = list(order.lines.select_related("product"))
    for line in lines:
        if line.currency != order.currency:
            raise ValidationError(
                _(
                    "%(reference)s is priced in %(currency)s; this order is in "
                    "%(currency2)s."
                )
                % {
                    "reference": line.product.reference,
                    "currency": line.currency,
                    "currency2": order.currency,
                }
            )
    order_allergy_check(
        acting_user=acting_user,
        order=order,
        products=[line.product for line in lines],
        acknowledged=allergy_acknowledged,
        now=now,
    )
    return _order_total_refresh(acting_user=acting_user, order=order)


@transaction.atomic
def order_transition(*, acting_user, order: Order, status: str) -> Order:
    """Move an order along Order.TRANSITIONS (invoicing and returns have
    their own services)."""
    if status in Order.SERVICE_ONLY:
        verb = (
            _("issuing its invoice")
            if status == Order.Status.INVOICED
            else (_("a credit note"))
        )
        raise ValidationError(
            {
                "status": (
                    _("An order becomes %(status)s only through %(verb)s.")
                    % {"status": Order.Status(status).label.lower(), "verb": verb}
                )
            },
            code="transition_not_allowed",
        )
    return _order_set_status(acting_user=acting_user, order=order, status=status)


def _order_set_status(*, acting_user, order: Order, status: str) -> Order:
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if status not in Order.TRANSITIONS[locked.status]:
        raise _transition_error(Order, locked.status, status)
    if status == Order.Status.CONFIRMED and not locked.lines.exists():
        raise ValidationError(_("An order needs at least one line to be confirmed."))
    locked.status = status
    _save(locked, acting_user)
    order.refresh_from_db()
    return order


# --- Invoices -----------------------------------------------------------------


def invoice_retention_until(issued_at: datetime) -> date:
    """The end of the tenth calendar year after issue.

    Counting from the end of the year covers the close of any financial
    year the invoice belongs to.
    """
    year = timezone.localtime(issued_at).year
    return date(year + INVOICE_RETENTION.years, 12, 31)


def _allocate_invoice_number(*, boutique: Boutique, year: int) -> int:
    """The next number of a boutique's series, under a row lock.

    The counter row is created if missing (ON CONFLICT DO NOTHING, so a
    concurrent creator waits instead of failing), then locked with SELECT
    ... FOR UPDATE until the issuing transaction ends: a concurrent issue
    waits, and a rolled-back issue releases its number unused.
    """
    InvoiceCounter.objects.bulk_create(
        [InvoiceCounter(boutique=boutique, year=year)], ignore_conflicts=True
    )
    counter = InvoiceCounter.objects.select_for_update().get(
        boutique=boutique, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _billing_details(client: Client) -> tuple[str, str]:
    address = client.addresses.order_by("-is_primary", "id").first()
    text = ""
    if address:
        text = "\n".join(
            part
            for part in (
                address.line1,
                address.line2,
                f"{address.postal_code} {address.city}".strip(),
                str(address.country.name),
            )
            if part
        )
    return client.full_name, text


def _issue(
    *,
    acting_user,
    kind: str,
    order: Order,
    lines: list[tuple[OrderLine, int]],
    now: datetime,
    credited: Invoice | None = None,
    reason: str = "",
) -> Invoice:
    sign = -1 if kind == Invoice.Kind.CREDIT_NOTE else 1
    year = timezone.localtime(now).year
    sequence = _allocate_invoice_number(boutique=order.boutique, year=year)
    billed_name, billed_address = _billing_details(order.client)
    invoice = Invoice(
        kind=kind,
        number=f"{order.boutique.code}/{year}/{sequence:06d}",
        boutique=order.boutique,
        year=year,
        sequence=sequence,
        order=order,
        client=order.client,
        credited_invoice=credited,
        reason=reason.strip(),
        billed_name=billed_name,
        billed_address=billed_address,
        currency=order.currency,
        total=sign * sum((line.unit_price * qty for line, qty in lines), Decimal(0)),
        issued_at=now,
        issued_by=acting_user,
        retention_until=invoice_retention_until(now),
    )
    _save(invoice, acting_user)
    for line, quantity in lines:
        _save(
            InvoiceLine(
                invoice=invoice,
                order_line=line,
                description=_line_description(line),
                quantity=quantity,
                unit_price=line.unit_price,
                amount=sign * line.unit_price * quantity,
            ),
            acting_user,
        )
    clienteling_services.client_lifetime_value_add(
        client_id=order.client_id,
        amount=in_euros(invoice.total, invoice.currency),
    )
    return invoice


def in_euros(amount: Decimal, currency: str) -> Decimal:
    """An amount at the house's budget rate (lifetime value is in euros)."""
    rate = settings.BUDGET_RATES_EUR[currency]
    return (amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _line_description(line: OrderLine) -> str:
    parts = [f"{line.product.reference} {line.product.name}"]
    if line.ring_size:
        parts.append(f"size {line.ring_size}")
    if line.engraving:
        parts.append(f"engraved \u201c{line.engraving}\u201d")
    return ", ".join(parts)[:250]


@transaction.atomic
def invoice_issue(*, acting_user, order: Order, now: datetime | None = None) -> Invoice:
    """Issue the invoice of a confirmed order.

    Allocates the next number of the boutique's series for the year, copies
    the lines, registers a guarantee per line, moves the order to invoiced
    and adds the total to the client's lifetime value.
    """
    now = _now(now)
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status != Order.Status.CONFIRMED:
        raise ValidationError(
            (
                _("Only a confirmed order can be invoiced; %(number)s is %(status)s.")
                % {
                    "number": locked.number,
                    "status": locked.get_status_display().lower(),
                }
            ),
            code="not_invoiceable",
        )
    lines = list(locked.lines.select_related("product", "order__client"))
    if not lines:
        raise ValidationError(_("An order without lines cannot be invoiced."))
    invoice = _issue(
        acting_user=acting_user,
        kind=Invoice.Kind.INVOICE,
        order=locked,
        lines=[(line, line.quantity) for line in lines],
        now=now,
    )
    for line in lines:
        _guarantee_register(acting_user=acting_user, line=line, start=now.date())
    _order_set_status(acting_user=acting_user, order=order, status="invoiced")
    # The sale is complete: the client's answer about emails on similar
    # products becomes a soft opt-in or an objection (the consents app).
    hooks.sale_completed(
        acting_user=acting_user,
        client=locked.client,
        at=now,
        reference=invoice.number,
        marketing_email=locked.marketing_email,
        in_person=locked.channel == Order.Channel.BOUTIQUE,
    )
    return invoice


@transaction.atomic
def credit_note_issue(
    *,
    acting_user,
    invoice: Invoice,
    reason: str,
    order_lines: list[OrderLine] | None = None,
    now: datetime | None = None,
) -> Invoice:
    """Credit returned lines of an invoice (all of them by default).

    Voids their guarantees; the order becomes returned once every invoiced
    line is credited. A line is credited once.
    """
    now = _now(now)
    if invoice.kind != Invoice.Kind.INVOICE:
        raise ValidationError(_("A credit note credits an invoice, not a credit note."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the pieces are returned.")})
    order = Order.objects.select_for_update().get(pk=invoice.order_id)
    invoice_lines = list(invoice.lines.select_related("order_line__product"))
    invoiced = {il.order_line_id: il for il in invoice_lines}
    credited = set(
        InvoiceLine.objects.filter(invoice__credited_invoice=invoice).values_list(
            "order_line_id", flat=True
        )
    )
    if order_lines is None:
        wanted = [
            il.order_line for il in invoice_lines if il.order_line_id not in credited
        ]
        if not wanted:
            raise ValidationError(_("Every line of this invoice is already credited."))
    else:
        wanted = list(order_lines)
    if not wanted:
        raise ValidationError(_("Choose at least one returned line to credit."))
    for line in wanted:
        if line.pk not in invoiced:
            raise ValidationError(
                _("%(line)s is not on invoice %(number)s.")
                % {"line": line, "number": invoice.number}
            )
        if line.pk in credited:
            raise ValidationError(_("%(line)s is already credited.") % {"line": line})
    note = _issue(
        acting_user=acting_user,
        kind=Invoice.Kind.CREDIT_NOTE,
        order=order,
        lines=[(line, invoiced[line.pk].quantity) for line in wanted],
        now=now,
        credited=invoice,
        reason=reason,
    )
    for guarantee in Guarantee.objects.filter(order_line__in=wanted):
        guarantee.status = Guarantee.Status.VOID
        _save(guarantee, acting_user)
    if credited | {line.pk for line in wanted} >= set(invoiced):
        _order_set_status(
            acting_user=acting_user, order=order, status=Order.Status.RETURNED
        )
    return note


# --- Payments -----------------------------------------------------------------


@transaction.atomic
def payment_record(
    *,
    acting_user,
    order: Order,
    method: str,
    amount: Decimal,
    currency: str,
    provider_reference: str = "",
    card_brand: str = "",
    card_last4: str = "",
    card_expiry_month: int | None = None,
    card_expiry_year: int | None = None,
    iban: str = "",
    received_at: datetime | None = None,
) -> Payment:
    """Record a payment reference. A full IBAN is masked before it is kept.

    The currency must be the order's, and a draft or cancelled order takes
    no payment (Payment.clean).
    """
    payment = Payment(
        order=order,
        method=method,
        amount=amount,
        currency=currency,
        provider_reference=provider_reference.strip(),
        card_brand=card_brand,
        card_last4=card_last4.strip(),
        card_expiry_month=card_expiry_month,
        card_expiry_year=card_expiry_year,
        iban_masked=iban_mask(iban) if iban.strip() else "",
        received_at=_now(received_at),
        recorded_by=acting_user,
    )
    _save(payment, acting_user)
    return payment


# --- Guarantees ---------------------------------------------------------------


def guarantee_dates(start: date) -> dict[str, date]:
    """Both guarantees run from the sale, each end date inclusive."""
    return {
        "legal_start": start,
        "legal_end": add_years(start, LEGAL_GUARANTEE_YEARS) - _ONE_DAY,
        "house_start": start,
        "house_end": add_years(start, HOUSE_GUARANTEE_YEARS) - _ONE_DAY,
    }


def _guarantee_register(*, acting_user, line: OrderLine, start: date) -> Guarantee:
    guarantee = Guarantee(
        client_id=line.order.client_id,
        order_line=line,
        product=line.product,
        product_serial=line.serial_number,
        **guarantee_dates(start),
    )
    _save(guarantee, acting_user)
    return guarantee


# --- After-sales cases and complaints -----------------------------------------

_COMPLAINT_CONTACT_CHANNEL = {
    Complaint.Channel.BOUTIQUE: ContactEvent.Channel.BOUTIQUE_VISIT,
    Complaint.Channel.PHONE: ContactEvent.Channel.PHONE,
    Complaint.Channel.EMAIL: ContactEvent.Channel.EMAIL,
    Complaint.Channel.POST: ContactEvent.Channel.POST,
    Complaint.Channel.WEB_FORM: ContactEvent.Channel.WEB_FORM,
    Complaint.Channel.SOCIAL_NETWORK: ContactEvent.Channel.SOCIAL_NETWORK,
    Complaint.Channel.INSTANT_MESSAGING: ContactEvent.Channel.INSTANT_MESSAGING,
}


@transaction.atomic
def case_open(
    *,
    acting_user,
    client: Client,
    boutique: Boutique,
    kind: str,
    piece_description: str,
    intake_notes: str = "",
    promised_date: date | None = None,
    guarantee: Guarantee | None = None,
    now: datetime | None = None,
) -> AfterSalesCase:
    """Take a piece in; the intake is logged in the contact history."""
    now = _now(now)
    case = AfterSalesCase(
        client=client,
        boutique=boutique,
        kind=kind,
        piece_description=piece_description.strip(),
        intake_notes=intake_notes.strip(),
        promised_date=promised_date,
        guarantee=guarantee,
        received_at=now,
        opened_by=acting_user,
    )
    if promised_date and promised_date < timezone.localtime(now).date():
        raise ValidationError({"promised_date": _("The promised date is in the past.")})
    if guarantee and guarantee.client_id != client.pk:
        raise ValidationError({"guarantee": _("This guarantee is another client's.")})
    _save(case, acting_user)
    clienteling_services.contact_log(
        acting_user=acting_user,
        client=client,
        channel=ContactEvent.Channel.BOUTIQUE_VISIT,
        direction=ContactEvent.Direction.INBOUND,
        subject=f"After-sales {case.get_kind_display().lower()}: piece received",
        occurred_at=now,
        related=case,
        boutique=boutique,
    )
    return case


@transaction.atomic
def case_save(
    *, acting_user, case: AfterSalesCase, now: datetime | None = None
) -> AfterSalesCase:
    """Save an edited case; a status change must follow TRANSITIONS."""
    current = AfterSalesCase.objects.select_for_update().get(pk=case.pk).status
    if case.status != current:
        if case.status not in AfterSalesCase.TRANSITIONS[current]:
            raise _transition_error(AfterSalesCase, current, case.status)
        case.closed_at = None if case.is_open else _now(now)
    _save(case, acting_user)
    return case


def case_transition(
    *, acting_user, case: AfterSalesCase, status: str, now: datetime | None = None
) -> AfterSalesCase:
    case.status = status
    return case_save(acting_user=acting_user, case=case, now=now)


@transaction.atomic
def complaint_open(
    *,
    acting_user,
    client: Client,
    channel: str,
    category: str,
    description: str,
    boutique: Boutique | None = None,
    order: Order | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Record a complaint; it is also a contact from the client."""
    now = _now(now)
    if order and order.client_id != client.pk:
        raise ValidationError({"order": _("This order is another client's.")})
    complaint = Complaint(
        client=client,
        channel=channel,
        category=category,
        description=description.strip(),
        boutique=boutique,
        order=order,
        received_at=now,
        opened_by=acting_user,
    )
    _save(complaint, acting_user)
    clienteling_services.contact_log(
        acting_user=acting_user,
        client=client,
        channel=_COMPLAINT_CONTACT_CHANNEL[channel],
        direction=ContactEvent.Direction.INBOUND,
        subject=f"Complaint: {complaint.get_category_display().lower()}",
        # The client called, wrote or came in: they were reached.
        outcome=ContactEvent.Outcome.REACHED,
        occurred_at=now,
        related=complaint,
        boutique=boutique,
    )
    return complaint


@transaction.atomic
def complaint_save(
    *, acting_user, complaint: Complaint, now: datetime | None = None
) -> Complaint:
    """Save an edited complaint; a status change must follow TRANSITIONS and
    closing one needs its resolution (Complaint.clean)."""
    current = Complaint.objects.select_for_update().get(pk=complaint.pk).status
    if complaint.status != current:
        if complaint.status not in Complaint.TRANSITIONS[current]:
            raise _transition_error(Complaint, current, complaint.status)
        complaint.resolved_at = None if complaint.is_open else _now(now)
    _save(complaint, acting_user)
    return complaint


def complaint_transition(
    *,
    acting_user,
    complaint: Complaint,
    status: str,
    resolution: str = "",
    now: datetime | None = None,
) -> Complaint:
    complaint.status = status
    if resolution.strip():
        complaint.resolution = resolution.strip()
    return complaint_save(acting_user=acting_user, complaint=complaint, now=now)
