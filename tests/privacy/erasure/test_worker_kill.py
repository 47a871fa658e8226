"""SIGKILL a real worker process in the middle of an erasure."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app
from privacy.erasure import jobs
from privacy.models import ErasureJob, ErasureStep
from tests.clienteling.factories import ClientFactory, EmailFactory, UserFactory
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[3]
STEP = "clienteling.ClientEmail"


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_erasure_then_the_sweeper_gives_one_erasure(
    settings, tmp_path
):
    require(bool(settings.CELERY_BROKER_URL), "a Celery broker")
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    # given an approved erasure picked up by a real worker process that
    # pauses once the email step has committed
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            **{
                k: connection.settings_dict[k] or ""
                for k in ("USER", "HOST", "PORT", "NAME")
            }
        ),
        "ERASURE_REPLAY_LOG": str(settings.ERASURE_REPLAY_LOG),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    worker = subprocess.Popen(
        [sys.executable, "tests/privacy/erasure/pausing_worker.py", STEP],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    eager = app.conf.task_always_eager
    try:
        client = ClientFactory()
        EmailFactory(client=client, address=f"killed{client.pk}@example.com")
        officer = UserFactory()
        job = jobs.erasure_request(acting_user=officer, client=client)
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = False
        jobs.erasure_approve(acting_user=officer, job=job)

        def email_step_done():
            return ErasureStep.objects.filter(
                job=job, name=STEP, done_at__isnull=False
            ).exists()

        _wait_for(email_step_done, 90, "the worker to commit the email step")

        # when the worker process is killed outright
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        job.refresh_from_db()
        assert job.status == ErasureJob.Status.RUNNING
        assert job.steps.filter(done_at__isnull=True).exists()

        # then the sweeper, once the job has gone quiet, finishes it
        app.conf.task_always_eager = True
        assert jobs.erasure_sweep(now=timezone.now()) == []  # not stale yet
        jobs.erasure_sweep(now=timezone.now() + timedelta(minutes=11))
    finally:
        app.conf.task_always_eager = eager
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)

    job.refresh_from_db()
    assert job.status == ErasureJob.Status.DONE
    email_step = job.steps.get(name=STEP)
    assert email_step.counts == {"deleted": 1, "history_purged": 1}
    assert not job.steps.filter(done_at__isnull=True).exists()
    lines = Path(settings.ERASURE_REPLAY_LOG).read_text().splitlines()
    assert len(lines) == 1
