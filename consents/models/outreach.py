"""Outreach lists: one row per list asked for, the job's state and counts.

The list itself (client numbers, names and the channel's address) is a CSV
in private storage, named by `file_name`, until `expires_at`; this row
holds no client data. The lifecycle is in consents.outreach (the services).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clienteling.models import ContactPreference
from consents.models.purposes import Purpose
from consents.querysets import OutreachListQuerySet


class OutreachList(models.Model):
    """An outreach list asked for by a member of staff: the job row.

    The scope is the requester's at request time (`whole_house`, or the
    boutiques in `scope_boutique_ids`); the build and the download check it
    again against the requester's scope then, and never widen it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired (file deleted)"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, choices=ContactPreference.Channel)
    boutique = models.ForeignKey(
        "clienteling.Boutique",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only this boutique's clients; empty for all in scope.",
    )
    whole_house = models.BooleanField(
        default=False,
        help_text="The requester saw the clients of every boutique.",
    )
    scope_boutique_ids = models.JSONField(
        default=list,
        blank=True,
        help_text="The boutiques the requester worked in when asking.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # Each build claims the row with the next attempt number and writes only
    # while the number is still its own: a re-delivered message running
    # beside a slow first build cannot interleave with it.
    attempt = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    eligible_count = models.PositiveIntegerField(default=0)
    soft_opt_in_count = models.PositiveIntegerField(default=0)
    # {reason: count}, reasons being consents.selectors.Reason's sentences.
    excluded_by_reason = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=80, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    # Written with each chunk's progress: the hourly sweep sends a list
    # that shows no sign of life for an hour to a worker again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = OutreachListQuerySet.as_manager()

    class Meta:
        verbose_name = "outreach list"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]
        permissions = [
            (
                "download_any_outreach_list",
                "Can download any member of staff's outreach list",
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="outreach_list_done_has_file_and_expiry",
                condition=~Q(status="done")
                | (~Q(file_name="") & Q(expires_at__isnull=False)),
                violation_error_message="A ready list names its file and expiry.",
            ),
            models.CheckConstraint(
                name="outreach_list_scope_named",
                condition=Q(whole_house=True) | ~Q(scope_boutique_ids=[]),
                violation_error_message=(
                    "An outreach list covers the whole house or named boutiques."
                ),
            ),
        ]

    def __str__(self):
        return f"Outreach list {self.pk or 'new'} ({self.get_channel_display()})"

    @property
    def excluded_count(self) -> int:
        return sum(self.excluded_by_reason.values())

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))

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
