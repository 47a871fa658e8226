"""The job protocol: enqueue, claim, run, finish, fail, cancel, retry, sweep.

The only module that writes job bookkeeping (claim, lease, heartbeat,
attempts, progress, status). See core/jobs/README.md for the states and
the guarantees, and docs/decisions/0023-one-job-protocol.md for why.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jobs import files, registry
from core.jobs.context import JobCancelled, JobContext, LeaseLost
from core.jobs.models import Job
from core.jobs.registry import JobRefused

logger = logging.getLogger(__name__)

S = Job.Status


class JobError(Exception):
    """A staff action on a job that cannot be done; the message says why."""


class AlreadyQueued(JobError):
    def __init__(self, job: Job):
        self.job = job
        if job.status == S.RUNNING:
            message = _("%(label)s is already running (job %(pk)s).")
        else:
            message = _("%(label)s is already waiting for a worker (job %(pk)s).")
        super().__init__(message % {"label": job.label, "pk": job.pk})


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lease(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.JOBS_LEASE_SECONDS)


# --- sending ------------------------------------------------------------------


def _send(job_id: int, *, countdown: int = 0) -> None:
    """Give the broker a message for the job; the sweeper covers a failure."""
    try:
        run_job.apply_async(args=[job_id], countdown=countdown or None)
    except Exception:
        if run_job.app.conf.task_always_eager:
            raise
        # Broker down: the job stays queued and the sweeper sends it again.
        logger.exception("Could not send job %s to the broker", job_id)


def _send_on_commit(job_id: int, *, countdown: int = 0) -> None:
    transaction.on_commit(lambda: _send(job_id, countdown=countdown))


# --- starting -----------------------------------------------------------------


def enqueue(
    *,
    kind: str,
    label: str,
    acting_user=None,
    params: dict | None = None,
    dedupe_key: str = "",
    now: datetime | None = None,
) -> Job:
    """Create a queued job and send it once the caller's transaction commits.

    With a dedupe_key, a second unfinished job with the same key is refused
    (AlreadyQueued carries the one in flight).
    """
    job_kind = registry.get(kind)
    now = _now(now)
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=job_kind.name,
                label=label[:200],
                params=params or {},
                dedupe_key=dedupe_key,
                owner=acting_user,
                created_at=now,
                enqueued_at=now,
                max_attempts=job_kind.max_attempts,
            )
    except IntegrityError:
        existing = Job.objects.filter(
            dedupe_key=dedupe_key, status__in=Job.UNFINISHED
        ).first()
        if existing is None:
            raise
        raise AlreadyQueued(existing) from None
    _send_on_commit(job.pk)
    return job


def _claim(job_id: int, now: datetime) -> uuid.UUID | None:
    """Take the job for this worker: atomic, so two deliveries never both run."""
    token = uuid.uuid4()
    claimable = Q(status=S.QUEUED) | Q(status=S.RUNNING, lease_until__lt=now)
    updated = (
        Job.objects.filter(claimable, pk=job_id, cancel_requested_at__isnull=True)
        .filter(attempts__lt=F("max_attempts"))
        .update(
            status=S.RUNNING,
            lease_token=token,
            lease_until=_lease(now),
            heartbeat_at=now,
            started_at=Coalesce(F("started_at"), now),
            attempts=F("attempts") + 1,
            error="",
        )
    )
    return token if updated else None


# --- running ------------------------------------------------------------------


def run(job_id: int, *, now: datetime | None = None) -> dict:
    """Run one delivery of a job (the Celery task calls this).

    Returns what happened, for the task's result: "done", "failed",
    "retrying", "cancelled", or "skipped" (not this worker's to run).
    """
    now = _now(now)
    _cancel_if_requested(job_id, now=now)
    token = _claim(job_id, now)
    if token is None:
        return {"job": job_id, "outcome": "skipped"}
    job = Job.objects.get(pk=job_id)
    kind = registry.get(job.kind)
    ctx = JobContext(job)
    try:
        result = kind.run(job, ctx) or {}
        _finish(job, ctx, kind, result)
    except JobCancelled:
        ctx.discard_partials()
        _cancelled(job.pk, token, kind)
        return {"job": job_id, "outcome": "cancelled"}
    except LeaseLost:
        ctx.discard_partials()
        return {"job": job_id, "outcome": "skipped"}
    except JobRefused as exc:
        ctx.discard_partials()
        return _attempt_failed(job.pk, token, kind, str(exc), final=True)
    except Exception as exc:
        logger.exception("Job %s (%s) attempt failed", job.pk, job.kind)
        ctx.discard_partials()
        return _attempt_failed(job.pk, token, kind, kind.error_message(exc))
    return {"job": job_id, "outcome": "done"}


def _finish(job: Job, ctx: JobContext, kind, result: dict) -> None:
    with ctx.fenced():
        finished = timezone.now()
        values = {
            "status": S.DONE,
            "finished_at": finished,
            "lease_token": None,
            "lease_until": None,
            "result": result,
            "error": "",
        }
        if job.progress_total:
            values["progress_done"] = job.progress_total
        if ctx.result_file:
            partial, name = ctx.result_file
            relative, size, sha256 = files.publish(job.pk, partial, name)
            values.update(result_file=relative, result_size=size, result_sha256=sha256)
            if kind.result_days is not None:
                # Measured from the finish (a kind may show both).
                values["result_expires_at"] = finished + timedelta(
                    days=kind.result_days
                )
        Job.objects.filter(pk=job.pk).update(**values)
        for field, value in values.items():
            setattr(job, field, value)
        kind.on_done(job, result)


def _reconnect_if_broken() -> None:
    """After a lost database connection, let Django open a fresh one."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (OperationalError, InterfaceError, DatabaseError):
        connection.close()
    close_old_connections()


def _attempt_failed(
    job_id: int, token, kind, error: str, *, final: bool = False
) -> dict:
    """Record a failed attempt: queue it again, or fail it for good.

    If even this write fails (the database is gone), the lease runs out and
    the sweeper does it.
    """
    try:
        if connection.in_atomic_block:
            # A kind's own atomic block was broken by the failure: leave it
            # to the sweeper rather than write inside a doomed transaction.
            return {"job": job_id, "outcome": "left to the sweeper"}
        _reconnect_if_broken()
        with transaction.atomic():
            job = (
                Job.objects.select_for_update()
                .filter(pk=job_id, lease_token=token, status=S.RUNNING)
                .first()
            )
            if job is None:
                return {"job": job_id, "outcome": "skipped"}
            if final or job.attempts >= job.max_attempts:
                _fail(job, error)
                return {"job": job_id, "outcome": "failed"}
            job.status = S.QUEUED
            job.lease_token = None
            job.lease_until = None
            job.enqueued_at = timezone.now()
            job.error = error[:300]
            job.save(
                update_fields=[
                    "status",
                    "lease_token",
                    "lease_until",
                    "enqueued_at",
                    "error",
                ]
            )
            _send_on_commit(job_id, countdown=min(60, 5 * job.attempts))
            return {"job": job_id, "outcome": "retrying"}
    except (OperationalError, InterfaceError):
        logger.exception("Job %s: could not record the failed attempt", job_id)
        return {"job": job_id, "outcome": "left to the sweeper"}


def _fail(job: Job, error: str) -> None:
    """Fail for good (inside the caller's transaction, row locked)."""
    job.status = S.FAILED
    job.error = error[:300]
    job.finished_at = timezone.now()
    job.lease_token = None
    job.lease_until = None
    job.save(
        update_fields=["status", "error", "finished_at", "lease_token", "lease_until"]
    )
    kind = registry.get(job.kind)
    job_id = job.pk
    transaction.on_commit(lambda: _after_end(job_id, kind.on_failed))


def _after_end(job_id: int, hook) -> None:
    files.remove_partials(job_id)
    hook(Job.objects.get(pk=job_id))


def _cancelled(job_id: int, token, kind) -> None:
    with transaction.atomic():
        updated = Job.objects.filter(pk=job_id, lease_token=token).update(
            status=S.CANCELLED,
            finished_at=timezone.now(),
            lease_token=None,
            lease_until=None,
        )
        if updated:
            transaction.on_commit(lambda: _after_end(job_id, kind.on_cancelled))


def _cancel_if_requested(job_id: int, *, now: datetime) -> None:
    with transaction.atomic():
        job = (
            Job.objects.select_for_update()
            .filter(pk=job_id, status=S.QUEUED, cancel_requested_at__isnull=False)
            .first()
        )
        if job is None:
            return
        job.status = S.CANCELLED
        job.finished_at = now
        job.save(update_fields=["status", "finished_at"])
        kind = registry.get(job.kind)
        transaction.on_commit(lambda: _after_end(job_id, kind.on_cancelled))


# --- staff actions ------------------------------------------------------------


def cancel(*, acting_user, job: Job, now: datetime | None = None) -> Job:
    """Stop a job: at once if it waits, at its next progress report if it runs."""
    now = _now(now)
    kind = registry.get(job.kind)
    if not kind.cancellable:
        raise JobError(
            _("%(label)s cannot be stopped once started.") % {"label": kind.label}
        )
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.is_finished:
            raise JobError(
                _("%(label)s has already ended (%(status)s).")
                % {"label": job.label, "status": job.get_status_display().lower()}
            )
        job.cancel_requested_at = now
        job.cancelled_by = acting_user
        job.save(update_fields=["cancel_requested_at", "cancelled_by"])
    _cancel_if_requested(job.pk, now=now)
    job.refresh_from_db()
    return job


def retry(*, acting_user, job: Job, now: datetime | None = None) -> Job:
    """Start a failed or cancelled job again, from a fresh count of attempts."""
    now = _now(now)
    kind = registry.get(job.kind)
    if not kind.retryable:
        raise JobError(
            _("%(label)s cannot be started again from the jobs page.")
            % {"label": kind.label}
        )
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status not in (S.FAILED, S.CANCELLED):
            raise JobError(
                _(
                    "Only a failed or cancelled job can be started again; %(label)s "
                    "is %(status)s."
                )
                % {"label": job.label, "status": job.get_status_display().lower()}
            )
        if (
            job.dedupe_key
            and Job.objects.filter(
                dedupe_key=job.dedupe_key, status__in=Job.UNFINISHED
            ).exists()
        ):
            raise JobError(
                _("Another %(kind)s for the same thing is already under way.")
                % {"kind": kind.label.lower()}
            )
        try:
            kind.before_retry(job)
        except JobRefused as exc:
            raise JobError(str(exc)) from None
        job.status = S.QUEUED
        job.attempts = 0
        job.error = ""
        job.finished_at = None
        job.cancel_requested_at = None
        job.cancelled_by = None
        job.enqueued_at = now
        job.seen_at = None
        job.save()
        _send_on_commit(job.pk)
    return job


def mark_seen(*, user, now: datetime | None = None) -> int:
    """The owner has seen that their finished jobs ended."""
    return Job.objects.filter(
        owner=user, status__in=Job.FINISHED, seen_at__isnull=True
    ).update(seen_at=_now(now))


# --- the sweeper --------------------------------------------------------------


def sweep(*, now: datetime | None = None) -> dict:
    """Every JOBS_SWEEP_SECONDS (beat): put every job back on its way.

    - running, lease run out (worker killed, connection cut, host gone):
      queued again and sent, or failed visibly after its attempts;
    - queued for longer than JOBS_REQUEUE_AFTER_SECONDS (message lost, e.g.
      a broker restart or FLUSHALL): sent again; a duplicate message is
      harmless, the claim lets one run;
    - queued with a cancel request: cancelled;
    - partial files no live lease owns, and result files past their
      expiry: deleted.
    """
    now = _now(now)
    resumed, failed, resent, cancelled = [], [], [], []
    with transaction.atomic():
        stale = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=S.RUNNING, lease_until__lt=now)
            .order_by("pk")
        )
        for job in stale:
            if job.cancel_requested_at:
                job.status = S.CANCELLED
                job.finished_at = now
                job.lease_token = None
                job.lease_until = None
                job.save()
                kind = registry.get(job.kind)
                job_id = job.pk
                transaction.on_commit(
                    lambda job_id=job_id, kind=kind: _after_end(
                        job_id, kind.on_cancelled
                    )
                )
                cancelled.append(job.pk)
            elif job.attempts >= job.max_attempts:
                _fail(
                    job,
                    _(
                        "The worker stopped responding %(attempts)s times; the "
                        "job was stopped. Start it again from the jobs page, or "
                        "ask the technical team if it keeps failing."
                    )
                    % {"attempts": job.attempts},
                )
                failed.append(job.pk)
            else:
                job.status = S.QUEUED
                job.lease_token = None
                job.lease_until = None
                job.enqueued_at = now
                job.save(
                    update_fields=[
                        "status",
                        "lease_token",
                        "lease_until",
                        "enqueued_at",
                    ]
                )
                _send_on_commit(job.pk)
                resumed.append(job.pk)
    for job_id in Job.objects.filter(
        status=S.QUEUED, cancel_requested_at__isnull=False
    ).values_list("pk", flat=True):
        _cancel_if_requested(job_id, now=now)
        cancelled.append(job_id)
    cutoff = now - timedelta(seconds=settings.JOBS_REQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        lost = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=S.QUEUED, cancel_requested_at__isnull=True)
            .filter(Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True))
            .values_list("pk", flat=True)
        )
        if lost:
            Job.objects.filter(pk__in=lost).update(enqueued_at=now)
            for job_id in lost:
                _send_on_commit(job_id)
        resent = lost
    return {
        "resumed": resumed,
        "failed": failed,
        "resent": resent,
        "cancelled": cancelled,
        **_sweep_files(now),
    }


def _sweep_files(now: datetime) -> dict:
    partial = 0
    live = dict(Job.objects.filter(status=S.RUNNING).values_list("pk", "lease_token"))
    for job_id in files.job_folders():
        partial += files.remove_partials(job_id, keep_token=live.get(job_id))
    expired = 0
    for job in (
        Job.objects.filter(result_expires_at__lt=now)
        .exclude(result_file="")
        .only("pk", "result_file")
    ):
        files.remove_result(job.result_file)
        Job.objects.filter(pk=job.pk).update(result_file="")
        expired += 1
    return {"partial_files_removed": partial, "results_expired": expired}


def result_path(job: Job):
    """The published result file of a finished job, or None once expired."""
    if job.status != S.DONE or not job.result_file:
        return None
    path = files.path_of(job.result_file)
    return path if path.exists() else None


# --- the two Celery tasks (ids only) ------------------------------------------


@shared_task(name="core.jobs.run", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> dict:
    return run(job_id)


@shared_task(name="core.jobs.sweep", acks_late=True)
def sweep_jobs() -> dict:
    return sweep()
