"""The subject-access report under real faults (tests.core.drills).

Real worker processes, Redis and PostgreSQL: the worker SIGKILLed mid-build,
its database connection terminated, the broker flushed while reports wait,
the same report delivered twice at once. Each time the report ends ready
with one zip (report.zip of its job), no partial file, and the request
free for the next report.
"""

import json
import zipfile

import pytest
from django.utils import timezone

from core.jobs import files
from privacy import reports
from privacy.models import DataSubjectRequest, SubjectAccessReport
from privacy.requests import request_open, request_verify_identity
from tests.clienteling.factories import ClientFactory, UserFactory
from tests.core.drills import DrillCase, DrillTests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _start():
    staff = UserFactory()
    client = ClientFactory()
    request = request_open(
        acting_user=staff,
        client=client,
        kind=DataSubjectRequest.Kind.ACCESS,
        channel="email",
        received_on=timezone.localdate(),
    )
    request = request_verify_identity(
        acting_user=staff, request=request, method="known_email"
    )
    return reports.report_request(acting_user=staff, request=request).job


def _check_once(job):
    report = SubjectAccessReport.objects.select_related("job", "request").get(job=job)
    # one report for the request, ready, and one zip: the job's report.zip
    assert SubjectAccessReport.objects.filter(request=report.request).count() == 1
    assert report.status == "done"
    assert [p.name for p in files.job_dir(job.pk).iterdir()] == ["report.zip"]
    path = reports.report_open_for_download(acting_user=None, report=report)
    archive = zipfile.ZipFile(path)
    assert {"report.json", "report.html", "report.pdf"} <= set(archive.namelist())
    document = json.loads(archive.read("report.json"))
    assert document["client_number"] == report.request.client.client_number
    assert report.job.result_size == path.stat().st_size
    # nothing left in the old folder, and the request may have a new report
    assert not (files.root().parent / "subject-access").exists()
    assert not report.is_unfinished


CASE = DrillCase(
    kind="privacy.subject_access_report", start=_start, check_once=_check_once
)


class TestDrills(DrillTests):
    @pytest.fixture
    def case(self):
        return CASE
