"""The subject-access report on the job protocol (core.jobs), in-process.

What issue 16 found: a report left queued or running by a dead worker
blocked the request for good, and a report delivered twice built two zips.
The real-fault drills are in test_report_drills.py.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core import data_map, jobs
from core.jobs import engine, files
from core.models import Job
from privacy import reports
from privacy.models import DataSubjectRequest, SubjectAccessReport
from privacy.requests import request_open, request_verify_identity
from tests.clienteling.factories import ClientFactory, compliance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


@pytest.fixture
def unsent(monkeypatch):
    """No message reaches a worker: jobs wait until the test runs them."""
    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)


def _portability(staff):
    # A portability report: the same job, without the slow PDF.
    request = request_open(
        acting_user=staff,
        client=ClientFactory(),
        kind=DataSubjectRequest.Kind.PORTABILITY,
        channel="email",
        received_on=timezone.localdate(),
    )
    return request_verify_identity(
        acting_user=staff, request=request, method="known_email"
    )


def _report(pk) -> SubjectAccessReport:
    return SubjectAccessReport.objects.select_related("job").get(pk=pk)


def test_a_second_report_waits_for_the_first_then_may_be_requested(unsent):
    staff = compliance()
    request = _portability(staff)
    first = reports.report_request(acting_user=staff, request=request)
    assert (first.status, first.job.kind) == ("queued", "privacy.subject_access_report")
    assert first.job.params == {"report": first.pk}

    with pytest.raises(ValidationError, match="already being built"):
        reports.report_request(acting_user=staff, request=request)
    assert SubjectAccessReport.objects.filter(request=request).count() == 1

    assert jobs.run(first.job_id)["outcome"] == "done"
    assert _report(first.pk).status == "done"
    second = reports.report_request(acting_user=staff, request=request)
    assert second.pk != first.pk
    assert second.job_id != first.job_id


def test_a_report_whose_worker_died_is_resumed_by_the_sweeper(
    unsent, django_capture_on_commit_callbacks
):
    staff = compliance()
    report = reports.report_request(acting_user=staff, request=_portability(staff))
    # a worker claimed it, wrote a partial zip, then died (SIGKILL)
    token = engine._claim(report.job_id, timezone.now())
    partial = files.partial_path(report.job_id, token, reports.RESULT_NAME)
    partial.write_bytes(b"half a zip")
    assert _report(report.pk).status == "running"
    with pytest.raises(ValidationError, match="already being built"):
        reports.report_request(acting_user=staff, request=report.request)

    # the lease runs out: the sweeper queues it again and removes the partial
    later = timezone.now() + timedelta(minutes=5)
    swept = jobs.sweep(now=later)
    assert swept["resumed"] == [report.job_id]
    assert not partial.exists()
    assert jobs.run(report.job_id)["outcome"] == "done"

    report = _report(report.pk)
    assert (report.status, report.job.attempts) == ("done", 2)
    assert sorted(p.name for p in files.job_dir(report.job_id).iterdir()) == [
        "report.zip"
    ]


def test_the_same_report_delivered_twice_builds_one_zip(unsent):
    staff = compliance()
    report = reports.report_request(acting_user=staff, request=_portability(staff))
    assert jobs.run(report.job_id)["outcome"] == "done"
    assert jobs.run(report.job_id)["outcome"] == "skipped"
    report = _report(report.pk)
    assert report.job.attempts == 1
    assert report.file_name == f"{report.job_id}/report.zip"
    # counts only on the job (the Jobs page shows them), no personal data
    assert report.job.result == {
        "record_types_read": len(data_map.client_models()),
        "notes_to_review": 0,
    }
    assert [p.name for p in files.job_dir(report.job_id).iterdir()] == ["report.zip"]
    # the zip expires after REPORT_DOWNLOAD_DAYS, as before
    period = timedelta(days=reports.REPORT_DOWNLOAD_DAYS)
    assert (
        period <= report.expires_at - report.finished_at < period + timedelta(minutes=1)
    )


def test_a_failed_report_is_built_again_only_while_failed(unsent):
    staff = compliance()
    report = reports.report_request(acting_user=staff, request=_portability(staff))
    with pytest.raises(ValidationError, match="Only a failed or stopped report"):
        reports.report_retry(acting_user=staff, report=_report(report.pk))
    Job.objects.filter(pk=report.job_id).update(
        status=Job.Status.FAILED, error="RuntimeError (see the worker log)"
    )
    report = reports.report_retry(acting_user=staff, report=_report(report.pk))
    assert _report(report.pk).status == "queued"
    assert jobs.run(report.job_id)["outcome"] == "done"
    assert _report(report.pk).status == "done"


def test_the_jobs_page_does_not_build_again_the_report_of_a_closed_request(
    unsent,
):
    staff = compliance()
    report = reports.report_request(acting_user=staff, request=_portability(staff))
    Job.objects.filter(pk=report.job_id).update(status=Job.Status.FAILED)
    DataSubjectRequest.objects.filter(pk=report.request_id).update(
        status=DataSubjectRequest.Status.WITHDRAWN
    )

    with pytest.raises(jobs.JobError, match="request this report answers is closed"):
        jobs.retry(acting_user=staff, job=Job.objects.get(pk=report.job_id))

    assert Job.objects.get(pk=report.job_id).status == Job.Status.FAILED


def test_the_request_page_shows_the_reports_progress_from_its_job(client, unsent):
    officer = compliance()
    client.force_login(officer)
    request = _portability(officer)
    report = reports.report_request(acting_user=officer, request=request)
    Job.objects.filter(pk=report.job_id).update(
        status=Job.Status.RUNNING,
        progress_done=3,
        progress_total=12,
        progress_label="Read orders",
    )

    page = client.get(
        reverse("admin:privacy_datasubjectrequest_change", args=[request.pk])
    )
    assert "Building: Read orders (25%)" in page.content.decode()
    job_page = client.get(reverse("admin:privacy_report", args=[report.pk]))
    assert b'value="25"' in job_page.content
    assert b"Building: Read orders" in job_page.content

    Job.objects.filter(pk=report.job_id).update(
        status=Job.Status.FAILED, error="RuntimeError (see the worker log)"
    )
    page = client.get(
        reverse("admin:privacy_datasubjectrequest_change", args=[request.pk])
    )
    assert "Failed: RuntimeError (see the worker log)" in page.content.decode()
    retried = client.post(
        reverse("admin:privacy_report", args=[report.pk]), {"retry": "1"}
    )
    assert retried.status_code == 302
    assert _report(report.pk).status == "queued"


def test_the_pdf_renews_the_lease_while_it_renders(monkeypatch):
    # however the logging is set up (here: WeasyPrint's progress logger off)
    import logging

    logger = logging.getLogger("weasyprint.progress")
    monkeypatch.setattr(logger, "disabled", True)
    beats = []
    pdf = reports.render_pdf(
        "<h1>Report</h1>" + "<p>line</p>" * 200, heartbeat=lambda: beats.append(1)
    )
    assert pdf.startswith(b"%PDF")
    assert len(beats) >= 5  # parse, CSS, layout of each page, PDF
    assert logger.disabled is True
    assert not [h for h in logger.handlers if isinstance(h, reports._EachStep)]


def test_the_review_list_names_records_and_fields_in_staff_words(client, unsent):
    officer = compliance()
    client.force_login(officer)
    report = reports.report_request(acting_user=officer, request=_portability(officer))
    assert jobs.run(report.job_id)["outcome"] == "done"
    SubjectAccessReport.objects.filter(pk=report.pk).update(
        review_flags=[
            {
                "model": "clienteling.ContactEvent",
                "record_id": 7,
                "field": "summary",
                "matched": "name",
                "other_client_id": 9,
            }
        ]
    )
    page = client.get(reverse("admin:privacy_report", args=[report.pk]))
    text = page.content.decode()
    assert "Contact event #7, field “summary”: name of client #9" in text
    assert "clienteling.ContactEvent" not in text
