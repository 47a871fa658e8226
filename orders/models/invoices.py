"""Invoices and credit notes: legal documents, immutable once issued.

Dangerous module: an invoice number may never be skipped or reused and an
issued invoice may never change (French tax rules; Commercial Code L123-22
requires keeping them 10 years). Numbers come from InvoiceCounter under a
row lock in the issuing transaction (orders.services.invoice_issue); a
rolled-back issue rolls its number back with it, so the series stays
gap-free.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.free_text import SHORT_TEXT_MAX_LENGTH, FreeTextModel
from core.history import house_history
from orders.models.base import CURRENCIES, MONEY
from orders.querysets import ImmutableQuerySet, InvoiceQuerySet


@dataclass(frozen=True)
class LegalObligation:
    code: str
    label: str
    years: int


# Read by the privacy data map and erasure: invoices are kept, not erased.
INVOICE_RETENTION = LegalObligation(
    code="fr-commercial-code-l123-22",
    label=_("French Commercial Code art. L123-22: accounting documents kept 10 years"),
    years=10,
)

IMMUTABLE_MESSAGE = _(
    "An issued invoice or credit note cannot be changed or deleted: issue a "
    "credit note to correct it."
)


class InvoiceCounter(models.Model):
    """The last number used in one boutique's series for one year.

    Not personal data and not historised: the invoices themselves are the
    record. Locked with SELECT ... FOR UPDATE while a number is allocated.
    """

    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("boutique"),
    )
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    last_number = models.PositiveIntegerField(default=0, verbose_name=_("last number"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["boutique", "year"], name="invoice_counter_once"
            )
        ]
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")

    def __str__(self):
        return f"{self.boutique_id}/{self.year}: {self.last_number}"


class Invoice(FreeTextModel):
    """An invoice or a credit note, as issued. Never edited afterwards."""

    # Issued to the record it names; a merge leaves it there (the legal
    # document does not change), and holds read merged records too.
    merge_policy = "keep"

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("kind"))
    number = models.CharField(max_length=40, unique=True, verbose_name=_("number"))
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("boutique"),
    )
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    sequence = models.PositiveIntegerField(verbose_name=_("sequence"))
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("order"),
    )
    # Denormalised from the order so retention and holds read one table.
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("client"),
    )
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credited invoice"),
    )
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason"))
    # The buyer as invoiced: a legal document keeps the name and address it
    # was issued to, even if the client record changes or is erased.
    billed_name = models.CharField(max_length=200, verbose_name=_("billed name"))
    billed_address = models.TextField(
        blank=True, max_length=SHORT_TEXT_MAX_LENGTH, verbose_name=_("billed address")
    )
    currency = models.CharField(
        max_length=3, choices=CURRENCIES, verbose_name=_("currency")
    )
    # Signed: negative on a credit note.
    total = models.DecimalField(**MONEY, verbose_name=_("total"))
    issued_at = models.DateTimeField(verbose_name=_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    legal_obligation = models.CharField(
        max_length=40,
        default=INVOICE_RETENTION.code,
        editable=False,
        verbose_name=_("legal obligation"),
    )
    retention_until = models.DateField(
        help_text=_("Kept at least until this date under the legal obligation."),
        verbose_name=_("retention until"),
    )

    history = house_history()
    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        permissions = [
            ("issue_invoice", "Can issue an invoice for an order"),
            ("issue_credit_note", "Can issue a credit note for a return"),
        ]
        indexes = [
            models.Index(fields=["client"]),
            models.Index(fields=["retention_until"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["boutique", "year", "sequence"],
                name="invoice_number_once_per_series",
            ),
            models.CheckConstraint(
                name="invoice_sign_matches_kind",
                condition=Q(kind="invoice", total__gte=0, credited_invoice__isnull=True)
                | Q(kind="credit_note", total__lte=0, credited_invoice__isnull=False),
            ),
        ]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self):
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(IMMUTABLE_MESSAGE, code="immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(IMMUTABLE_MESSAGE, code="immutable")


class InvoiceLine(FreeTextModel):
    """A line as invoiced: a copy, so catalogue changes never alter it."""

    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        related_name="lines",
        verbose_name=_("invoice"),
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="invoice_lines",
        verbose_name=_("order line"),
    )
    description = models.CharField(max_length=250, verbose_name=_("description"))
    quantity = models.IntegerField(verbose_name=_("quantity"))
    unit_price = models.DecimalField(**MONEY, verbose_name=_("unit price"))
    # Signed like the invoice total.
    amount = models.DecimalField(**MONEY, verbose_name=_("amount"))

    history = house_history()
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self):
        return self.description

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(IMMUTABLE_MESSAGE, code="immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(IMMUTABLE_MESSAGE, code="immutable")
