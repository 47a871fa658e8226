"""The job protocol (core.jobs), with the test kind tests.count.

Tasks run in-process here (eager); tests/core/test_job_drills.py runs the
same protocol through real worker processes, Redis and PostgreSQL faults.
"""

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from core import jobs
from core.jobs import engine, files
from core.models import Job
from tests.clienteling.factories import UserFactory
from tests.core import kinds

pytestmark = pytest.mark.django_db(transaction=True)

S = Job.Status


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    cache.clear()


def count(n=3, *, user=None, key="", **params) -> Job:
    return jobs.enqueue(
        kind="tests.count",
        label=f"Counting to {n}",
        acting_user=user,
        params={"n": n, **params},
        dedupe_key=key,
    )


def refreshed(job: Job) -> Job:
    job.refresh_from_db()
    return job


def test_a_job_runs_to_done_with_its_progress_result_and_one_file():
    owner = UserFactory()
    job = refreshed(count(4, user=owner))
    assert job.status == S.DONE
    assert (job.progress_done, job.progress_total) == (4, 4)
    assert job.progress_label == "Counted 4 of 4"
    assert job.result == {"counted": 4}
    assert job.attempts == 1
    assert job.owner == owner
    assert job.lease_token is None
    path = jobs.result_path(job)
    assert path.read_text() == "1\n2\n3\n4\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["count.txt"]
    assert job.result_size == 8
    assert len(job.result_sha256) == 64
    assert job.result_expires_at > timezone.now() + timedelta(days=6)
    assert kinds.effects(job) == 1


def test_an_unknown_kind_is_refused_and_nothing_is_created():
    with pytest.raises(LookupError, match="No job kind named 'tests.nope'"):
        jobs.enqueue(kind="tests.nope", label="x")
    assert not Job.objects.exists()


def test_a_second_unfinished_job_with_the_same_key_is_refused(monkeypatch):
    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)
    first = count(key="count:1")
    with pytest.raises(jobs.AlreadyQueued, match="waiting for a worker") as refused:
        count(key="count:1")
    assert refused.value.job == first
    assert Job.objects.count() == 1
    jobs.run(first.pk)
    assert refreshed(first).status == S.DONE
    second = count(key="count:1")  # the first has finished: a new one may start
    assert second.pk != first.pk


def test_the_same_job_delivered_twice_runs_once(monkeypatch):
    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)
    job = count(3)
    # while a worker holds the lease, a second delivery is skipped
    token = engine._claim(job.pk, timezone.now())
    assert token is not None
    assert jobs.run(job.pk) == {"job": job.pk, "outcome": "skipped"}
    assert refreshed(job).attempts == 1
    assert kinds.effects(job) == 0
    # and once the job is done, a late delivery does nothing either
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(1))
    assert jobs.run(job.pk)["outcome"] == "done"
    assert jobs.run(job.pk)["outcome"] == "skipped"
    assert kinds.effects(job) == 1
    assert refreshed(job).attempts == 2


def test_a_worker_that_lost_its_lease_stops_and_writes_nothing(monkeypatch):
    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)
    job = count(5)
    now = timezone.now()
    engine._claim(job.pk, now)
    stale = Job.objects.get(pk=job.pk)
    ctx = jobs.JobContext(stale)
    partial = ctx.partial_path("count.txt")
    partial.write_text("1\n")
    # another worker takes the job over once the lease ran out
    later = now + timedelta(seconds=200)
    assert engine._claim(job.pk, later) not in (None, stale.lease_token)
    with pytest.raises(jobs.LeaseLost):
        ctx.progress(2, 5, force=True)
    with pytest.raises(jobs.LeaseLost), ctx.fenced():
        pytest.fail("a fenced block must not run without the lease")
    assert refreshed(job).progress_done == 0
    # the dead lease's partial file is swept; the live one's is kept
    live = jobs.JobContext(Job.objects.get(pk=job.pk)).partial_path("count.txt")
    live.write_text("1\n")
    report = jobs.sweep(now=now)
    assert report["partial_files_removed"] == 1
    assert not partial.exists()
    assert live.exists()


def test_a_dead_workers_job_is_resumed_by_the_sweeper(monkeypatch):
    sent = []
    monkeypatch.setattr(
        engine, "_send", lambda job_id, countdown=0: sent.append(job_id)
    )
    job = count(2)
    now = timezone.now()
    engine._claim(job.pk, now)  # then the worker dies: no more progress
    assert jobs.sweep(now=now)["resumed"] == []  # its lease still runs
    report = jobs.sweep(now=now + timedelta(seconds=91))
    assert report["resumed"] == [job.pk]
    assert refreshed(job).status == S.QUEUED
    assert sent == [job.pk, job.pk]
    jobs.run(job.pk)
    job = refreshed(job)
    assert (job.status, job.attempts) == (S.DONE, 2)
    assert kinds.effects(job) == 1


