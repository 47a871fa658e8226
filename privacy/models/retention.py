"""Retention rules (editable by compliance) and the runs that apply them."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.classification import Category
from core.free_text import LONG_TEXT_MAX_LENGTH, FreeTextModel


class RetentionRule(FreeTextModel):
    """How long one category of data is kept for one purpose.

    The behaviour of each rule is code (privacy.retention.HANDLERS, keyed by
    `code`); its period, whether it runs, and the source that justifies it
    are data, so compliance can change them without a release.
    """

    code = models.SlugField(max_length=50, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=150, verbose_name=_("name"))
    category = models.CharField(
        max_length=30,
        choices=[(c.value, c.value) for c in Category],
        verbose_name=_("category"),
    )
    purpose = models.CharField(max_length=150, verbose_name=_("purpose"))
    period_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        # Named on the field, not only by the constraint below: the error
        # then says which field is wrong.
        validators=[MinValueValidator(1)],
        help_text=_(
            "Empty: the period is set for the installation, not here "
            "(the access log: one year unless configured otherwise)."
        ),
        verbose_name=_("period days"),
    )
    anchor = models.CharField(
        max_length=150,
        help_text=_("The date the period runs from."),
        verbose_name=_("anchor"),
    )
    source = models.TextField(
        max_length=LONG_TEXT_MAX_LENGTH,
        help_text=_("The law or guidance behind the period."),
        verbose_name=_("source"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="retention_period_positive",
                condition=models.Q(period_days__isnull=True)
                | models.Q(period_days__gte=1),
            )
        ]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self):
        return self.name

    def effective_days(self) -> int:
        if self.period_days is not None:
            return self.period_days
        return settings.ACCESS_LOG_RETENTION_DAYS


class RetentionRun(models.Model):
    """One pass over every active rule, by batches, resumable.

    `now` is frozen when the run starts so a run resumed the next morning
    applies the same cut-offs; `cursor` holds, per rule, the last id done
    (committed with that batch's work, fenced by the lease of its core.Job).
    The run's bookkeeping (claim, lease, progress, recovery) is `job`'s;
    `status` says whether the pass over the rules is complete.
    """

    class Status(models.TextChoices):
        RUNNING = "running", pgettext_lazy("retention run status", "Running")
        DONE = "done", pgettext_lazy("retention run status", "Done")
        # Its job failed for good or was stopped; "Start again" on the jobs
        # page puts it back to running, from its cursor.
        STOPPED = "stopped", _("Stopped before the end")

    dry_run = models.BooleanField(default=False, verbose_name=_("dry run"))
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.RUNNING,
        verbose_name=_("status"),
    )
    now = models.DateTimeField(verbose_name=_("reference time"))
    started_at = models.DateTimeField(verbose_name=_("started at"))
    finished_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("finished at")
    )
    job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("job"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    # {"rule code": last id done, or null when the rule is finished}
    cursor = models.JSONField(default=dict, blank=True, verbose_name=_("cursor"))
    # {"rule code": {"rows": n, "held": n, ...}}
    counts = models.JSONField(default=dict, blank=True, verbose_name=_("counts"))

    class Meta:
        ordering = ["-started_at", "-id"]
        permissions = [("run_retention", "Can run retention (and its dry run)")]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self):
        kind = "dry run" if self.dry_run else "run"
        return f"Retention {kind} #{self.pk} ({self.status})"
