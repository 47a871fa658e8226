"""The erasure job (core.jobs kind "privacy.erasure") under real faults.

The four drills of tests.core.drills with real workers, PostgreSQL and
Redis: SIGKILL of the whole worker mid-erasure, its database connection
terminated, the broker flushed while erasures wait, and the same job
delivered twice at once. Each time: every step done once (counts not
doubled), one receipt, one replay-log line, no partial file.
"""

import json

import pytest

from clienteling.models import ClientEmail
from core.models import Job
from privacy.erasure import jobs
from privacy.models import ErasureJob, ErasureStep
from tests.clienteling.factories import ClientFactory, EmailFactory, UserFactory
from tests.core.drills import DrillCase, DrillTests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KIND = "privacy.erasure"


def _start() -> Job:
    client = ClientFactory()
    EmailFactory(client=client, address=f"drill{client.pk}@example.com")
    officer = UserFactory()
    erasure = jobs.erasure_request(acting_user=UserFactory(), client=client)
    erasure = jobs.erasure_approve(acting_user=officer, job=erasure)
    return Job.objects.get(pk=erasure.job_id)


def _replay_lines(settings) -> list[dict]:
    path = settings.ERASURE_REPLAY_LOG
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def _check_once_with(settings):
    def check(job: Job) -> None:
        erasure = ErasureJob.objects.get(job=job)
        assert erasure.status == ErasureJob.Status.DONE, erasure.outcome
        steps = ErasureStep.objects.filter(job=erasure)
        assert steps.count() > 3
        assert not steps.filter(done_at__isnull=True).exists()
        # every step once: its counts are those of one pass
        assert erasure.receipt["steps"]["clienteling.ClientEmail"] == {
            "deleted": 1,
            "history_purged": 1,
        }
        assert erasure.receipt["steps"]["suppression"]["added"] == 1
        assert steps.get(name="clienteling.ClientEmail").counts == {
            "deleted": 1,
            "history_purged": 1,
        }
        # one receipt, one erasure of the client, one replay-log line
        assert ErasureJob.objects.filter(client=erasure.client_id).count() == 1
        lines = [
            line
            for line in _replay_lines(settings)
            if line["reference"] == f"erasure#{erasure.pk}"
        ]
        assert len(lines) == 1, lines
        assert erasure.client_id in lines[0]["client_ids"]
        assert not ClientEmail.objects.filter(client=erasure.client_id).exists()
        assert job.progress_done == job.progress_total == steps.count()

    return check


class TestDrills(DrillTests):
    @pytest.fixture
    def case(self, settings, tmp_path):
        settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
        return DrillCase(kind=KIND, start=_start, check_once=_check_once_with(settings))
