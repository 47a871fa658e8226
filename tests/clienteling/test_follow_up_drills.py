"""The nightly follow-up generation (clienteling.follow_up_generation) under
real faults: the four drills of tests.core.drills, with real worker
processes, Redis and PostgreSQL. Effects once: one follow-up per client
and anniversary, however often the walk was interrupted or delivered."""

from datetime import date, timedelta

import pytest

from clienteling.jobs import KIND
from clienteling.models import FollowUp, ImportantDate
from clienteling.tasks import generate_follow_ups
from core.models import Job
from tests.clienteling.factories import ClientFactory
from tests.core.drills import (
    DrillCase,
    drill_double_delivery,
    drill_flush_broker,
    drill_sigkill,
    drill_terminate_connection,
    require_services,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 5


@pytest.fixture(autouse=True)
def _services(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    require_services(settings)
    from config.celery import app

    app.conf.task_always_eager = False  # messages go through Redis


@pytest.fixture
def case():
    # clients each with a wedding anniversary coming up in early December
    clients = ClientFactory.create_batch(CLIENTS)
    for client in clients:
        ImportantDate.objects.create(
            client=client, kind="wedding", date=date(2016, 12, 3)
        )
    days = iter(range(100))

    def start():
        # a night each (one job per night; the follow-ups are the same)
        today = date(2026, 11, 20) + timedelta(days=next(days))
        started = generate_follow_ups(today=today.isoformat())
        assert started["started"]
        return Job.objects.get(pk=started["job"])

    def check_once(job):
        assert job.progress_done == job.progress_total == CLIENTS
        made = FollowUp.objects.filter(client__in=clients)
        assert made.count() == CLIENTS
        assert sorted(made.values_list("client_id", flat=True)) == sorted(
            c.pk for c in clients
        )
        assert all(f.reason == FollowUp.Reason.ANNIVERSARY for f in made)

    return DrillCase(kind=KIND, start=start, check_once=check_once)


def test_sigkill_of_the_whole_worker_mid_walk(case):
    job = drill_sigkill(case)
    assert job.attempts == 2


def test_its_database_connection_terminated_mid_walk(case):
    job = drill_terminate_connection(case)
    assert job.attempts >= 2


def test_the_broker_flushed_while_nights_wait(case):
    walked = drill_flush_broker(case)
    assert all(job.attempts == 1 for job in walked)


def test_the_same_night_delivered_twice_at_once(case):
    drill_double_delivery(case)
