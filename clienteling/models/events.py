from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.display import day
from core.free_text import LONG_TEXT_MAX_LENGTH, FreeTextModel
from core.history import house_history


class HouseEvent(FreeTextModel):
    """An event the house organises (a private viewing, a launch...)."""

    name = models.CharField(max_length=200, verbose_name=_("name"))
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("boutique"),
    )
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    capacity = models.PositiveIntegerField(verbose_name=_("capacity"))
    description = models.TextField(
        blank=True, max_length=LONG_TEXT_MAX_LENGTH, verbose_name=_("description")
    )

    history = house_history()

    class Meta:
        verbose_name = _("event")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                name="event_capacity_positive", condition=models.Q(capacity__gt=0)
            )
        ]
        verbose_name_plural = _("events")

    def __str__(self):
        return f"{self.name} ({day(self.starts_at)})"


class Invitation(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    # Seats are held by these statuses; capacity is checked against them.
    SEAT_HOLDING = (Status.ACCEPTED, Status.ATTENDED)

    event = models.ForeignKey(
        HouseEvent,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("event"),
    )
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("client"),
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.INVITED,
        verbose_name=_("status"),
    )
    invited_at = models.DateTimeField(auto_now_add=True, verbose_name=_("invited at"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    responded_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("responded at")
    )

    history = house_history()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "client"],
                name="invitation_once",
                violation_error_message=_("This client is already invited."),
            )
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.client_id} → {self.event}"
