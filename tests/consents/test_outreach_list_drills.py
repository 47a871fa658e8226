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
from tests.core.drills import DrillCase, DrillTests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


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


class TestDrills(DrillTests):
    def after_flush(self, jobs):
        assert OutreachList.objects.count() == 3
