"""Fault drills for long jobs: real worker processes, Redis and PostgreSQL.

Each kind of job is drilled the same four ways (tests/core/test_job_drills.py
for the protocol's test kind; the apps' drill modules for theirs):

- the whole worker SIGKILLed mid-job -> the sweeper resumes it on another
  worker; its effects once, no partial file left;
- the worker's database connection terminated (pg_terminate_backend)
  mid-job -> the attempt fails, the job is sent again (or swept) and ends
  done; effects once;
- the broker flushed while jobs wait (FLUSHDB of the broker's database:
  FLUSHALL on a Redis that only the broker uses) -> the sweeper sends them
  again; each done, effects once;
- the same job delivered twice at once, to two workers -> effects once.

A drill case says how to start one job of the kind and how to check its
effects happened exactly once; the drills do the rest. Not a test module.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core import jobs
from core.jobs import files
from core.models import Job
from tests.conftest import _broker_reachable, require

ROOT = Path(__file__).resolve().parents[2]
# Short enough for a drill, long enough that a healthy worker renews it.
LEASE_SECONDS = 4
PAUSE_SECONDS = 1.5


@dataclass
class DrillCase:
    """How to drill one kind of job."""

    kind: str
    # Creates what the job works on and enqueues it; returns the job row.
    start: Callable[[], Job]
    # Asserts the job's effects happened exactly once (one zip, one receipt,
    # one batch...) and that nothing it should not have left is left.
    check_once: Callable[[Job], None]
    # How many jobs the flush drill queues at once: 1 for a kind that allows
    # only one unfinished job (its dedupe key is fixed, e.g. the group export).
    flush_count: int = 3


def require_services(settings_fixture) -> None:
    require(settings.IS_POSTGRES, "PostgreSQL (DATABASE_URL=postgres://...)")
    url = settings.CELERY_BROKER_URL
    require(bool(url) and _broker_reachable(url), "a Celery broker (Redis)")
    settings_fixture.JOBS_LEASE_SECONDS = LEASE_SECONDS


class Worker:
    """A worker process; `pause` makes it stop after each progress report."""

    def __init__(self, *, pause_kind: str = "", pause: float = PAUSE_SECONDS):
        db = connection.settings_dict
        url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            **{k: db[k] or "" for k in ("USER", "HOST", "PORT", "NAME")}
        )
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "ECRIN_ENVIRONMENT": "test",
            "JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
            "JOBS_DRILL_PAUSE": f"{pause_kind}:{pause}" if pause_kind else "",
            "PRIVATE_STORAGE_ROOT": str(settings.PRIVATE_STORAGE_ROOT),
        }
        for name in ("SHARING_EXPORT_ROOT", "ERASURE_REPLAY_LOG"):
            value = getattr(settings, name, None)
            if value:
                self.env[name] = str(value)
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Worker:
        self.process = subprocess.Popen(
            [sys.executable, "tests/core/drill_worker.py"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """SIGKILL the whole worker (its process group), as a lost host."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def __exit__(self, *exc) -> None:
        self.kill()


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


def job_row(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


def running_with_progress(job: Job) -> Callable[[], bool]:
    def check() -> bool:
        row = job_row(job)
        return row.status == Job.Status.RUNNING and row.progress_done >= 1

    return check


def sweep_until_done(job_ids: list[int], seconds: float = 120) -> dict:
    """Run the sweeper every second (beat's role) until the jobs end."""
    deadline = time.monotonic() + seconds
    sweeps = 0
    while time.monotonic() < deadline:
        rows = list(Job.objects.filter(pk__in=job_ids).values_list("status", flat=True))
        if all(status in Job.FINISHED for status in rows):
            return {"sweeps": sweeps}
        jobs.sweep()
        sweeps += 1
        time.sleep(1)
    states = dict(Job.objects.filter(pk__in=job_ids).values_list("pk", "status"))
    pytest.fail(f"jobs not finished after {seconds} s of sweeping: {states}")


def no_partial_files() -> list[str]:
    return (
        [str(p) for p in files.root().rglob("*.partial")]
        if files.root().exists()
        else []
    )


def terminate_other_connections() -> int:
    """pg_terminate_backend every other session on the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def flush_broker() -> None:
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


# --- the four drills --------------------------------------------------------


def drill_sigkill(case: DrillCase) -> Job:
    with Worker(pause_kind=case.kind) as doomed:
        job = case.start()
        wait_for(running_with_progress(job), 90, f"{case.kind} to start on the worker")
        doomed.kill()
    assert job_row(job).status == Job.Status.RUNNING  # left mid-job
    with Worker():
        sweep_until_done([job.pk])
    return _finished_once(case, job)


def drill_terminate_connection(case: DrillCase) -> Job:
    with Worker(pause_kind=case.kind):
        job = case.start()
        wait_for(running_with_progress(job), 90, f"{case.kind} to start on the worker")
        assert terminate_other_connections() >= 1
        sweep_until_done([job.pk])
    return _finished_once(case, job)


def drill_flush_broker(case: DrillCase, *, count: int = 3) -> list[Job]:
    queued = [case.start() for _ in range(count)]
    assert {job_row(j).status for j in queued} == {Job.Status.QUEUED}
    flush_broker()  # the messages are gone; the rows remain
    with Worker():
        # nothing arrives until the sweeper sends the lost jobs again
        later = timezone.now() + timedelta(
            seconds=settings.JOBS_REQUEUE_AFTER_SECONDS + 1
        )
        assert sorted(jobs.sweep(now=later)["resent"]) == sorted(j.pk for j in queued)
        sweep_until_done([j.pk for j in queued])
    return [_finished_once(case, job) for job in queued]


def drill_double_delivery(case: DrillCase) -> Job:
    from core.jobs.engine import run_job

    with (
        Worker(pause_kind=case.kind, pause=0.5),
        Worker(pause_kind=case.kind, pause=0.5),
    ):
        job = case.start()
        run_job.apply_async(args=[job.pk])  # the same job, a second message
        sweep_until_done([job.pk])
    row = _finished_once(case, job)
    assert row.attempts == 1, "a second delivery must not claim a running job"
    return row


def _finished_once(case: DrillCase, job: Job) -> Job:
    row = job_row(job)
    assert row.status == Job.Status.DONE, f"{row.status}: {row.error}"
    case.check_once(row)
    assert no_partial_files() == []
    return row


class DrillTests:
    """The four drills as tests, for one kind or several.

    A drill module subclasses it as `TestDrills` and gives a `case` fixture
    returning its DrillCase (parametrised when the module drills several
    kinds); `after_flush` may add the module's checks to the flush drill.
    """

    @pytest.fixture(autouse=True)
    def _drill_services(self, settings, tmp_path):
        settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
        require_services(settings)
        from config.celery import app

        eager = app.conf.task_always_eager
        app.conf.task_always_eager = False  # messages go through Redis
        yield
        app.conf.task_always_eager = eager

    def after_flush(self, jobs: list[Job]) -> None:
        """The module's own checks after the flush drill."""

    def test_sigkill_of_the_whole_worker_mid_job(self, case):
        assert drill_sigkill(case).attempts == 2

    def test_its_database_connection_terminated_mid_job(self, case):
        assert drill_terminate_connection(case).attempts >= 2

    def test_the_broker_flushed_while_jobs_wait(self, case):
        flushed = drill_flush_broker(case, count=case.flush_count)
        assert all(job.attempts == 1 for job in flushed)
        self.after_flush(flushed)

    def test_the_same_job_delivered_twice_at_once(self, case):
        drill_double_delivery(case)
