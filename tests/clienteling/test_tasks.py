from datetime import date

import pytest

from clienteling.models import FollowUp, ImportantDate
from clienteling.tasks import generate_follow_ups
from tests.clienteling.factories import ClientFactory


@pytest.mark.celery_worker
def test_nightly_follow_ups_run_in_a_real_worker_and_twice_changes_nothing(
    celery_worker,
):
    client = ClientFactory()
    ImportantDate.objects.create(client=client, kind="wedding", date=date(2016, 12, 3))

    first = generate_follow_ups.delay(today="2026-11-28").get(timeout=30)
    second = generate_follow_ups.delay(today="2026-11-28").get(timeout=30)

    assert first == {"anniversary": 1, "lapsing": 0, "next_after_id": None}
    assert second == {"anniversary": 0, "lapsing": 0, "next_after_id": None}
    assert FollowUp.objects.filter(client=client).count() == 1


@pytest.mark.django_db
def test_nightly_schedules_are_installed_by_migration():
    from django_celery_beat.models import PeriodicTask

    names = set(PeriodicTask.objects.values_list("task", flat=True))

    assert {"clienteling.generate_follow_ups", "clienteling.detect_duplicates"} <= names


@pytest.mark.django_db
def test_follow_ups_run_in_chunks_that_enqueue_the_next(
    monkeypatch, django_capture_on_commit_callbacks
):
    from clienteling import tasks

    monkeypatch.setattr(tasks, "FOLLOW_UP_CHUNK", 2)
    clients = ClientFactory.create_batch(3)
    for client in clients:
        ImportantDate.objects.create(
            client=client, kind="wedding", date=date(2016, 12, 3)
        )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = generate_follow_ups.apply(kwargs={"today": "2026-11-28"}).get()

    assert first["anniversary"] == 2
    assert first["next_after_id"] == clients[1].pk
    assert len(callbacks) >= 1  # the next chunk was enqueued after commit
    assert FollowUp.objects.count() == 3
