"""The job row: the one place a long job's state lives (not in Redis).

Every long job of the project (subject-access report, erasure, retention,
outreach list, exports, imports, follow-up generation) is one row here,
driven by core.jobs.engine. Its domain row (a report, an erasure, a
batch...) points to it; the bookkeeping (claim, lease, heartbeat,
attempts, progress, sweep) is written only in core.jobs.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", pgettext_lazy("job status", "Running")
        DONE = "done", pgettext_lazy("job status", "Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")
        CANCELLED = "cancelled", pgettext_lazy("job status", "Cancelled")

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)
    UNFINISHED = (Status.QUEUED, Status.RUNNING)

    # A registered JobKind's name, e.g. "privacy.subject_access_report".
    kind = models.CharField(max_length=60, verbose_name=_("kind"))
    # What staff read on the Jobs page: no personal data beyond a number.
    label = models.CharField(max_length=200, verbose_name=_("label"))
    # Ids and flags only: what the kind needs to find its work again.
    params = models.JSONField(default=dict, blank=True, verbose_name=_("parameters"))
    # At most one unfinished job per key (e.g. one report per request).
    dedupe_key = models.CharField(
        max_length=120, blank=True, verbose_name=_("dedupe key")
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.QUEUED,
        verbose_name=_("status"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who started it; empty for scheduled jobs."),
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    # When a message for it was last sent to the broker.
    enqueued_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("enqueued at")
    )
    started_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("started at")
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("heartbeat at")
    )
    finished_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("finished at")
    )
    # Each claim by a worker is one attempt; after max_attempts the job fails.
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    max_attempts = models.PositiveSmallIntegerField(
        default=3, verbose_name=_("max attempts")
    )
    # The lease: the worker holding lease_token may run the job until
    # lease_until; every write of a running job is fenced by the token.
    lease_token = models.UUIDField(null=True, blank=True, verbose_name=_("lease token"))
    lease_until = models.DateTimeField(
        null=True, blank=True, verbose_name=_("lease until")
    )
    cancel_requested_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("cancel requested at")
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    progress_done = models.PositiveBigIntegerField(
        default=0, verbose_name=_("progress done")
    )
    progress_total = models.PositiveBigIntegerField(
        default=0, verbose_name=_("progress total")
    )
    progress_label = models.CharField(
        max_length=200, blank=True, verbose_name=_("progress label")
    )
    # Counts and ids only, never personal data.
    result = models.JSONField(default=dict, blank=True, verbose_name=_("result"))
    # Relative to core.jobs.files.root(); deleted at result_expires_at.
    result_file = models.CharField(
        max_length=200, blank=True, verbose_name=_("result file")
    )
    result_size = models.PositiveBigIntegerField(
        null=True, blank=True, verbose_name=_("result size")
    )
    result_sha256 = models.CharField(
        max_length=64, blank=True, verbose_name=_("result SHA-256")
    )
    result_expires_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("result expires at")
    )
    # A sentence fit for staff: what went wrong and what to do next.
    error = models.CharField(max_length=300, blank=True, verbose_name=_("error"))
    # When the owner was shown that it finished (the header notice).
    seen_at = models.DateTimeField(null=True, blank=True, verbose_name=_("seen at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        permissions = [("view_all_jobs", "Can see every user's jobs")]
        indexes = [
            models.Index(fields=["status", "lease_until"], name="job_lease"),
            models.Index(fields=["status", "enqueued_at"], name="job_queue"),
            models.Index(fields=["owner", "status"], name="job_owner"),
            models.Index(fields=["kind", "status"], name="job_kind"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]) & ~Q(dedupe_key=""),
                name="job_one_unfinished_per_key",
                violation_error_message=_("This job is already waiting or running."),
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total"))
                | Q(progress_total=0),
                name="job_progress_within_total",
            ),
        ]
        verbose_name_plural = _("jobs")

    def __str__(self):
        return f"{self.label} (job {self.pk})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int | None:
        """Whole percent done, or None while the total is unknown."""
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return None
        return min(100, 100 * self.progress_done // self.progress_total)
