"""Art. 19 notices: telling each recipient of a client's data about a
rectification, an erasure, a restriction or a withdrawal.

One row per (recipient, client, cause): the cause (`reference`, e.g.
"erasure#12") makes a retried erasure step or a redelivered hook queue
nothing twice. The client is kept as a link (the erased client's row
stays as a tombstone) and as the pseudonym the recipient knows it by
(`client_ref`), which survives erasure and merges.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RecipientNotice(models.Model):
    class Kind(models.TextChoices):
        RECTIFICATION = "rectification", _("Rectification")
        ERASURE = "erasure", _("Erasure")
        RESTRICTION = "restriction", _("Restriction of processing")
        WITHDRAWAL = "withdrawal", _("Withdrawal of consent")

    class How(models.TextChoices):
        FILE = "file", _("Recall file for the recipient")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("Email")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.CharField(
        _("recipient"),
        max_length=50,
        help_text=_("'group' or a partner code, as on the disclosure."),
    )
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    client_ref = models.CharField(
        _("client reference known to the recipient"), max_length=64
    )
    key_id = models.CharField(_("key ID"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    how = models.CharField(_("how"), max_length=10, choices=How.choices)
    reference = models.CharField(
        _("cause"),
        max_length=60,
        help_text=_("What made the notice: an erasure, a request, a consent."),
    )
    queued_at = models.DateTimeField(_("queued at"))
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("queued by"),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=Outcome.choices,
        default=Outcome.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    folder = models.CharField(
        _("folder"),
        max_length=300,
        blank=True,
        help_text=_("Where the recall file was written, under the sharing root."),
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("recipient notice (Art. 19)")
        verbose_name_plural = _("recipient notices (Art. 19)")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "client_ref", "kind", "reference"],
                name="recipient_notice_once_per_cause",
            ),
            models.CheckConstraint(
                name="recipient_notice_sent_has_time",
                condition=~Q(outcome="sent") | Q(sent_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["outcome", "queued_at"])]
        permissions = [
            ("view_accountability", "Can see and export the accountability file"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"
