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
from tests.core.drills import (
    DrillCase,
    drill_double_delivery,
    drill_flush_broker,
    drill_sigkill,
    drill_terminate_connection,
    require_services,
)

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


@pytest.fixture(autouse=True)
def _services(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    require_services(settings)
    from config.celery import app

    app.conf.task_always_eager = False  # messages go through Redis


def test_sigkill_of_the_worker_mid_report():
    job = drill_sigkill(CASE)
    assert job.attempts == 2


def test_its_database_connection_terminated_mid_report():
    job = drill_terminate_connection(CASE)
    assert job.attempts >= 2


def test_the_broker_flushed_while_reports_wait():
    assert all(job.attempts == 1 for job in drill_flush_broker(CASE))


def test_the_same_report_delivered_twice_at_once():
    drill_double_delivery(CASE)
