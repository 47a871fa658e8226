"""The accountability file (decision 0080): a compliance-only page, a PDF
and a zip of formula-safe CSV files, and the access log exported by
client, user and period; every export recorded in the access log."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AccessLogEntry
from core.services import access_log_record
from privacy import accountability
from privacy import home as privacy_home
from privacy.models import Approval
from tests.clienteling.factories import (
    ClientFactory,
    UserFactory,
    adviser,
    compliance,
)
from tests.privacy.factories import (
    ApprovalFactory,
    BreachFactory,
    DataSubjectRequestFactory,
    DpiaFactory,
    RecipientNoticeFactory,
)

pytestmark = pytest.mark.django_db


def test_the_page_is_for_compliance_only(client):
    client.force_login(adviser())
    assert client.get(reverse("admin:privacy_accountability")).status_code == 403
    assert client.get(reverse("admin:privacy_accountability_zip")).status_code == 403
    assert not AccessLogEntry.objects.filter(
        object_type=accountability.FILE_LABEL
    ).exists()


def test_the_page_shows_every_table(client):
    DpiaFactory()
    RecipientNoticeFactory()
    client.force_login(compliance())
    response = client.get(reverse("admin:privacy_accountability"))
    assert response.status_code == 200
    page = response.content.decode()
    for stem in (
        "processors",
        "transfers",
        "dpias",
        "breaches",
        "requests",
        "erasures",
        "retention_runs",
        "recipient_notices",
    ):
        assert f'id="table-{stem}-title"' in page
    assert "The parent group" in page
    assert "privacy.recipientnotice" not in page


def test_the_zip_holds_formula_safe_csv_files_and_is_logged(client):
    officer = compliance()
    DataSubjectRequestFactory(details="x")
    from privacy.models import Recipient

    Recipient.objects.create(
        name='=HYPERLINK("http://evil.example")',
        kind=Recipient.Kind.PROCESSOR,
        service="Hosting",
        agreement_reference="DPA-1",
        agreement_signed_on=timezone.localdate(),
    )
    client.force_login(officer)
    response = client.get(reverse("admin:privacy_accountability_zip"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {
        "register.csv",
        "processors.csv",
        "requests.csv",
        "recipient_notices.csv",
    } <= set(archive.namelist())
    processors = archive.read("processors.csv").decode()
    assert "'=HYPERLINK" in processors
    assert "\n=HYPERLINK" not in processors
    assert (
        AccessLogEntry.objects.filter(
            user=officer, action="export", object_type=accountability.FILE_LABEL
        ).count()
        == 1
    )


def test_the_pdf_is_a_pdf_and_is_logged(client):
    officer = compliance()
    client.force_login(officer)
    response = client.get(reverse("admin:privacy_accountability_pdf"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert AccessLogEntry.objects.filter(
        user=officer, object_type=accountability.FILE_LABEL
    ).exists()


def test_request_statistics_count_on_time_late_and_extended():
    today = timezone.localdate()
    on_time = DataSubjectRequestFactory(received_on=today - timedelta(days=5))
    late = DataSubjectRequestFactory(received_on=today - timedelta(days=80))
    from privacy.models import DataSubjectRequest

    DataSubjectRequest.objects.filter(pk=on_time.pk).update(
        status="completed", closed_at=timezone.now()
    )
    DataSubjectRequest.objects.filter(pk=late.pk).update(
        status="completed", closed_at=timezone.now()
    )
    DataSubjectRequestFactory()
    (access,) = accountability.request_statistics()
    assert (access.received, access.open, access.on_time, access.late) == (3, 1, 1, 1)


def test_the_access_log_export_filters_by_client_user_and_period(client):
    officer = compliance()
    adviser = UserFactory(username="adviser.one")
    seen, other = ClientFactory(), ClientFactory()
    access_log_record(acting_user=adviser, action="view", target=seen)
    access_log_record(acting_user=adviser, action="view", target=other)
    access_log_record(acting_user=officer, action="view", target=seen)
    today = timezone.localdate().isoformat()
    client.force_login(officer)
    response = client.get(
        reverse("admin:privacy_access_log_export"),
        {
            "client_number": seen.client_number,
            "username": "adviser.one",
            "start": today,
            "end": today,
        },
    )
    assert response.status_code == 200
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 2  # the header and the one matching row
    assert "client" in lines[1]
    assert "clienteling.client" not in lines[1]
    logged = AccessLogEntry.objects.get(
        user=officer, object_type=accountability.ACCESS_LOG_LABEL
    )
    assert (logged.action, logged.count) == ("export", 1)


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"start": "2026-03-10", "end": "2026-03-01"}, "end", "before it starts"),
        (
            {"start": "2026-03-01", "end": "2026-03-10", "username": "nobody.here"},
            "username",
            "No staff user is called nobody.here",
        ),
        (
            {"start": "2026-03-01", "end": "2026-03-10", "client_number": "C-NOPE"},
            "client_number",
            "No client has the number C-NOPE",
        ),
        ({"start": "yesterday", "end": "2026-03-10"}, "start", "valid date"),
    ],
)
def test_bad_filters_are_refused_with_the_reason_and_nothing_exported(
    client, params, field, words
):
    officer = compliance()
    client.force_login(officer)
    response = client.get(reverse("admin:privacy_access_log_export"), params)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert field in response.context["form"].errors
    assert not AccessLogEntry.objects.filter(
        object_type=accountability.ACCESS_LOG_LABEL
    ).exists()


def test_a_large_access_log_export_waits_for_a_second_officer(settings):
    settings.BULK_EXPORT_COMPLIANCE_THRESHOLD = 1
    officer = compliance()
    for person in (ClientFactory(), ClientFactory()):
        access_log_record(acting_user=officer, action="view", target=person)
    today = timezone.localdate()
    query = accountability.access_log_query(start=today, end=today)
    with pytest.raises(ValidationError):
        accountability.access_log_csv(
            acting_user=officer, query=query, filters="start=x"
        )
    assert (
        Approval.objects.filter(
            kind=Approval.Kind.CLIENT_EXPORT, status="pending"
        ).count()
        == 1
    )
    assert not AccessLogEntry.objects.filter(
        object_type=accountability.ACCESS_LOG_LABEL
    ).exists()


def test_the_home_counts_the_programme():
    now = timezone.now()
    BreachFactory(
        occurred_at=now - timedelta(hours=10), aware_at=now - timedelta(hours=5)
    )
    DpiaFactory(review_on=timezone.localdate() - timedelta(days=1))
    RecipientNoticeFactory(outcome="pending", sent_at=None)
    RecipientNoticeFactory(outcome="failed", sent_at=None)
    RecipientNoticeFactory()
    ApprovalFactory()
    programme = privacy_home.programme(now=now)
    assert [clock.hours_left for _b, clock in programme.breaches] == [67]
    assert (
        programme.dpias_due,
        programme.notices_pending,
        programme.notices_failed,
        programme.approvals_waiting,
    ) == (1, 1, 1, 1)


def test_the_compliance_home_shows_the_counters(client):
    RecipientNoticeFactory(outcome="failed", sent_at=None)
    client.force_login(compliance())
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="home-programme"' in page
    assert "recipient notices failed" in page
