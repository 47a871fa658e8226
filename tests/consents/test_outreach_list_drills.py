"""The outreach list job (consents.outreach_list) under real faults: the
four drills of tests.core.drills, with real worker processes, Redis and
PostgreSQL. Effects once: one CSV per list (its rows once), the counts
recorded once, no partial file left."""

import pytest

from consents import outreach, registry
from consents.models import OutreachList, Purpose
from core.jobs import files
from tests.clienteling.factories import BoutiqueFactory, adviser
from tests.consents.outreach_people import expected_rows, populate, read_csv
from tests.core.drills import (
    DrillCase,
    drill_double_delivery,
    drill_flush_broker,
    drill_sigkill,
    drill_terminate_connection,
    require_services,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _services(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    require_services(settings)
    from config.celery import app

    app.conf.task_always_eager = False  # messages go through Redis


@pytest.fixture
def case():
    # the registry and roles (a transactional test flushed them), and an
    # adviser's boutique with one client per outcome
    from consents.registry import sync_registry
    from core.roles import sync_roles

    sync_registry()
    sync_roles()
    people = populate(BoutiqueFactory())
    user = adviser(people.boutique)

    def start():
        outreach_list = outreach.outreach_list_request(
            acting_user=user,
            purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
            channel="email",
        )
        return outreach_list.job

    def check_once(job):
        outreach_list = OutreachList.objects.get(job=job)
        assert outreach_list.status == OutreachList.Status.DONE
        assert read_csv(outreach_list) == [
            ["client number", "name", "email", "basis"],
            *expected_rows(people),
        ]
        assert outreach_list.eligible_count == 2
        assert outreach_list.excluded_by_reason == people.excluded
        assert (job.progress_done, job.progress_total) == (7, 7)
        assert [p.name for p in files.job_dir(job.pk).iterdir()] == [
            outreach.RESULT_NAME
        ]

    return DrillCase(kind=outreach.JOB_KIND, start=start, check_once=check_once)


def test_sigkill_of_the_whole_worker_mid_build(case):
    job = drill_sigkill(case)
    assert job.attempts == 2


def test_its_database_connection_terminated_mid_build(case):
    job = drill_terminate_connection(case)
    assert job.attempts >= 2


def test_the_broker_flushed_while_lists_wait(case):
    built = drill_flush_broker(case)
    assert all(job.attempts == 1 for job in built)
    assert OutreachList.objects.count() == 3


def test_the_same_list_delivered_twice_at_once(case):
    drill_double_delivery(case)
