"""Outreach lists: one row per list asked for, its build job and its counts.

The list itself (client numbers, names and the channel's address) is the
CSV result file of the list's core.jobs job, in private storage, until the
job's result expires; this row holds no client data. The lifecycle is in
consents.outreach (the services).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clienteling.models import ContactPreference
from consents.models.purposes import Purpose
from consents.querysets import OutreachListQuerySet


class OutreachList(models.Model):
    """An outreach list asked for by a member of staff; `job` builds it.

    The scope is the requester's at request time (`whole_house`, or the
    boutiques in `scope_boutique_ids`); the build and the download check it
    again against the requester's scope then, and never widen it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", pgettext_lazy("outreach list status", "Building")
        DONE = "done", pgettext_lazy("outreach list status", "Ready")
        FAILED = "failed", pgettext_lazy("outreach list status", "Failed")
        EXPIRED = "expired", _("Expired (file deleted)")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    channel = models.CharField(
        max_length=20, choices=ContactPreference.Channel, verbose_name=_("channel")
    )
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only this boutique's clients; empty for all in scope."),
        verbose_name=_("boutique"),
    )
    whole_house = models.BooleanField(
        default=False,
        help_text=_("The requester saw the clients of every boutique."),
        verbose_name=_("whole house"),
    )
    scope_boutique_ids = models.JSONField(
        default=list,
        blank=True,
        help_text=_("The boutiques the requester worked in when asking."),
        verbose_name=_("boutiques in scope"),
    )
    # The build: one core.jobs job (kind consents.outreach_list). Its row
    # holds the bookkeeping (waiting, running, progress, attempts) and the
    # CSV (its result file, deleted by the jobs sweeper at expiry).
    job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("job"),
    )
    # The outcome, recorded once when the build finishes.
    eligible_count = models.PositiveIntegerField(
        default=0, verbose_name=_("eligible count")
    )
    soft_opt_in_count = models.PositiveIntegerField(
        default=0, verbose_name=_("soft opt-in count")
    )
    # {reason: count}, reasons being consents.selectors.Reason's sentences.
    excluded_by_reason = models.JSONField(
        default=dict, blank=True, verbose_name=_("excluded by reason")
    )
    # A narrower list of clients registered by an app above consents
    # ("segments.segment:12"), resolved by outreach.CLIENT_SOURCES; blank
    # for every client in scope.
    source = models.CharField(
        max_length=60, blank=True, editable=False, verbose_name=_("source")
    )
    # Why the file was withdrawn before its expiry (a client on it erased).
    withdrawn = models.CharField(
        max_length=300, blank=True, verbose_name=_("withdrawn")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    objects = OutreachListQuerySet.as_manager()

    class Meta:
        verbose_name = _("outreach list")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"]),
        ]
        permissions = [
            (
                "download_any_outreach_list",
                "Can download any member of staff's outreach list",
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="outreach_list_scope_named",
                condition=Q(whole_house=True) | ~Q(scope_boutique_ids=[]),
                violation_error_message=(
                    _("An outreach list covers the whole house or named boutiques.")
                ),
            ),
        ]
        verbose_name_plural = _("outreach lists")

    def __str__(self):
        return f"Outreach list {self.pk or 'new'} ({self.get_channel_display()})"

    @property
    def excluded_count(self) -> int:
        return sum(self.excluded_by_reason.values())

    @property
    def excluded_by_reason_shown(self) -> list[tuple[str, int]]:
        """(reason, count) in the reader's language: the reasons are stored
        in English (consents.selectors.Reason marks them for translation)."""
        return sorted(
            (gettext(reason), count)
            for reason, count in self.excluded_by_reason.items()
        )

    # --- read from the job row ------------------------------------------------

    def _job_value(self, name, default=None):
        return getattr(self.job, name) if self.job_id else default

    @property
    def status(self) -> str:
        """Waiting, building, ready, failed, or expired (file deleted)."""
        from core.models import Job

        job = self.job if self.job_id else None
        if job is None or job.status == Job.Status.QUEUED:
            return self.Status.QUEUED
        if job.status == Job.Status.RUNNING:
            return self.Status.RUNNING
        if job.status != Job.Status.DONE:
            return self.Status.FAILED
        if self.withdrawn or not job.result_file:
            return self.Status.EXPIRED
        return self.Status.DONE

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def error(self) -> str:
        """Why the list failed or was withdrawn, in staff words."""
        return self.withdrawn or self._job_value("error", "")

    @property
    def progress_done(self) -> int:
        return self._job_value("progress_done", 0)

    @property
    def progress_total(self) -> int:
        return self._job_value("progress_total", 0)

    @property
    def progress_label(self) -> str:
        return self._job_value("progress_label", "")

    @property
    def attempt(self) -> int:
        return self._job_value("attempts", 0)

    @property
    def file_name(self) -> str:
        """The CSV, relative to core.jobs.files.root() (the job's result)."""
        return self._job_value("result_file", "")

    @property
    def size(self) -> int | None:
        return self._job_value("result_size")

    @property
    def started_at(self):
        return self._job_value("started_at")

    @property
    def finished_at(self):
        return self._job_value("finished_at")

    @property
    def expires_at(self):
        return self._job_value("result_expires_at")

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return (self.job.percent or 0) if self.job_id else 0

    @property
    def has_expired(self) -> bool:
        """Past its download window (the sweep may not have run yet)."""
        if self.status == self.Status.EXPIRED:
            return True
        return (
            self.status == self.Status.DONE
            and self.expires_at is not None
            and timezone.now() >= self.expires_at
        )

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class EmailCampaign(models.Model):
    """An outreach list sent as an email campaign (consents.campaigns).

    Who sent which list and the counts; the messages themselves are the
    contact events in each client's history (related to this row), so this
    row holds no client data. `job` sends it (kind consents.email_campaign).
    """

    outreach_list = models.ForeignKey(
        OutreachList,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("outreach list"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("job"),
    )
    # The outcome, recorded when the job finishes.
    sent_count = models.PositiveIntegerField(default=0, verbose_name=_("sent"))
    # {reason: count}: consents.selectors.Reason's sentences and
    # consents.campaigns.FREQUENCY_CAPPED / SEND_FAILED, in English.
    skipped_by_reason = models.JSONField(
        default=dict, blank=True, verbose_name=_("skipped by reason")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("email campaign")
        verbose_name_plural = _("email campaigns")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return gettext("Email campaign %(pk)s") % {"pk": self.pk or "—"}

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped_by_reason.values())

    @property
    def skipped_by_reason_shown(self) -> list[tuple[str, int]]:
        return sorted(
            (gettext(reason), count) for reason, count in self.skipped_by_reason.items()
        )

    @property
    def status_display(self) -> str:
        from core.models import Job

        if not self.job_id:
            return gettext("Queued")
        return Job.Status(self.job.status).label

    @property
    def percent(self) -> int:
        return (self.job.percent or 0) if self.job_id else 0
