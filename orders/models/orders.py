import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.free_text import LONG_TEXT_MAX_LENGTH, FreeTextModel
from core.history import house_history
from orders.models.base import CURRENCIES, MONEY
from orders.querysets import OrderQuerySet


def new_order_number() -> str:
    """A public order number: never the primary key, not guessable."""
    return f"CO{secrets.randbelow(10**8):08d}"


class Order(FreeTextModel):
    """A sale to a client, in a boutique or at a distance."""

    class Channel(models.TextChoices):
        BOUTIQUE = "boutique", _("In the boutique")
        DISTANCE = "distance", _("Distance selling")

    class MarketingEmail(models.TextChoices):
        OFFERED = "offered", _("Told they may refuse; did not refuse")
        REFUSED = "refused", pgettext_lazy("marketing email answer", "Refused")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        INVOICED = "invoiced", _("Invoiced")
        DELIVERED = "delivered", _("Delivered")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")

    # The one place the order lifecycle is defined: from -> allowed targets.
    # INVOICED is reached only by issuing the invoice and RETURNED only by
    # a credit note for everything invoiced (see services).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.CONFIRMED, Status.CANCELLED}),
        Status.CONFIRMED: frozenset({Status.DRAFT, Status.INVOICED, Status.CANCELLED}),
        Status.INVOICED: frozenset({Status.DELIVERED, Status.RETURNED}),
        Status.DELIVERED: frozenset({Status.RETURNED}),
        Status.RETURNED: frozenset(),
        Status.CANCELLED: frozenset(),
    }
    # Targets only a service reaches, never a plain status change.
    SERVICE_ONLY = frozenset({Status.INVOICED, Status.RETURNED})

    number = models.CharField(
        max_length=20,
        unique=True,
        default=new_order_number,
        editable=False,
        verbose_name=_("number"),
    )
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("client"),
    )
    channel = models.CharField(
        max_length=10,
        choices=Channel.choices,
        default=Channel.BOUTIQUE,
        verbose_name=_("channel"),
    )
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.PROTECT,
        related_name="orders",
        help_text=_(
            "The boutique that sells (for distance selling: that handles "
            "the order). Its invoice series numbers the invoice."
        ),
        verbose_name=_("boutique"),
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adviser"),
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        editable=False,
        verbose_name=_("status"),
    )
    currency = models.CharField(
        max_length=3, choices=CURRENCIES, default="EUR", verbose_name=_("currency")
    )
    notes = models.TextField(
        blank=True, max_length=LONG_TEXT_MAX_LENGTH, verbose_name=_("notes")
    )
    marketing_email = models.CharField(
        _("emails about similar products"),
        max_length=10,
        choices=MarketingEmail.choices,
        blank=True,
        help_text=_(
            "Asked when the email address is taken at the sale: the client "
            "may refuse emails about the house's similar products (soft opt-in). "
            "Recorded when the invoice is issued."
        ),
    )
    # Kept on the row by the services that change the lines, so lists never
    # aggregate.
    total = models.DecimalField(
        **MONEY, default=0, editable=False, verbose_name=_("total")
    )
    allergy_acknowledged_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("allergy acknowledged at")
    )
    allergy_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("allergy acknowledged by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    history = house_history()
    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-created_at"]),
            models.Index(fields=["boutique", "status"]),
            # The dashboards: a boutique's sales since the last facts
            # rebuild (today's), read live beside the daily facts.
            models.Index(
                fields=["boutique", "created_at"], name="order_boutique_created"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="order_total_not_negative", condition=Q(total__gte=0)
            )
        ]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self):
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def clean(self):
        super().clean()
        # Soft opt-in is about the email address collected at the sale:
        # checked when the answer is given, not on every later save (an
        # address removed since must not block the invoice; the consents
        # app then records nothing).
        if (
            self.marketing_email == self.MarketingEmail.OFFERED
            and self.client_id
            and self._marketing_email_changed()
            and not self.client.emails.exists()
        ):
            raise ValidationError(
                {
                    "marketing_email": _(
                        "The client has no email address: record "
                        "the address they gave before noting that they did not "
                        "refuse emails on similar products."
                    )
                }
            )

    def _marketing_email_changed(self) -> bool:
        if self.pk is None:
            return True
        stored = (
            Order.objects.filter(pk=self.pk)
            .values_list("marketing_email", flat=True)
            .first()
        )
        return stored != self.marketing_email

    def allowed_transitions(self) -> frozenset[str]:
        return self.TRANSITIONS[self.status]

    def lines_total(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal("0"))


class OrderLine(FreeTextModel):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    product = models.ForeignKey(
        "orders.Product",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product"),
    )
    ring_size = models.CharField(
        max_length=10,
        blank=True,
        help_text=_("Rings only (e.g. 52 or UK M)."),
        verbose_name=_("ring size"),
    )
    engraving = models.CharField(max_length=60, blank=True, verbose_name=_("engraving"))
    serial_number = models.CharField(
        max_length=40,
        blank=True,
        help_text=_("The piece's serial, for its guarantee."),
        verbose_name=_("serial number"),
    )
    quantity = models.IntegerField(
        default=1,
        validators=[MinValueValidator(1, _("The quantity is at least 1."))],
        verbose_name=_("quantity"),
    )
    unit_price = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, _("A price cannot be negative."))],
        help_text=_("Leave empty for the catalogue price."),
        verbose_name=_("unit price"),
    )
    currency = models.CharField(
        max_length=3, choices=CURRENCIES, editable=False, verbose_name=_("currency")
    )

    history = house_history()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="order_line_quantity_positive", condition=Q(quantity__gte=1)
            ),
            models.CheckConstraint(
                name="order_line_price_not_negative", condition=Q(unit_price__gte=0)
            ),
        ]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self):
        return f"{self.quantity} × {self.product_id and self.product.reference}"

    @property
    def amount(self) -> Decimal:
        return (self.unit_price or Decimal("0")) * self.quantity

    def clean(self):
        """Fill price and currency from the product; refuse a mismatch."""
        if not self.product_id:
            return
        product = self.product
        if self.unit_price is None:
            self.unit_price = product.price
        self.currency = product.currency
        errors = {}
        try:
            order = self.order
        except Order.DoesNotExist:
            order = None
        if order is not None and order.currency and self.currency != order.currency:
            errors["product"] = _(
                "%(reference)s is priced in %(currency)s; this order is in "
                "%(currency2)s. Every line of an order is in one currency."
            ) % {
                "reference": product.reference,
                "currency": product.currency,
                "currency2": order.currency,
            }
        if self.ring_size and product.category != product.Category.RING:
            errors["ring_size"] = _("Only a ring has a ring size.")
        if errors:
            raise ValidationError(errors)
