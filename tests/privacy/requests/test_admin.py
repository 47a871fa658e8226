"""Admin pages of requests, reports and the register: smoke, permissions."""

import csv
import io
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AccessLogEntry, Job
from privacy import register
from privacy.models import DataSubjectRequest, SubjectAccessReport
from privacy.requests import request_open, request_verify_identity
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    adviser,
    compliance,
    customer_service,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = compliance()
    client.force_login(user)
    return user


def _request(kind="access", verified=True, user=None, client_obj=None):
    request = request_open(
        acting_user=user,
        client=client_obj or ClientFactory(),
        kind=kind,
        channel="email",
        received_on=timezone.localdate(),
    )
    if verified:
        request = request_verify_identity(
            acting_user=user or compliance(), request=request, method="known_email"
        )
    return request


def test_every_page_answers_for_the_compliance_officer(client, officer):
    request = _request(user=officer)
    urls = [
        reverse("admin:privacy_datasubjectrequest_changelist"),
        reverse("admin:privacy_datasubjectrequest_add"),
        reverse("admin:privacy_datasubjectrequest_change", args=[request.pk]),
        reverse("admin:privacy_dashboard"),
        reverse("admin:privacy_register"),
        reverse("admin:privacy_register_html"),
        reverse("admin:privacy_register_csv"),
        *(
            reverse("admin:privacy_request_action", args=[request.pk, action])
            for action in ("verify", "extend", "close", "report", "link-edits")
        ),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_officer_registers_a_request_through_the_add_form(client, officer):
    target = ClientFactory()
    response = client.post(
        reverse("admin:privacy_datasubjectrequest_add"),
        {
            "client": target.pk,
            "kind": "access",
            "channel": "post",
            "received_on": "2026-01-31",
            "details": "",
            "assignee": "",
            "edits-TOTAL_FORMS": "0",
            "edits-INITIAL_FORMS": "0",
            "reports-TOTAL_FORMS": "0",
            "reports-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    request = DataSubjectRequest.objects.get()
    assert (request.client, request.due_on) == (target, date(2026, 2, 28))
    assert request.history.first().history_user == officer


def test_a_future_received_date_keeps_the_form_and_writes_nothing(client, officer):
    response = client.post(
        reverse("admin:privacy_datasubjectrequest_add"),
        {
            "client": ClientFactory().pk,
            "kind": "access",
            "channel": "post",
            "received_on": "2099-01-01",
            "edits-TOTAL_FORMS": "0",
            "edits-INITIAL_FORMS": "0",
            "reports-TOTAL_FORMS": "0",
            "reports-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert b"cannot be received in the future" in response.content
    assert not DataSubjectRequest.objects.exists()


def test_build_then_download_is_logged_and_zip(
    client, officer, django_capture_on_commit_callbacks
):
    request = _request(user=officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:privacy_request_action", args=[request.pk, "report"])
        )
    report = SubjectAccessReport.objects.get()
    assert response.url == reverse("admin:privacy_report", args=[report.pk])
    page = client.get(response.url)
    assert b"report-download" in page.content

    download = client.get(reverse("admin:privacy_report_download", args=[report.pk]))

    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "report.json" in archive.namelist()
    assert download["Cache-Control"].startswith("private, no-store")
    assert (
        AccessLogEntry.objects.filter(
            user=officer, action="download", object_type="privacy.subjectaccessreport"
        ).count()
        == 1
    )


def test_unverified_request_gets_an_error_not_a_report(client, officer):
    request = _request(verified=False)
    response = client.post(
        reverse("admin:privacy_request_action", args=[request.pk, "report"])
    )
    assert response.status_code == 200
    assert b"Verify the person" in response.content
    assert not SubjectAccessReport.objects.exists()


@pytest.mark.parametrize("make_user", [adviser, customer_service])
def test_other_roles_see_no_request_dashboard_register_or_report(client, make_user):
    boutique = BoutiqueFactory()
    request = _request(client_obj=ClientFactory(home_boutique=boutique))
    report = SubjectAccessReport.objects.create(
        request=request,
        created_at=timezone.now(),
        job=Job.objects.create(
            kind="privacy.subject_access_report",
            label="Subject-access report",
            status=Job.Status.DONE,
            result_file="1/report.zip",
            created_at=timezone.now(),
        ),
    )
    client.force_login(make_user(boutique) if make_user is adviser else make_user())
    for url in (
        reverse("admin:privacy_datasubjectrequest_changelist"),
        reverse("admin:privacy_dashboard"),
        reverse("admin:privacy_register"),
        reverse("admin:privacy_register_csv"),
        reverse("admin:privacy_report_download", args=[report.pk]),
        reverse("admin:privacy_request_action", args=[request.pk, "verify"]),
    ):
        assert client.get(url).status_code == 403, url
    assert not AccessLogEntry.objects.filter(action="download").exists()
    request.refresh_from_db()
    assert request.status == "in_progress"


def test_register_lists_every_purpose_with_its_art30_columns(client, officer):
    from consents import registry

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("admin:privacy_register_csv")).content.decode()
            )
        )
    )
    assert [r["purpose"] for r in rows] == [p.name for p in registry.PURPOSES]
    for row, spec in zip(rows, registry.PURPOSES, strict=True):
        assert row["retention"] == spec.retention
        assert row["recipients"] == "; ".join(spec.recipients)
        assert row["transfers"]
        assert row["security measures"]
        assert row["fields"], spec.code  # the data map holds each category
    html = client.get(reverse("admin:privacy_register_html"))
    assert html["Content-Disposition"].startswith("attachment")
    assert b"Allergy-aware service" in html.content
    assert "explicit consent" in next(
        a.legal_basis for a in register.activities() if a.special_category
    )


def test_the_legal_clock_filter_lists_each_set_of_the_on_time_figure(client, officer):
    """The requests list's "legal clock" filter (the compliance
    dashboard's on-time figure links to it): each choice lists exactly
    its requests, an extended date counting as the deadline; a value
    it does not offer is ignored, never an error page."""
    today = timezone.localdate()

    def made(due, *, status="received", closed=None, extended=None):
        return DataSubjectRequest.objects.create(
            client=ClientFactory(),
            kind="access",
            channel="email",
            received_on=today - timedelta(days=40),
            due_on=due,
            extended_due_on=extended,
            extension_reason="Complex request" if extended else "",
            status=status,
            closed_at=closed,
        )

    now = timezone.now()
    on_time = made(today, status="completed", closed=now)
    extended = made(
        today - timedelta(days=2), status="completed", closed=now, extended=today
    )
    late = made(today - timedelta(days=1), status="refused", closed=now)
    overdue = made(today - timedelta(days=1), status="in_progress")
    soon = made(today + timedelta(days=7))
    later = made(today + timedelta(days=8))
    url = reverse("admin:privacy_datasubjectrequest_changelist")
    expected = {
        "closed_on_time": {on_time, extended},
        "closed_late": {late},
        "overdue": {overdue},
        "due_soon": {soon},
        "due_later": {later},
    }
    for value, requests in expected.items():
        page = client.get(url, {"clock": value})
        assert page.status_code == 200, value
        assert set(page.context["cl"].result_list) == requests, value
    page = client.get(url)
    assert "legal clock" in page.content.decode()
    page = client.get(url, {"clock": "nonsense"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 6
