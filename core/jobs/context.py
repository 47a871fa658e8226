"""What a running job sees: progress, cancel, fenced writes, files.

Every write a job makes in the name of its lease goes through here, so a
worker that lost its lease (it stalled past lease_until and another worker
took the job over, or the job was cancelled) stops at its next progress
report or fenced write instead of doing the work twice.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.jobs import files
from core.jobs.models import Job


class LeaseLost(Exception):
    """This worker no longer holds the job: another took it over, or it ended."""


class JobCancelled(Exception):
    """Staff asked to stop the job; raised at the job's next progress report."""


# Progress rows are written at most this often (a report per row would
# turn a 100,000-row job into 100,000 updates); a forced report always writes.
PROGRESS_EVERY_SECONDS = 1.0


def _drill_pause(kind: str) -> float:
    spec = settings.JOBS_DRILL_PAUSE
    if not spec:
        return 0.0
    name, _, seconds = spec.rpartition(":")
    return float(seconds) if name in (kind, "*") else 0.0


class JobContext:
    def __init__(self, job: Job):
        self.job = job
        self.token = job.lease_token
        self._last_write = 0.0
        self._partials: list[Path] = []
        self._pause = _drill_pause(job.kind)
        self.result_file: tuple[Path, str] | None = None

    # --- lease --------------------------------------------------------------

    def _live(self):
        return Job.objects.filter(
            pk=self.job.pk, lease_token=self.token, status=Job.Status.RUNNING
        )

    def _lease_until(self):
        return timezone.now() + timedelta(seconds=settings.JOBS_LEASE_SECONDS)

    def _why_not_live(self):
        row = (
            Job.objects.filter(pk=self.job.pk)
            .values("lease_token", "cancel_requested_at", "status")
            .first()
        )
        if row and row["lease_token"] == self.token and row["cancel_requested_at"]:
            raise JobCancelled()
        raise LeaseLost()

    def progress(
        self,
        done: int,
        total: int | None = None,
        label: str | None = None,
        *,
        force: bool = False,
    ) -> None:
        """Report progress, renew the lease, and stop if cancelled or lost."""
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
        if label is not None:
            self.job.progress_label = label[:200]
        now_mono = time.monotonic()
        if not force and now_mono - self._last_write < PROGRESS_EVERY_SECONDS:
            return
        self._last_write = now_mono
        now = timezone.now()
        values = {
            "progress_done": min(self.job.progress_done, self.job.progress_total)
            if self.job.progress_total
            else 0,
            "progress_total": self.job.progress_total,
            "progress_label": self.job.progress_label,
            "heartbeat_at": now,
            "lease_until": self._lease_until(),
        }
        updated = self._live().filter(cancel_requested_at__isnull=True).update(**values)
        if not updated:
            self._why_not_live()
        if self._pause:
            time.sleep(self._pause)

    def heartbeat(self) -> None:
        """Renew the lease without new progress (a long single step)."""
        self.progress(self.job.progress_done, force=True)

    @contextmanager
    def fenced(self):
        """A transaction that commits only while this worker holds the job.

        The job row is locked for the transaction: a sweeper or a second
        delivery taking the job over waits for it, then sees the effects.
        """
        with transaction.atomic():
            if not self._live().select_for_update().exists():
                self._why_not_live()
            yield

    # --- files --------------------------------------------------------------

    def partial_path(self, name: str) -> Path:
        """Where to write a result file; published when the job finishes."""
        path = files.partial_path(self.job.pk, self.token, name)
        self._partials.append(path)
        return path

    def keep_as_result(self, partial: Path, name: str) -> None:
        """Publish `partial` as the job's result file `name` when it finishes."""
        if partial not in self._partials:
            raise ValueError("Only a file from partial_path() can be a result.")
        self.result_file = (partial, files.check_name(name))

    def discard_partials(self) -> None:
        for path in self._partials:
            path.unlink(missing_ok=True)
        self._partials.clear()
