"""Group and partner sharing: partners, batches, disclosures, insights.

A batch row is the record of one transfer (who, when, how many, under
which rule version and key); it holds no personal data. A disclosure row
says that one client's data went to one recipient, so that a withdrawal
can be recalled in the next transfer and the subject-access report can
name the recipients who actually received the client's data.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.display import day
from core.free_text import FreeTextModel


class Partner(FreeTextModel):
    """A department store operating some of the house's shop-in-shops.

    The partner is a separate controller: it receives consenting clients of
    its shop-in-shops under a data-sharing agreement.
    """

    code = models.SlugField(
        max_length=50,
        unique=True,
        help_text=_("Stable code; also the recipient name in SHARING_KEYS."),
        verbose_name=_("code"),
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    agreement_reference = models.CharField(
        _("data-sharing agreement reference"), max_length=80
    )
    agreement_signed_on = models.DateField(verbose_name=_("agreement signed on"))
    boutiques = models.ManyToManyField(
        "clienteling.Boutique",
        related_name="sharing_partners",
        help_text=_("The shop-in-shops this store operates."),
        verbose_name=_("boutiques"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return f"{self.name} ({self.agreement_reference})"


class SharingBatch(models.Model):
    """One transfer to the parent group or to a partner."""

    class Kind(models.TextChoices):
        GROUP = "group", _("Cross-group intelligence (parent group)")
        PARTNER = "partner", _("Department-store partner")

    batch_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("batch ID")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the scheduled job."),
        verbose_name=_("created by"),
    )
    consent_snapshot_at = models.DateTimeField(
        help_text=_("Consents are read as they stood at this instant."),
        verbose_name=_("consent snapshot at"),
    )
    since = models.DateField(null=True, blank=True, verbose_name=_("changes since"))
    rule_version = models.CharField(max_length=40, verbose_name=_("rule version"))
    key_id = models.CharField(max_length=20, verbose_name=_("key ID"))
    client_count = models.PositiveIntegerField(
        default=0, verbose_name=_("client count")
    )
    row_count = models.PositiveIntegerField(default=0, verbose_name=_("row count"))
    withdrawal_count = models.PositiveIntegerField(
        default=0, verbose_name=_("withdrawal count")
    )
    folder = models.CharField(max_length=300, verbose_name=_("folder"))
    manifest_sha256 = models.CharField(
        max_length=64, verbose_name=_("manifest SHA-256")
    )
    # The export job that wrote it (one batch per job); its progress,
    # attempts and failures live on the job row.
    job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("job"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sharing batch")
        verbose_name_plural = _("sharing batches")
        constraints = [
            models.CheckConstraint(
                name="sharing_batch_partner_iff_partner_kind",
                condition=Q(kind="partner", partner__isnull=False)
                | Q(kind="group", partner__isnull=True),
            )
        ]
        permissions = [
            ("run_group_export", "Can run the cross-group export"),
            ("run_partner_export", "Can run a partner export"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.batch_id} ({day(self.created_at)})"

    @property
    def recipient(self) -> str:
        return self.partner.code if self.partner_id else "group"


class Disclosure(models.Model):
    """One client's data went to one recipient (and whether it was recalled)."""

    recipient = models.CharField(
        max_length=50,
        help_text=_("'group' or a partner code."),
        verbose_name=_("recipient"),
    )
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client"),
    )
    first_batch = models.ForeignKey(
        SharingBatch,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("first batch"),
    )
    last_batch = models.ForeignKey(
        SharingBatch,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last batch"),
    )
    recalled_in = models.ForeignKey(
        SharingBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The batch whose withdrawal list asked the recipient to delete."),
        verbose_name=_("recalled in"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "client"], name="disclosure_once_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["recipient", "recalled_in", "client"])]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self):
        return f"client {self.client_id} -> {self.recipient}"


class InsightImport(models.Model):
    """One file of generalised insights received from the parent group."""

    batch_id = models.CharField(max_length=64, unique=True, verbose_name=_("batch ID"))
    imported_at = models.DateTimeField(verbose_name=_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    file_sha256 = models.CharField(max_length=64, verbose_name=_("file SHA-256"))
    rows_total = models.PositiveIntegerField(verbose_name=_("rows total"))
    rows_linked = models.PositiveIntegerField(verbose_name=_("rows linked"))
    dropped_withdrawn = models.PositiveIntegerField(verbose_name=_("dropped withdrawn"))
    dropped_unknown = models.PositiveIntegerField(verbose_name=_("dropped unknown"))
    # The import job that linked it (its progress and failures live there).
    job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("job"),
    )

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("insight import")
        verbose_name_plural = _("insight imports")

    def __str__(self):
        return f"insights {self.batch_id}"


class GroupInsight(models.Model):
    """The group's latest generalised insight about one client."""

    client = models.OneToOneField(
        "clienteling.Client",
        on_delete=models.CASCADE,
        related_name="group_insight",
        verbose_name=_("client"),
    )
    source_import = models.ForeignKey(
        InsightImport,
        on_delete=models.PROTECT,
        related_name="insights",
        verbose_name=_("source import"),
    )
    segment_codes = models.JSONField(default=list, verbose_name=_("segment codes"))
    preferred_categories = models.JSONField(
        default=list, verbose_name=_("preferred categories")
    )
    house_affinity = models.JSONField(
        default=dict,
        help_text=_("House code -> score between 0 and 1."),
        verbose_name=_("house affinity"),
    )
    received_at = models.DateTimeField(verbose_name=_("received at"))

    class Meta:
        verbose_name = _("insight from the group")
        verbose_name_plural = _("insights from the group")

    def __str__(self):
        return _("group insight for client %(client_id)s") % {
            "client_id": self.client_id
        }
