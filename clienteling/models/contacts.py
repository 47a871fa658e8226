from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.free_text import LONG_TEXT_MAX_LENGTH, FreeTextModel
from core.history import house_history

# The privacy notice's own words on instant messaging, shown whenever an
# instant-messaging contact is logged.
INSTANT_MESSAGING_WARNING = _(
    "The house cannot guarantee the confidentiality and security of data "
    "exchanged through instant messaging: the messaging company is itself "
    "responsible for that processing, which remains outside the house's "
    "control."
)


class ContactEvent(FreeTextModel):
    """One contact with the client, in any direction and on any channel."""

    class Channel(models.TextChoices):
        BOUTIQUE_VISIT = "boutique_visit", _("Boutique visit")
        PHONE = "phone", _("Phone")
        EMAIL = "email", pgettext_lazy("contact channel", "Email")
        POST = "post", pgettext_lazy("contact channel", "Post")
        SOCIAL_NETWORK = "social_network", _("Social network")
        INSTANT_MESSAGING = "instant_messaging", _("Instant messaging")
        WEB_FORM = "web_form", pgettext_lazy("contact channel", "Web form")

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From the client")
        OUTBOUND = "outbound", _("To the client")

    class Outcome(models.TextChoices):
        """What came of the contact; the list a call centre would use."""

        REACHED = "reached", _("Reached the client")
        APPOINTMENT_BOOKED = "appointment_booked", _("Appointment booked")
        CALL_BACK = "call_back", _("Asked to be called back")
        VOICEMAIL = "voicemail", _("Left a voicemail")
        MESSAGE_SENT = "message_sent", _("Message sent")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        DECLINED = "declined", _("Declined to talk")

    # Channels on which the outcome is not obvious and must be given.
    OUTCOME_REQUIRED_CHANNELS = frozenset({Channel.PHONE})

    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("client"),
    )
    channel = models.CharField(
        max_length=20, choices=Channel.choices, verbose_name=_("channel")
    )
    direction = models.CharField(
        max_length=10, choices=Direction.choices, verbose_name=_("direction")
    )
    subject = models.CharField(max_length=200, verbose_name=_("subject"))
    summary = models.TextField(
        blank=True, max_length=LONG_TEXT_MAX_LENGTH, verbose_name=_("summary")
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, blank=True
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff"),
    )
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("boutique"),
    )
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    # An order or after-sales case in the apps above (no import upward).
    related_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("related type"),
    )
    related_id = models.PositiveBigIntegerField(
        null=True, blank=True, verbose_name=_("related ID")
    )
    related_object = GenericForeignKey("related_type", "related_id")

    history = house_history()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-occurred_at"]),
            models.Index(
                fields=["outcome", "-occurred_at"], name="contact_outcome_idx"
            ),
            # The homes: my contacts today, the team's clients contacted
            # this month (counted from the index alone, decision 0040).
            models.Index(
                fields=["staff", "occurred_at", "client"], name="contact_staff_recent"
            ),
            # The dashboards: the contacts since the last facts rebuild
            # (today's), read live beside the daily facts (decision 0111).
            models.Index(fields=["occurred_at"], name="contact_occurred"),
        ]
        constraints = [
            models.CheckConstraint(
                name="contact_related_both_or_neither",
                condition=models.Q(related_type__isnull=True, related_id__isnull=True)
                | models.Q(related_type__isnull=False, related_id__isnull=False),
            )
        ]
        verbose_name = _("contact event")
        verbose_name_plural = _("contact events")

    def __str__(self):
        return f"{self.get_channel_display()}: {self.subject}"

    def clean(self):
        super().clean()
        if self.channel in self.OUTCOME_REQUIRED_CHANNELS and not self.outcome:
            raise ValidationError(
                {
                    "outcome": _(
                        "Choose the outcome of the call (reached, voicemail, "
                        "no answer...): a phone call is logged with its outcome."
                    )
                }
            )

    @property
    def is_instant_messaging(self) -> bool:
        return self.channel == self.Channel.INSTANT_MESSAGING
