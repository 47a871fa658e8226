from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from clienteling.digests import email_digest, phone_digest
from core.free_text import FreeTextModel
from core.history import house_history


class _DigestManager(models.Manager):
    """Fills each row's keyed digest on bulk_create too (imports use it)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.fill_digest()
        return super().bulk_create(objs, *args, **kwargs)


class _WithDigest(models.Model):
    """A contact row keeping the keyed digest of its value (decision 0086):
    consents checks its suppression list by an indexed join on it."""

    # HMAC-SHA256 (clienteling.digests) of the normalised value; set on
    # every save and bulk_create, never edited. Null: not computed (a row
    # written around the ORM); consents hashes those in Python.
    digest = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        verbose_name=_("keyed digest"),
    )

    objects = _DigestManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_digest()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "digest" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "digest"]
        super().save(*args, **kwargs)

    def fill_digest(self):
        raise NotImplementedError


class ClientEmail(_WithDigest):
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

    def fill_digest(self):
        self.digest = email_digest(self.address)


class ClientPhone(_WithDigest):
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

    def fill_digest(self):
        self.digest = phone_digest(self.number)


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
