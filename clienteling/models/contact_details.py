from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from core.free_text import FreeTextModel
from core.history import house_history


class ClientEmail(models.Model):
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("client"),
    )
    address = models.EmailField(verbose_name=_("address"))
    is_primary = models.BooleanField(default=False, verbose_name=_("primary"))

    history = house_history()

    class Meta:
        verbose_name = _("email address")
        verbose_name_plural = _("email addresses")
        constraints = [
            models.UniqueConstraint(
                "client",
                Lower("address"),
                name="client_email_once",
                violation_error_message=_("This client already has this email."),
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(is_primary=True),
                name="client_one_primary_email",
                violation_error_message=_("A client has one primary email."),
            ),
        ]
        indexes = [models.Index(Lower("address"), name="client_email_lower")]

    def __str__(self):
        return self.address

    def save(self, *args, **kwargs):
        self.address = self.address.strip()
        super().save(*args, **kwargs)


class ClientPhone(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        LANDLINE = "landline", _("Landline")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="phones",
        verbose_name=_("client"),
    )
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.MOBILE, verbose_name=_("kind")
    )
    # Stored in E.164; PhoneNumberField refuses a number that does not parse.
    number = PhoneNumberField(db_index=True, verbose_name=_("number"))
    is_primary = models.BooleanField(default=False, verbose_name=_("primary"))

    history = house_history()

    class Meta:
        verbose_name = _("phone number")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "number"],
                name="client_phone_once",
                violation_error_message=_("This client already has this number."),
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(is_primary=True),
                name="client_one_primary_phone",
                violation_error_message=_("A client has one primary phone number."),
            ),
        ]
        verbose_name_plural = _("phone numbers")

    def __str__(self):
        return str(self.number)


class ClientAddress(FreeTextModel):
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="addresses",
        verbose_name=_("client"),
    )
    line1 = models.CharField(_("address"), max_length=200)
    line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postal_code = models.CharField(
        max_length=20, blank=True, verbose_name=_("postal code")
    )
    city = models.CharField(max_length=100, verbose_name=_("city"))
    region = models.CharField(max_length=100, blank=True, verbose_name=_("region"))
    country = CountryField(verbose_name=_("country"))
    is_primary = models.BooleanField(default=False, verbose_name=_("primary"))

    history = house_history()

    class Meta:
        verbose_name = _("postal address")
        verbose_name_plural = _("postal addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(is_primary=True),
                name="client_one_primary_address",
                violation_error_message=_("A client has one primary address."),
            ),
        ]

    def __str__(self):
        return f"{self.line1}, {self.city}"


class SocialIdentifier(FreeTextModel):
    class Network(models.TextChoices):
        INSTAGRAM = "instagram", _("Instagram")
        WECHAT = "wechat", _("WeChat")
        WHATSAPP = "whatsapp", _("WhatsApp")
        LINE = "line", _("LINE")
        KAKAOTALK = "kakaotalk", _("KakaoTalk")
        X = "x", "X"
        FACEBOOK = "facebook", _("Facebook")
        LINKEDIN = "linkedin", _("LinkedIn")
        OTHER = "other", _("Other")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="social_ids",
        verbose_name=_("client"),
    )
    network = models.CharField(
        max_length=20, choices=Network.choices, verbose_name=_("network")
    )
    handle = models.CharField(max_length=100, verbose_name=_("handle"))

    history = house_history()

    class Meta:
        verbose_name = _("social-media identifier")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "network", "handle"], name="client_social_once"
            ),
        ]
        verbose_name_plural = _("social-media identifiers")

    def __str__(self):
        return f"{self.get_network_display()}: {self.handle}"
