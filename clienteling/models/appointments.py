from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.display import day, moment
from core.free_text import LONG_TEXT_MAX_LENGTH, FreeTextModel
from core.history import house_history


class AppointmentQuerySet(models.QuerySet):
    def booked(self):
        """Appointments still to happen or to be marked."""
        return self.filter(status=Appointment.Status.BOOKED)

    def overlapping(self, starts_at, ends_at):
        """Appointments that share some time with [starts_at, ends_at)."""
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def on_day(self, value):
        """Appointments starting on a local calendar day."""
        start = timezone.make_aware(datetime.combine(value, time.min))
        end = timezone.make_aware(datetime.combine(value + timedelta(days=1), time.min))
        return self.filter(starts_at__gte=start, starts_at__lt=end)


class Appointment(FreeTextModel):
    """A client's appointment with an adviser in a boutique.

    Rescheduling changes the times of the same row; the history keeps the
    times it had. A cancelled appointment stays, marked cancelled.
    """

    class Purpose(models.TextChoices):
        VIEWING = "viewing", _("Private viewing")
        RING_SIZING = "ring_sizing", _("Ring sizing")
        ENGAGEMENT = "engagement", _("Engagement consultation")
        COLLECTION = "collection", _("Collection of a piece")
        AFTER_SALES = "after_sales", _("After-sales")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")
        CANCELLED = "cancelled", pgettext_lazy("appointment status", "Cancelled")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="appointments",
        verbose_name=_("client"),
    )
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("boutique"),
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("adviser"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    notes = models.TextField(_("notes"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.BOOKED,
        editable=False,
    )
    # Set when the day-before reminder went out: sent once, however often
    # the beat task runs.
    reminded_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("reminded at")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = house_history()
    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["adviser", "starts_at"], name="appointment_adviser"),
            models.Index(fields=["boutique", "starts_at"], name="appointment_boutique"),
            models.Index(
                fields=["starts_at"],
                condition=Q(status="booked", reminded_at__isnull=True),
                name="appointment_to_remind",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="appointment_ends_after_start",
                condition=Q(ends_at__gt=F("starts_at")),
                violation_error_message=_("The end must be after the start."),
            )
        ]

    def __str__(self):
        return _("%(purpose)s on %(when)s") % {
            "purpose": self.get_purpose_display(),
            "when": moment(self.starts_at) if self.starts_at else day(None),
        }

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {
                    "ends_at": _("The end must be after the start (%(start)s).")
                    % {"start": moment(self.starts_at)}
                }
            )

    @property
    def is_booked(self) -> bool:
        return self.status == self.Status.BOOKED
