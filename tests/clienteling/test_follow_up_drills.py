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
from tests.core.drills import DrillCase, DrillTests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 5


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


class TestDrills(DrillTests):
    pass