def test_after_its_attempts_a_stalled_job_fails_visibly(monkeypatch):
    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)
    job = count(2)
    now = timezone.now()
    for attempt in range(3):
        assert engine._claim(job.pk, now + timedelta(seconds=200 * attempt))
        jobs.sweep(now=now + timedelta(seconds=200 * attempt + 100))
    job = refreshed(job)
    assert job.status == S.FAILED
    assert job.error.startswith("The worker stopped responding 3 times")
    assert "Start it again from the jobs page" in job.error
    assert cache.get(f"tests.count:{job.pk}:failed") is True
    assert kinds.effects(job) == 0


def test_a_lost_message_is_sent_again_and_the_duplicate_is_harmless(monkeypatch):
    sent = []
    monkeypatch.setattr(
        engine, "_send", lambda job_id, countdown=0: sent.append(job_id)
    )
    job = count(2)
    now = timezone.now()
    assert jobs.sweep(now=now + timedelta(seconds=299))["resent"] == []
    assert jobs.sweep(now=now + timedelta(seconds=301))["resent"] == [job.pk]
    # the original message turns up after all: both deliveries run it once
    jobs.run(job.pk)
    jobs.run(job.pk)
    assert kinds.effects(job) == 1
    assert refreshed(job).attempts == 1


def test_an_error_is_retried_then_fails_with_a_sentence_for_staff():
    job = refreshed(count(2, explode=True))
    assert job.status == S.FAILED
    assert job.attempts == 3
    assert job.error == (
        "It stopped on an unexpected error; the technical team has the "
        "details in the logs."
    )
    assert "boom" not in job.error
    assert not any(files.job_dir(job.pk).glob("*.partial"))


def test_a_refused_job_fails_at_once_with_the_kinds_reason():
    job = refreshed(count(2, refuse=True))
    assert (job.status, job.attempts) == (S.FAILED, 1)
    assert job.error == "Nothing to count: the list is empty."


def test_cancelling_a_waiting_job_stops_it_before_it_starts(monkeypatch):
    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)
    officer = UserFactory()
    job = jobs.cancel(acting_user=officer, job=count(2))
    assert (job.status, job.cancelled_by) == (S.CANCELLED, officer)
    assert jobs.run(job.pk)["outcome"] == "skipped"
    assert kinds.effects(job) == 0
    assert cache.get(f"tests.count:{job.pk}:cancelled") is True
    with pytest.raises(jobs.JobError, match="has already ended"):
        jobs.cancel(acting_user=officer, job=job)


def test_cancelling_a_running_job_stops_it_at_its_next_progress(monkeypatch):
    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)
    job = count(5)
    officer = UserFactory()
    original = jobs.JobContext.progress

    def progress(self, done, *args, **kwargs):
        if done == 2:
            Job.objects.filter(pk=job.pk).update(cancel_requested_at=timezone.now())
        return original(self, done, *args, **kwargs)

    monkeypatch.setattr(jobs.JobContext, "progress", progress)
    assert jobs.run(job.pk)["outcome"] == "cancelled"
    job = refreshed(job)
    assert job.status == S.CANCELLED
    assert kinds.effects(job) == 0
    assert not jobs.result_path(job)
    assert not any(files.job_dir(job.pk).glob("*"))
    assert officer  # cancelled by the flag, as the jobs page sets it


def test_a_failed_job_can_be_started_again():
    officer = UserFactory()
    job = refreshed(count(2, refuse=True))
    Job.objects.filter(pk=job.pk).update(params={"n": 2})
    job = jobs.retry(acting_user=officer, job=refreshed(job))
    job = refreshed(job)
    assert (job.status, job.attempts, job.error) == (S.DONE, 1, "")
    with pytest.raises(jobs.JobError, match="Only a failed or cancelled job"):
        jobs.retry(acting_user=officer, job=job)


def test_expired_result_files_are_deleted_by_the_sweeper():
    job = refreshed(count(2))
    path = jobs.result_path(job)
    assert jobs.sweep()["results_expired"] == 0
    report = jobs.sweep(now=timezone.now() + timedelta(days=8))
    assert report["results_expired"] == 1
    assert not path.exists()
    assert jobs.result_path(refreshed(job)) is None


def test_result_paths_never_leave_the_jobs_folder():
    with pytest.raises(ValueError, match="inside the jobs folder"):
        files.path_of("../secrets.txt")
    with pytest.raises(ValueError, match="Not a safe result file name"):
        files.partial_path(1, uuid.uuid4(), "../x")


def test_the_owner_is_told_once_when_a_job_ends():
    owner = UserFactory()
    count(2, user=owner)
    assert jobs.mark_seen(user=owner) == 1
    assert jobs.mark_seen(user=owner) == 0
