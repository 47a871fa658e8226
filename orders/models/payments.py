from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.free_text import FreeTextModel
from core.history import house_history
from core.payment_numbers import MASKED_IBAN_PATTERN
from orders.models.base import CURRENCIES, MONEY


class Payment(FreeTextModel):
    """A payment reference: the provider's token, never the card itself.

    No card number, security code or full IBAN is ever stored: the brand,
    the last four digits and the expiry identify the card to the client; the
    provider's token or authorisation reference identifies it to the
    provider.
    """

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        CHEQUE = "cheque", _("Cheque")
        GIFT_CARD = "gift_card", _("Gift card")

    class CardBrand(models.TextChoices):
        NONE = "", "—"
        VISA = "visa", _("Visa")
        MASTERCARD = "mastercard", _("Mastercard")
        AMEX = "amex", _("American Express")
        CB = "cb", _("Carte Bancaire")
        UNIONPAY = "unionpay", _("UnionPay")
        JCB = "jcb", _("JCB")

    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("order"),
    )
    method = models.CharField(
        max_length=20, choices=Method.choices, verbose_name=_("method")
    )
    amount = models.DecimalField(
        **MONEY,
        validators=[
            MinValueValidator(Decimal("0.01"), _("A payment is more than zero."))
        ],
        verbose_name=_("amount"),
    )
    currency = models.CharField(
        max_length=3, choices=CURRENCIES, verbose_name=_("currency")
    )
    provider_reference = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("The payment provider's token or authorisation reference."),
        verbose_name=_("provider reference"),
    )
    card_brand = models.CharField(
        max_length=12,
        choices=CardBrand.choices,
        blank=True,
        verbose_name=_("card brand"),
    )
    card_last4 = models.CharField(
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", _("The last four digits, no more."))],
        verbose_name=_("card last four digits"),
    )
    card_expiry_month = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, _("A month is 1 to 12.")),
            MaxValueValidator(12, _("A month is 1 to 12.")),
        ],
        verbose_name=_("card expiry month"),
    )
    card_expiry_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(2000, _("Enter the year in four digits.")),
            MaxValueValidator(2100, _("Enter the year in four digits.")),
        ],
        verbose_name=_("card expiry year"),
    )
    iban_masked = models.CharField(
        max_length=34,
        blank=True,
        validators=[
            RegexValidator(
                MASKED_IBAN_PATTERN,
                _("Only a masked IBAN is kept (country code, stars, last four)."),
            )
        ],
        verbose_name=_("masked IBAN"),
    )
    received_at = models.DateTimeField(verbose_name=_("received at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = house_history()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # Retention asks, for each old card payment, whether the same
            # token was used since (orders.retention).
            models.Index(
                fields=["provider_reference", "received_at"],
                name="payment_token_used_at",
                condition=~Q(provider_reference=""),
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="payment_amount_positive", condition=Q(amount__gt=0)
            ),
            models.CheckConstraint(
                name="payment_card_details_only_for_cards",
                condition=Q(method="card")
                | Q(card_brand="", card_last4="", card_expiry_month__isnull=True),
                violation_error_message=_("Card details belong to a card payment."),
            ),
        ]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self):
        detail = f" •••• {self.card_last4}" if self.card_last4 else ""
        return f"{self.get_method_display()}{detail} {self.amount} {self.currency}"

    def clean(self):
        errors = {}
        order = self.order if self.order_id else None
        if order and self.currency and self.currency != order.currency:
            errors["currency"] = _(
                "The order is in %(currency)s, not %(currency2)s."
            ) % {"currency": order.currency, "currency2": self.currency}
        if order and order.status in ("draft", "cancelled"):
            errors["order"] = _("A %(status)s order takes no payment.") % {
                "status": order.get_status_display().lower()
            }
        if self.method != self.Method.CARD and (
            self.card_brand or self.card_last4 or self.card_expiry_month
        ):
            errors["method"] = _("Card details belong to a card payment.")
        if errors:
            raise ValidationError(errors)
