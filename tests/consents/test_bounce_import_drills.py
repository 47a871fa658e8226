"""The bounce import job (consents.bounce_import) under real faults: the
four drills of tests.core.drills, with real worker processes, Redis and
PostgreSQL. Effects once: one BounceImport per file, each address
suppressed once, the upload deleted."""

import pytest

from clienteling import import_uploads
from consents import bounces
from consents.models import BounceImport, SuppressionEntry, SuppressionEvent
from tests.clienteling.factories import compliance
from tests.core.drills import DrillCase, DrillTests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DATA = (
    b"email,kind,date,provider_reference\n"
    b"lea@example.com,hard_bounce,2026-12-01,MSG-1\n"
    b"ghost@example.org,complaint,2026-12-01,MSG-2\n"
)


@pytest.fixture
def case():
    from consents.registry import sync_registry
    from core.roles import sync_roles

    sync_registry()
    sync_roles()
    user = compliance()

    def start():
        token = import_uploads.upload_store(acting_user=user, data=DATA)
        job, started = bounces.bounces_import_start(acting_user=user, token=token)
        assert started
        return job

    def check_once(job):
        record = BounceImport.objects.get(job=job)
        assert (record.rows, record.hard_bounces, record.complaints) == (2, 1, 1)
        # each address suppressed once, each event counted once
        assert SuppressionEntry.objects.count() == 2
        assert (
            SuppressionEvent.objects.filter(bounce_import=record).count()
            == record.newly_suppressed
        )
        assert BounceImport.objects.filter(job=job).count() == 1
        assert import_uploads.read(job.params["file"]) is None

    return DrillCase(kind=bounces.IMPORT_KIND, start=start, check_once=check_once)


class TestDrills(DrillTests):
    def after_flush(self, jobs):
        assert BounceImport.objects.count() == len(jobs)
