"""Files of bounces and complaints sent back by the email provider."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.display import day


class BounceImport(models.Model):
    """One file of hard bounces and complaints, imported as a whole.

    Holds counts only: the addresses went to the suppression list as keyed
    hashes, the complaints to the ledger as withdrawals (decision 0074).
    """

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(verbose_name=_("uploaded at"))
    file_sha256 = models.CharField(max_length=64, verbose_name=_("file SHA-256"))
    rows = models.PositiveIntegerField(verbose_name=_("rows"))
    hard_bounces = models.PositiveIntegerField(verbose_name=_("hard bounces"))
    complaints = models.PositiveIntegerField(verbose_name=_("complaints"))
    unknown_addresses = models.PositiveIntegerField(
        help_text=_("Addresses of no client on file, suppressed all the same."),
        verbose_name=_("unknown addresses"),
    )
    newly_suppressed = models.PositiveIntegerField(
        verbose_name=_("addresses newly suppressed")
    )
    withdrawals = models.PositiveIntegerField(
        help_text=_("Consents to email marketing withdrawn after a complaint."),
        verbose_name=_("consents withdrawn"),
    )
    # The job that wrote it (kind consents.bounce_import); empty for the
    # imports made before imports ran as jobs.
    job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("job"),
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("bounce and complaint file")
        verbose_name_plural = _("bounce and complaint files")

    def __str__(self):
        return _("Bounces and complaints of %(day)s") % {"day": day(self.uploaded_at)}
