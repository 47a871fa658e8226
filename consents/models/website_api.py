"""The website intake API's own rows (decision 0075).

WebsiteClient: one website of the house that may call the API, and the
boutiques it may create clients for. WebsiteApiKey: its keys, stored as a
SHA-256 digest with a short prefix shown to staff; rotation gives the old
key an end date (the grace period) instead of deleting it. WebsiteApiCall:
one row per event id accepted, so a replay answers the same result and
writes nothing. CookieChoice: the append-only history of a client's
cookie and tracker choices (the client row keeps the current summary).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.display import moment
from core.free_text import FreeTextModel


class WebsiteClient(FreeTextModel):
    """A website of the house allowed to call the intake API."""

    name = models.CharField(max_length=120, unique=True, verbose_name=_("name"))
    boutiques = models.ManyToManyField(
        "clienteling.Boutique",
        related_name="+",
        help_text=_(
            "The boutiques this website may create and update clients for; "
            "the first one is the home boutique of the clients it creates."
        ),
        verbose_name=_("boutiques"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("website client")
        verbose_name_plural = _("website clients")
        permissions = [("rotate_website_key", "Can rotate a website client's key")]

    def __str__(self):
        return self.name


class WebsiteApiKey(models.Model):
    """One key of a website client; only its digest is stored."""

    website_client = models.ForeignKey(
        WebsiteClient,
        on_delete=models.CASCADE,
        related_name="keys",
        verbose_name=_("website client"),
    )
    prefix = models.CharField(max_length=16, unique=True, verbose_name=_("prefix"))
    digest = models.CharField(max_length=64, verbose_name=_("digest"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Empty while the key is current; set by a rotation to the end of its
    # grace period, after which the key is refused.
    valid_until = models.DateTimeField(
        null=True, blank=True, verbose_name=_("valid until")
    )

    class Meta:
        ordering = ["website_client", "-created_at"]
        verbose_name = _("website API key")
        verbose_name_plural = _("website API keys")

    def __str__(self):
        return f"{self.prefix}…"


class WebsiteApiCall(models.Model):
    """An accepted call, by the event id its website gave it."""

    website_client = models.ForeignKey(
        WebsiteClient,
        on_delete=models.PROTECT,
        related_name="calls",
        verbose_name=_("website client"),
    )
    event_id = models.CharField(max_length=64, verbose_name=_("event ID"))
    endpoint = models.CharField(max_length=40, verbose_name=_("endpoint"))
    body_sha256 = models.CharField(max_length=64, verbose_name=_("body digest"))
    status_code = models.PositiveSmallIntegerField(verbose_name=_("status code"))
    # The JSON answered the first time (no personal data but the client
    # number), answered again on a replay.
    response = models.JSONField(default=dict, verbose_name=_("response"))
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client"),
    )
    at = models.DateTimeField(verbose_name=_("when"))

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["website_client", "event_id"],
                name="website_api_call_once_per_event",
            )
        ]
        verbose_name = _("website API call")
        verbose_name_plural = _("website API calls")

    def __str__(self):
        return f"{self.endpoint} {self.event_id}"


class CookieChoice(models.Model):
    """A client's cookie and tracker choice on a website; append-only."""

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client"),
    )
    website_client = models.ForeignKey(
        WebsiteClient,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("website client"),
    )
    preferences = models.BooleanField(verbose_name=_("navigation preferences"))
    statistics = models.BooleanField(verbose_name=_("audience statistics"))
    advertising = models.BooleanField(verbose_name=_("advertising and retargeting"))
    decided_at = models.DateTimeField(verbose_name=_("decided at"))

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["client", "-decided_at"])]
        verbose_name = _("cookie choice")
        verbose_name_plural = _("cookie choices")

    def __str__(self):
        return moment(self.decided_at)
