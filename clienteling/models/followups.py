from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.display import day
from core.free_text import FreeTextModel
from core.history import house_history


class FollowUp(FreeTextModel):
    """A task for an adviser: call, write or invite a client."""

    class Reason(models.TextChoices):
        ANNIVERSARY = "anniversary", _("Upcoming date")
        AFTER_PURCHASE = "after_purchase", _("After a purchase")
        LAPSING = "lapsing", _("Lapsing client")
        MANUAL = "manual", _("Manual")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("follow-up status", "Open")
        DONE = "done", pgettext_lazy("follow-up status", "Done")
        DISMISSED = "dismissed", _("Dismissed")

    class Outcome(models.TextChoices):
        """What came of a follow-up marked done."""

        REACHED = "reached", _("Spoke with the client")
        APPOINTMENT_BOOKED = "appointment_booked", _("Appointment booked")
        MESSAGE_LEFT = "message_left", _("Left a message")
        NOT_REACHED = "not_reached", _("Could not reach the client")
        NOT_INTERESTED = "not_interested", _("Client not interested")
        NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed")

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("client"),
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("adviser"),
    )
    due_date = models.DateField(verbose_name=_("due date"))
    reason = models.CharField(
        max_length=20, choices=Reason.choices, verbose_name=_("reason")
    )
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.OPEN,
        verbose_name=_("status"),
    )
    done_outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, blank=True
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    # What generated it ("anniversary:<date id>:<year>"); makes the nightly
    # generation idempotent.
    source_key = models.CharField(
        max_length=80,
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("source key"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = house_history()

    class Meta:
        verbose_name = _("follow-up")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["adviser", "status", "due_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=Q(source_key__isnull=False),
                name="follow_up_generated_once",
            )
        ]
        verbose_name_plural = _("follow-ups")

    def __str__(self):
        return f"{self.get_reason_display()} · {day(self.due_date)}"

    def clean(self):
        super().clean()
        if self.status == self.Status.DONE and not self.done_outcome:
            raise ValidationError(
                {
                    "done_outcome": _(
                        "Choose the outcome: a follow-up is marked done with "
                        "what came of it."
                    )
                }
            )
        if self.status == self.Status.OPEN and self.done_outcome:
            raise ValidationError(
                {
                    "status": _(
                        "An open follow-up has no outcome yet: mark it done, "
                        "or leave the outcome empty."
                    )
                }
            )
