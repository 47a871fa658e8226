"""Imports as jobs under real faults: the four drills for the write kind
(clienteling.client_import_apply) and the check kind
(clienteling.client_import_validate), with real workers, PostgreSQL and
Redis (tests.core.drills).

The write's effect, exactly once: the file's clients, each with one history
row and one email, the import's count, and the uploaded file deleted.
"""

import itertools

import pytest
from django.utils import timezone

from clienteling import import_uploads
from clienteling.models import Client, ClientEmail, StagedImport
from core import jobs
from core.jobs import files
from tests.clienteling.factories import BoutiqueFactory, UserFactory
from tests.core.drills import DrillCase, DrillTests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS = 30
_numbers = itertools.count(1)


def _csv(prefix: str) -> bytes:
    lines = ["client_number,first_name,last_name,home_boutique,email"]
    lines += [
        f"{prefix}-{n:03d},Aline{n},Marchal,PAR,{prefix.lower()}-{n}@example.com"
        for n in range(1, ROWS + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


def _staged() -> StagedImport:
    user = UserFactory(is_superuser=True)
    prefix = f"DR{next(_numbers)}"
    return StagedImport.objects.create(
        what=StagedImport.What.CLIENTS,
        uploaded_by=user,
        uploaded_at=timezone.now(),
        file_id=import_uploads.store(_csv(prefix)),
        rows=ROWS,
        problem_count=0,
    )


def _prefix(staged: StagedImport) -> str:
    data = import_uploads.read(staged.file_id) if staged.file_id else None
    return data.splitlines()[1].decode().split("-")[0] if data else ""


def _start_apply():
    staged = _staged()
    staged.apply_job = jobs.enqueue(
        kind="clienteling.client_import_apply",
        label=f"Importing {staged}",
        acting_user=staged.uploaded_by,
        params={"import": staged.pk},
        dedupe_key=f"import-apply:{staged.pk}",
    )
    staged.save(update_fields=["apply_job"])
    _PREFIXES[staged.apply_job.pk] = _prefix(staged)
    return staged.apply_job


def _start_check():
    staged = _staged()
    staged.rows = staged.problem_count = None
    staged.validation_job = jobs.enqueue(
        kind="clienteling.client_import_validate",
        label=f"Checking {staged}",
        acting_user=staged.uploaded_by,
        params={"import": staged.pk},
        dedupe_key=f"import-check:{staged.pk}",
    )
    staged.save(update_fields=["rows", "problem_count", "validation_job"])
    return staged.validation_job


_PREFIXES: dict[int, str] = {}


def _applied_once(job):
    staged = StagedImport.objects.get(apply_job=job)
    prefix = _PREFIXES[job.pk]
    clients = Client.objects.filter(client_number__startswith=f"{prefix}-")
    assert clients.count() == ROWS
    assert Client.history.filter(client_number__startswith=f"{prefix}-").count() == ROWS
    assert ClientEmail.objects.filter(client__in=clients).count() == ROWS
    assert staged.created == ROWS
    assert job.result == {"created": ROWS}
    assert staged.file_id == ""  # the uploaded file is deleted
    assert list(import_uploads.folder().iterdir()) == []


def _checked_once(job):
    staged = StagedImport.objects.get(validation_job=job)
    assert (staged.rows, staged.problem_count) == (ROWS, 0)
    assert job.result == {"rows": ROWS, "problems": 0}
    assert [p.name for p in files.job_dir(job.pk).iterdir()] == ["check.jsonl"]
    assert not Client.objects.exists()  # a check writes no client
    assert import_uploads.read(staged.file_id) is not None  # kept to confirm


APPLY = DrillCase(
    kind="clienteling.client_import_apply", start=_start_apply, check_once=_applied_once
)
CHECK = DrillCase(
    kind="clienteling.client_import_validate",
    start=_start_check,
    check_once=_checked_once,
)


class TestDrills(DrillTests):
    @pytest.fixture(params=[APPLY, CHECK], ids=["apply", "check"])
    def case(self, request):
        BoutiqueFactory(code="PAR")
        return request.param
