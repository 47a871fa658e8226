"""The report is built by a real Celery worker, through the broker."""

import zipfile

import pytest

from privacy import reports
from privacy.models import SubjectAccessReport
from tests.privacy.requests.builders import fill

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker]


def test_report_built_in_a_real_worker_on_postgresql(celery_worker):
    # given the registry and roles (a transactional test flushed them) and a
    # verified access request for a client with data everywhere
    from consents.registry import sync_registry
    from core.roles import sync_roles

    sync_registry()
    sync_roles()
    client, rows, access, staff = fill("Sujet")
    # when it is queued (after commit, as in the admin) and the worker runs
    report = reports.report_request(acting_user=staff, request=access)
    from privacy.tasks.requests import build_report

    # the on_commit hook has sent it; wait on a second, idempotent delivery
    result = build_report.delay(report.pk).get(timeout=120)
    # then the job row says done and the zip is in private storage
    report = SubjectAccessReport.objects.get(pk=report.pk)
    assert result["status"] == "done"
    assert report.status == "done"
    assert report.progress_done == report.progress_total > 0
    archive = zipfile.ZipFile(reports.storage_dir() / report.file_name)
    assert {"report.json", "report.html", "report.pdf"} <= set(archive.namelist())
