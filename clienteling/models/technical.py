from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import house_history


class WebAccount(models.Model):
    """The client's "My account" on the website, as last synchronised."""

    client = models.OneToOneField(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="web_account",
        verbose_name=_("client"),
    )
    login_identifier = models.CharField(
        max_length=254, unique=True, verbose_name=_("login identifier")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    last_login_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("last login at")
    )

    history = house_history()

    class Meta:
        verbose_name = _("web account")
        verbose_name_plural = _("web accounts")

    def __str__(self):
        return self.login_identifier


class IpAddressSeen(models.Model):
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="ip_addresses",
        verbose_name=_("client"),
    )
    ip_address = models.GenericIPAddressField(verbose_name=_("IP address"))
    first_seen_at = models.DateTimeField(verbose_name=_("first seen at"))
    last_seen_at = models.DateTimeField(verbose_name=_("last seen at"))

    history = house_history()

    class Meta:
        verbose_name = _("IP address seen")
        verbose_name_plural = _("IP addresses seen")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "ip_address"], name="client_ip_once"
            ),
            models.CheckConstraint(
                name="ip_seen_dates_ordered",
                condition=models.Q(first_seen_at__lte=models.F("last_seen_at")),
                violation_error_message=_("First seen must not be after last seen."),
            ),
        ]

    def __str__(self):
        return self.ip_address
