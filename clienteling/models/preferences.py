from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.free_text import FreeTextModel
from core.history import house_history


class Collection(FreeTextModel):
    """A collection of the house (the catalogue's products belong to one)."""

    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    history = house_history()

    class Meta:
        ordering = ["name"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self):
        return self.name


class Interest(models.Model):
    """A collection the client has said they like."""

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="interests",
        verbose_name=_("client"),
    )
    collection = models.ForeignKey(
        Collection, on_delete=models.PROTECT, verbose_name=_("collection")
    )
    noted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("noted at"))

    history = house_history()

    class Meta:
        verbose_name = _("collection of interest")
        verbose_name_plural = _("collections of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "collection"], name="client_interest_once"
            )
        ]

    def __str__(self):
        return str(self.collection)


class ContactPreference(models.Model):
    """How and when the client prefers to be contacted."""

    class Channel(models.TextChoices):
        EMAIL = "email", pgettext_lazy("contact channel", "Email")
        PHONE = "phone", _("Phone call")
        SMS = "sms", _("Text message")
        POST = "post", pgettext_lazy("contact channel", "Post")
        INSTANT_MESSAGING = "instant_messaging", _("Instant messaging")
        BOUTIQUE = "boutique", _("In the boutique")

    class TimeWindow(models.TextChoices):
        ANY = "any", _("Any time")
        MORNING = "morning", _("Mornings")
        AFTERNOON = "afternoon", _("Afternoons")
        EVENING = "evening", _("Evenings")
        WEEKEND = "weekend", _("Weekends")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="contact_preferences",
        verbose_name=_("client"),
    )
    channel = models.CharField(
        max_length=20, choices=Channel.choices, verbose_name=_("channel")
    )
    time_window = models.CharField(
        max_length=10,
        choices=TimeWindow.choices,
        default=TimeWindow.ANY,
        verbose_name=_("time window"),
    )

    history = house_history()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "channel"], name="client_channel_once"
            )
        ]
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self):
        return f"{self.get_channel_display()} ({self.get_time_window_display()})"
