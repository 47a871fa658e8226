from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from clienteling.querysets import BoutiqueQuerySet
from core.free_text import FreeTextModel
from core.history import house_history
from core.localisation import validate_time_zone


def default_time_zone() -> str:
    return settings.TIME_ZONE


class Boutique(FreeTextModel):
    """A place that sells: the house's own boutique or a shop-in-shop."""

    class Kind(models.TextChoices):
        OWN = "own", _("Own boutique")
        SHOP_IN_SHOP = "shop_in_shop", _("Shop-in-shop (department store)")

    code = models.SlugField(
        max_length=20,
        unique=True,
        help_text=_("Short stable code, e.g. PAR-VENDOME."),
        verbose_name=_("code"),
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.OWN, verbose_name=_("kind")
    )
    department_store = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("The store operating the premises (shop-in-shops only)."),
        verbose_name=_("department store"),
    )
    address_line = models.CharField(max_length=200, verbose_name=_("address line"))
    postal_code = models.CharField(
        max_length=20, blank=True, verbose_name=_("postal code")
    )
    city = models.CharField(max_length=100, verbose_name=_("city"))
    country = CountryField(verbose_name=_("country"))
    language = models.CharField(
        max_length=10,
        help_text=_("Language code the boutique works in, e.g. fr, en."),
        verbose_name=_("language"),
    )
    latitude = models.DecimalField(
        max_digits=8, decimal_places=5, verbose_name=_("latitude")
    )
    longitude = models.DecimalField(
        max_digits=8, decimal_places=5, verbose_name=_("longitude")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_(
            "The boutique's time zone (e.g. Europe/Paris): the times its "
            "staff see are in it."
        ),
        verbose_name=_("time zone"),
    )

    history = house_history()
    objects = BoutiqueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="boutique_store_iff_shop_in_shop",
                condition=(
                    Q(kind="shop_in_shop") & ~Q(department_store="")
                    | Q(kind="own", department_store="")
                ),
                violation_error_message=(
                    _(
                        "A shop-in-shop names its department store; an own "
                        "boutique names none."
                    )
                ),
            ),
            models.CheckConstraint(
                name="boutique_coordinates_in_range",
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                violation_error_message=_("Latitude or longitude out of range."),
            ),
        ]
        verbose_name = _("boutique")
        verbose_name_plural = _("boutiques")

    def __str__(self):
        return self.name


class User(FreeTextModel, AbstractUser):
    """A member of staff. Which clients they see follows their boutiques."""

    boutiques = models.ManyToManyField(
        Boutique,
        blank=True,
        related_name="staff",
        help_text=_("The boutiques this person works in."),
        verbose_name=_("boutiques"),
    )
    language = models.CharField(
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "The language of the back office for this person; blank: "
            "the browser's language."
        ),
        verbose_name=_("language"),
    )

    history = house_history(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username
