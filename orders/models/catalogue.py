from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clienteling.models import MetalAllergy
from core.free_text import FreeTextModel
from core.history import house_history
from orders.models.base import CURRENCIES, MONEY


def validate_metals(value) -> None:
    """A list of MetalAllergy.Metal values, so allergy checks are exact."""
    allowed = set(MetalAllergy.Metal.values)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Metals are a list of metal codes."))
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValidationError(
            _("Unknown metal(s): %(unknown)s. Use one of: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}
        )


class Product(FreeTextModel):
    """A piece of the catalogue, with what it is made of."""

    class Category(models.TextChoices):
        RING = "ring", _("Ring")
        NECKLACE = "necklace", _("Necklace")
        PENDANT = "pendant", _("Pendant")
        BRACELET = "bracelet", _("Bracelet")
        EARRINGS = "earrings", _("Earrings")
        BROOCH = "brooch", _("Brooch")
        TIARA = "tiara", _("Tiara")
        WATCH = "watch", _("Watch")
        OTHER = "other", _("Other")

    reference = models.CharField(
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9.\-]{2,29}$",
                _("A reference is 3 to 30 capital letters, digits, dots or dashes."),
            )
        ],
        verbose_name=_("reference"),
    )
    name = models.CharField(max_length=150, verbose_name=_("name"))
    collection = models.ForeignKey(
        "clienteling.Collection",
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("collection"),
    )
    category = models.CharField(
        max_length=20, choices=Category.choices, verbose_name=_("category")
    )
    # MetalAllergy.Metal codes: a list rather than a table because it is
    # read whole, with the product, every time an order line is checked.
    metals = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_metals],
        help_text=_("Every metal in the piece, plating included."),
        verbose_name=_("metals"),
    )
    stones = models.CharField(max_length=200, blank=True, verbose_name=_("stones"))
    price = models.DecimalField(
        **MONEY, validators=[MinValueValidator(0)], verbose_name=_("price")
    )
    currency = models.CharField(
        max_length=3, choices=CURRENCIES, default="EUR", verbose_name=_("currency")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    history = house_history()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                name="product_price_not_negative", condition=Q(price__gte=0)
            )
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.reference} {self.name}"

    def get_metals_display(self) -> str:
        labels = dict(MetalAllergy.Metal.choices)
        return ", ".join(str(labels.get(m, m)) for m in self.metals)
