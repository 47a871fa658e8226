"""The job protocol under real faults, with the protocol's test kind.

Each app drills its own kinds with the same four drills (tests.core.drills).
"""

import pytest

from core import jobs
from core.jobs import files
from tests.core import kinds
from tests.core.drills import (
    DrillCase,
    drill_double_delivery,
    drill_flush_broker,
    drill_sigkill,
    drill_terminate_connection,
    require_services,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _start():
    return jobs.enqueue(kind="tests.count", label="Counting to 6", params={"n": 6})


def _check_once(job):
    assert kinds.effects(job) == 1
    path = jobs.result_path(job)
    assert path.read_text() == "".join(f"{i}\n" for i in range(1, 7))
    assert [p.name for p in files.job_dir(job.pk).iterdir()] == ["count.txt"]


CASE = DrillCase(kind="tests.count", start=_start, check_once=_check_once)


@pytest.fixture(autouse=True)
def _services(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    require_services(settings)
    from config.celery import app

    app.conf.task_always_eager = False  # messages go through Redis


def test_sigkill_of_the_whole_worker_mid_job():
    job = drill_sigkill(CASE)
    assert job.attempts == 2


def test_its_database_connection_terminated_mid_job():
    job = drill_terminate_connection(CASE)
    assert job.attempts >= 2


def test_the_broker_flushed_while_jobs_wait():
    assert all(job.attempts == 1 for job in drill_flush_broker(CASE))


def test_the_same_job_delivered_twice_at_once():
    drill_double_delivery(CASE)
