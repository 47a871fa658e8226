"""Erasure jobs: the state of each erasure lives here, not in Redis.

A job erases one client (answering a data-subject request) through ordered
steps; each step commits with its counts, fenced by the lease of its core.Job
(job), so a worker that died resumes at the first step not done and counts
nothing twice. The run's bookkeeping (claim, lease, attempts, progress,
recovery) is the core.Job's; this row holds the domain lifecycle only.
Nothing here holds personal data: the receipt names models, actions,
counts and holds, never values.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.free_text import FreeTextModel


class ErasureJob(FreeTextModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved, being carried out")
        DONE = "done", pgettext_lazy("erasure status", "Done")
        REFUSED = "refused", _("Refused (legal hold)")
        CANCELLED = "cancelled", pgettext_lazy("erasure status", "Cancelled")

    # The one place the lifecycle is written down (privacy.erasure checks).
    TRANSITIONS = {
        Status.REQUESTED: {Status.APPROVED, Status.REFUSED, Status.CANCELLED},
        Status.APPROVED: {Status.DONE, Status.REFUSED},
        Status.DONE: set(),
        Status.REFUSED: set(),
        Status.CANCELLED: set(),
    }
    UNFINISHED = (Status.APPROVED,)
    # At most one per client (erasure_one_open_per_client).
    OPEN = (Status.REQUESTED, Status.APPROVED)

    # The client row survives as a tombstone, so the link holds after.
    client = models.ForeignKey(
        "clienteling.Client",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("client"),
    )
    # The data-subject request this erasure answers: an erasure request is
    # completed only once an erasure linked to it is done
    # (privacy.requests.request_close). Empty for an erasure compliance
    # opened without a request.
    request = models.ForeignKey(
        "privacy.DataSubjectRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="erasures",
        help_text=_("The erasure request (Art. 17) this erasure answers."),
        verbose_name=_("request"),
    )
    allow_partial = models.BooleanField(
        default=False,
        help_text=_("Under a legal hold, erase what is not held instead of refusing."),
        verbose_name=_("allow partial"),
    )
    status = models.CharField(
        max_length=12,
        choices=Status.choices,
        default=Status.REQUESTED,
        verbose_name=_("status"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(verbose_name=_("requested at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("approved at")
    )
    finished_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("finished at")
    )
    # The run once approved: its progress, attempts and recovery.
    job = models.OneToOneField(
        "core.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("job"),
    )
    # [{"kind", "reference", "until", "categories"}]: no personal data.
    holds = models.JSONField(default=list, blank=True, verbose_name=_("holds"))
    partial = models.BooleanField(default=False, verbose_name=_("partial"))
    # {"model label": {"deleted": n, "anonymised": n, ...}} once done.
    receipt = models.JSONField(default=dict, blank=True, verbose_name=_("receipt"))
    outcome = models.CharField(max_length=200, blank=True, verbose_name=_("outcome"))

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("erasure")
        constraints = [
            # One erasure in flight per client: a second request is refused.
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status__in=["requested", "approved"]),
                name="erasure_one_open_per_client",
                violation_error_message=_("An erasure of this client is already open."),
            )
        ]
        permissions = [("approve_erasurejob", "Can approve an erasure")]
        verbose_name_plural = _("erasures")

    def __str__(self):
        return f"Erasure #{self.pk} of client {self.client_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in (
            self.Status.DONE,
            self.Status.REFUSED,
            self.Status.CANCELLED,
        )


class ErasureStep(models.Model):
    """One step of a job, committed with its counts."""

    job = models.ForeignKey(
        ErasureJob,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("job"),
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))
    counts = models.JSONField(default=dict, blank=True, verbose_name=_("counts"))

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="erasure_step_once"),
            models.UniqueConstraint(
                fields=["job", "position"], name="erasure_step_position_once"
            ),
        ]
        verbose_name = _("erasure step")
        verbose_name_plural = _("erasure steps")

    def __str__(self):
        return f"{self.job_id}/{self.position} {self.name}"
