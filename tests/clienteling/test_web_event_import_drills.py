"""Website-activity imports as jobs under real faults: the four drills for
the write kind (clienteling.web_event_import_apply) and the check kind
(clienteling.web_event_import_validate), with real workers, PostgreSQL and
Redis (tests.core.drills).

The write's effect, exactly once: each event once, the import's counts, and
the uploaded file deleted.
"""

import itertools
import json

import pytest
from django.utils import timezone

from clienteling import import_uploads
from clienteling.models import StagedImport, WebEvent
from core import jobs
from core.jobs import files
from tests.clienteling.factories import ClientFactory, UserFactory
from tests.core.drills import DrillCase, DrillTests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EVENTS = 30
_numbers = itertools.count(1)
_PREFIXES: dict[int, str] = {}


def _staged() -> tuple[StagedImport, str]:
    client = ClientFactory(cookie_consent="accepted")
    prefix = f"web{next(_numbers)}-"
    lines = [
        json.dumps(
            {
                "external_id": f"{prefix}{n}",
                "client_number": client.client_number,
                "kind": "product_view",
                "product_reference": f"R{n}",
                "occurred_at": "2026-11-20T10:00:00+01:00",
            }
        )
        for n in range(1, EVENTS + 1)
    ]
    staged = StagedImport.objects.create(
        what=StagedImport.What.WEB_EVENTS,
        uploaded_by=UserFactory(is_superuser=True),
        uploaded_at=timezone.now(),
        file_id=import_uploads.store("\n".join(lines).encode()),
        rows=EVENTS,
        problem_count=0,
    )
    return staged, prefix


def _start_apply():
    staged, prefix = _staged()
    staged.apply_job = jobs.enqueue(
        kind="clienteling.web_event_import_apply",
        label=f"Importing {staged}",
        acting_user=staged.uploaded_by,
        params={"import": staged.pk},
        dedupe_key=f"import-apply:{staged.pk}",
    )
    staged.save(update_fields=["apply_job"])
    _PREFIXES[staged.apply_job.pk] = prefix
    return staged.apply_job


def _start_check():
    staged, _prefix = _staged()
    staged.rows = staged.problem_count = None
    staged.validation_job = jobs.enqueue(
        kind="clienteling.web_event_import_validate",
        label=f"Checking {staged}",
        acting_user=staged.uploaded_by,
        params={"import": staged.pk},
        dedupe_key=f"import-check:{staged.pk}",
    )
    staged.save(update_fields=["rows", "problem_count", "validation_job"])
    return staged.validation_job


def _applied_once(job):
    staged = StagedImport.objects.get(apply_job=job)
    prefix = _PREFIXES[job.pk]
    events = WebEvent.objects.filter(external_id__startswith=prefix)
    assert events.count() == EVENTS
    assert len(set(events.values_list("external_id", flat=True))) == EVENTS
    assert (staged.created, staged.already_known) == (EVENTS, 0)
    assert job.result == {"created": EVENTS, "already_known": 0}
    assert staged.file_id == ""  # the uploaded file is deleted
    assert list(import_uploads.folder().iterdir()) == []


def _checked_once(job):
    staged = StagedImport.objects.get(validation_job=job)
    assert (staged.rows, staged.problem_count) == (EVENTS, 0)
    assert job.result == {"rows": EVENTS, "problems": 0}
    assert [p.name for p in files.job_dir(job.pk).iterdir()] == ["check.jsonl"]
    assert not WebEvent.objects.exists()  # a check writes no event
    assert import_uploads.read(staged.file_id) is not None  # kept to confirm


APPLY = DrillCase(
    kind="clienteling.web_event_import_apply",
    start=_start_apply,
    check_once=_applied_once,
)
CHECK = DrillCase(
    kind="clienteling.web_event_import_validate",
    start=_start_check,
    check_once=_checked_once,
)


class TestDrills(DrillTests):
    @pytest.fixture(params=[APPLY, CHECK], ids=["apply", "check"])
    def case(self, request):
        return request.param
