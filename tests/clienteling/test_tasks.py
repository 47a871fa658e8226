import time
from datetime import date

import pytest

from clienteling.models import FollowUp, ImportantDate
from clienteling.tasks import generate_follow_ups
from core import jobs
from core.models import Job
from tests.clienteling.factories import ClientFactory


def _job_result(started: dict, seconds: float = 60) -> dict:
    """The result of the follow-up job the nightly task started, once done."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=started["job"])
        if job.is_finished:
            assert job.status == Job.Status.DONE, job.error
            return job.result
        time.sleep(0.2)
    pytest.fail(f"the follow-up job did not finish in {seconds} s")


@pytest.mark.celery_worker
def test_nightly_follow_ups_run_in_a_real_worker_and_twice_changes_nothing(
    celery_worker,
):
    client = ClientFactory()
    ImportantDate.objects.create(client=client, kind="wedding", date=date(2016, 12, 3))

    # the nightly task starts one job; the worker runs it
    first = _job_result(generate_follow_ups.delay(today="2026-11-28").get(timeout=30))
    second = _job_result(generate_follow_ups.delay(today="2026-11-28").get(timeout=30))

    assert first == {"anniversary": 1, "lapsing": 0}
    assert second == {"anniversary": 0, "lapsing": 0}
    assert FollowUp.objects.filter(client=client).count() == 1


@pytest.mark.django_db
def test_nightly_schedules_are_installed_by_migration():
    from django_celery_beat.models import PeriodicTask

    names = set(PeriodicTask.objects.values_list("task", flat=True))

    assert {"clienteling.generate_follow_ups", "clienteling.detect_duplicates"} <= names


@pytest.mark.django_db
def test_the_nightly_task_starts_one_job_that_walks_the_clients_in_chunks(
    monkeypatch, django_capture_on_commit_callbacks
):
    # Was: each chunk a task enqueueing the next. Now one job walks them all,
    # reporting progress per chunk.
    from clienteling import jobs as clienteling_jobs
    from clienteling import services

    monkeypatch.setattr(clienteling_jobs, "FOLLOW_UP_CHUNK", 2)
    ranges = []
    generate = services.follow_ups_generate

    def counting(**kwargs):
        ranges.append(kwargs["id_range"])
        return generate(**kwargs)

    monkeypatch.setattr(services, "follow_ups_generate", counting)
    clients = ClientFactory.create_batch(3)
    for client in clients:
        ImportantDate.objects.create(
            client=client, kind="wedding", date=date(2016, 12, 3)
        )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        started = generate_follow_ups.apply(kwargs={"today": "2026-11-28"}).get()

    assert len(callbacks) == 1  # one message: the job
    job = Job.objects.get(pk=started["job"])
    assert job.kind == "clienteling.follow_up_generation"
    assert job.label == "Follow-ups for 28 Nov 2026"  # core.display.day
    assert job.status == Job.Status.DONE
    assert job.result == {"anniversary": 3, "lapsing": 0}
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.progress_label == "3 of 3 clients looked at"
    assert ranges == [
        (clients[0].pk, clients[1].pk + 1),
        (clients[2].pk, clients[2].pk + 1),
    ]
    assert FollowUp.objects.count() == 3


@pytest.mark.django_db
def test_a_second_start_while_the_nights_job_waits_starts_nothing(monkeypatch):
    from core.jobs import engine

    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)

    first = generate_follow_ups.run(today="2026-11-28")
    again = generate_follow_ups.run(today="2026-11-28")

    assert first == {"job": again["job"], "started": True}
    assert again["started"] is False
    assert Job.objects.filter(kind="clienteling.follow_up_generation").count() == 1


@pytest.mark.django_db
def test_a_retried_attempt_continues_a_chunk_before_where_the_last_stopped(
    monkeypatch,
):
    # given six clients due, walked two at a time, and a first attempt that
    # died after four clients (their follow-ups made, progress 4 of 6)
    from clienteling import jobs as clienteling_jobs
    from clienteling import services
    from core.jobs import engine

    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)
    monkeypatch.setattr(clienteling_jobs, "FOLLOW_UP_CHUNK", 2)
    clients = ClientFactory.create_batch(6)
    for client in clients:
        ImportantDate.objects.create(
            client=client, kind="wedding", date=date(2016, 12, 3)
        )
    services.follow_ups_generate(
        today=date(2026, 11, 28), id_range=(clients[0].pk, clients[3].pk + 1)
    )
    started = generate_follow_ups.run(today="2026-11-28")
    Job.objects.filter(pk=started["job"]).update(
        attempts=1, progress_done=4, progress_total=6
    )
    ranges = []
    generate = services.follow_ups_generate

    def counting(**kwargs):
        ranges.append(kwargs["id_range"])
        return generate(**kwargs)

    monkeypatch.setattr(services, "follow_ups_generate", counting)
    # when the job is run again
    assert jobs.run(started["job"])["outcome"] == "done"
    # then it walks from the third client (one chunk back), and the chunk
    # walked again creates nothing twice
    job = Job.objects.get(pk=started["job"])
    assert ranges == [
        (clients[2].pk, clients[3].pk + 1),
        (clients[4].pk, clients[5].pk + 1),
    ]
    assert job.result == {"anniversary": 2, "lapsing": 0}
    assert job.attempts == 2
    assert FollowUp.objects.count() == 6
