import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.display import day
from core.free_text import LONG_TEXT_MAX_LENGTH, FreeTextModel
from core.history import house_history
from orders.querysets import OpenCaseQuerySet

# French Consumer Code L217-3: two years' legal guarantee of conformity.
LEGAL_GUARANTEE_YEARS = 2
# The house's own guarantee on its pieces.
HOUSE_GUARANTEE_YEARS = 5


def add_years(start: date, years: int) -> date:
    """The same calendar day `years` later (29 February -> 28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def new_certificate_number() -> str:
    # Letters and digits mixed, so no run of digits could read as a card.
    return "GC-" + secrets.token_hex(5).upper()


class Guarantee(FreeTextModel):
    """The guarantees of one sold piece: the legal one and the house's own.

    Each runs from its start date to its end date, both inclusive.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("guarantee status", "Active")
        VOID = "void", _("Void (piece returned)")

    certificate_number = models.CharField(
        max_length=20,
        unique=True,
        default=new_certificate_number,
        editable=False,
        verbose_name=_("certificate number"),
    )
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.PROTECT,
        related_name="guarantees",
        verbose_name=_("client"),
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="guarantees",
        verbose_name=_("order line"),
    )
    product = models.ForeignKey(
        "orders.Product",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product"),
    )
    product_serial = models.CharField(
        max_length=40, blank=True, verbose_name=_("product serial")
    )
    legal_start = models.DateField(verbose_name=_("legal start"))
    legal_end = models.DateField(verbose_name=_("legal end"))
    house_start = models.DateField(verbose_name=_("house start"))
    house_end = models.DateField(verbose_name=_("house end"))
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.ACTIVE,
        verbose_name=_("status"),
    )

    history = house_history()

    class Meta:
        ordering = ["-legal_start", "-id"]
        constraints = [
            models.CheckConstraint(
                name="guarantee_dates_ordered",
                condition=Q(legal_end__gte=models.F("legal_start"))
                & Q(house_end__gte=models.F("house_start")),
                violation_error_message=_("A guarantee ends after it starts."),
            )
        ]
        verbose_name = _("guarantee")
        verbose_name_plural = _("guarantees")

    def __str__(self):
        return self.certificate_number

    def is_in_force(self, on: date) -> bool:
        return self.status == self.Status.ACTIVE and (
            self.legal_start <= on <= self.legal_end
            or self.house_start <= on <= self.house_end
        )

    def clean(self):
        if self.legal_start and self.legal_end and self.legal_end < self.legal_start:
            raise ValidationError({"legal_end": _("A guarantee ends after it starts.")})
        if self.house_start and self.house_end and self.house_end < self.house_start:
            raise ValidationError({"house_end": _("A guarantee ends after it starts.")})


class AfterSalesCaseQuerySet(OpenCaseQuerySet):
    open_statuses = ("received", "in_workshop", "ready")


class AfterSalesCase(FreeTextModel):
    """A piece left with the house for repair, resizing, cleaning..."""

    class Kind(models.TextChoices):
        REPAIR = "repair", _("Repair")
        RESIZING = "resizing", _("Resizing")
        CLEANING = "cleaning", _("Cleaning")
        ENGRAVING = "engraving", _("Engraving")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_WORKSHOP = "in_workshop", _("In the workshop")
        READY = "ready", _("Ready for collection")
        RETURNED = "returned", _("Returned to the client")
        CANCELLED = "cancelled", pgettext_lazy("after-sales case status", "Cancelled")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.RECEIVED: frozenset({Status.IN_WORKSHOP, Status.CANCELLED}),
        Status.IN_WORKSHOP: frozenset({Status.READY, Status.CANCELLED}),
        Status.READY: frozenset({Status.RETURNED, Status.IN_WORKSHOP}),
        Status.RETURNED: frozenset(),
        Status.CANCELLED: frozenset(),
    }

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.PROTECT,
        related_name="aftersales_cases",
        verbose_name=_("client"),
    )
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("boutique"),
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("kind"))
    guarantee = models.ForeignKey(
        Guarantee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guarantee"),
    )
    piece_description = models.CharField(
        max_length=200, verbose_name=_("piece description")
    )
    intake_notes = models.TextField(
        blank=True, max_length=LONG_TEXT_MAX_LENGTH, verbose_name=_("intake notes")
    )
    status = models.CharField(
        max_length=12,
        choices=Status.choices,
        default=Status.RECEIVED,
        verbose_name=_("status"),
    )
    received_at = models.DateTimeField(verbose_name=_("received at"))
    promised_date = models.DateField(
        null=True, blank=True, verbose_name=_("promised date")
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("closed at")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("opened by"),
    )

    history = house_history()
    objects = AfterSalesCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("after-sales case")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["client", "status"])]
        verbose_name_plural = _("after-sales cases")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.piece_description}"

    def clean(self):
        super().clean()
        if (
            self.guarantee_id
            and self.client_id
            and (self.guarantee.client_id != self.client_id)
        ):
            raise ValidationError(
                {"guarantee": _("This guarantee is another client's.")}
            )
        if (
            self._state.adding
            and self.promised_date
            and self.promised_date < timezone.localdate()
        ):
            raise ValidationError(
                {"promised_date": _("The promised date is in the past.")}
            )

    @property
    def is_open(self) -> bool:
        return self.status in AfterSalesCaseQuerySet.open_statuses


class ComplaintQuerySet(OpenCaseQuerySet):
    open_statuses = ("open", "investigating")


class Complaint(FreeTextModel):
    class Channel(models.TextChoices):
        BOUTIQUE = "boutique", _("In the boutique")
        PHONE = "phone", _("Phone")
        EMAIL = "email", pgettext_lazy("contact channel", "Email")
        POST = "post", pgettext_lazy("contact channel", "Post")
        WEB_FORM = "web_form", pgettext_lazy("contact channel", "Web form")
        SOCIAL_NETWORK = "social_network", _("Social network")
        INSTANT_MESSAGING = "instant_messaging", _("Instant messaging")

    class Category(models.TextChoices):
        PRODUCT_QUALITY = "product_quality", _("Product quality")
        AFTER_SALES = "after_sales", _("After-sales service")
        DELIVERY = "delivery", _("Delivery")
        BILLING = "billing", _("Invoicing or payment")
        SERVICE = "service", _("Welcome and service")
        PRIVACY = "privacy", _("Personal data")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("complaint status", "Open")
        INVESTIGATING = "investigating", _("Investigating")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Closed without remedy")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.OPEN: frozenset(
            {Status.INVESTIGATING, Status.RESOLVED, Status.REJECTED}
        ),
        Status.INVESTIGATING: frozenset({Status.RESOLVED, Status.REJECTED}),
        Status.RESOLVED: frozenset({Status.INVESTIGATING}),
        Status.REJECTED: frozenset({Status.INVESTIGATING}),
    }
    CLOSED = frozenset({Status.RESOLVED, Status.REJECTED})

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("client"),
    )
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("boutique"),
    )
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("order"),
    )
    channel = models.CharField(
        max_length=20, choices=Channel.choices, verbose_name=_("channel")
    )
    category = models.CharField(
        max_length=20, choices=Category.choices, verbose_name=_("category")
    )
    description = models.TextField(
        max_length=LONG_TEXT_MAX_LENGTH, verbose_name=_("description")
    )
    status = models.CharField(
        max_length=15, choices=Status.choices, default="open", verbose_name=_("status")
    )
    resolution = models.TextField(
        blank=True, max_length=LONG_TEXT_MAX_LENGTH, verbose_name=_("resolution")
    )
    received_at = models.DateTimeField(verbose_name=_("received at"))
    resolved_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("resolved at")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("opened by"),
    )

    history = house_history()
    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["client", "status"])]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self):
        return f"{self.get_category_display()} ({day(self.received_at)})"

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED

    def clean(self):
        super().clean()
        if self.order_id and self.client_id and self.order.client_id != self.client_id:
            raise ValidationError({"order": _("This order is another client's.")})
        if self.status in self.CLOSED and not self.resolution.strip():
            raise ValidationError(
                {
                    "resolution": _(
                        "Say how the complaint was resolved before closing it."
                    )
                }
            )
