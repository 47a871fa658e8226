"""Hard bounces and complaints imported from the provider's CSV
(consents.bounces, the BounceImport add page, decision 0074)."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clienteling import import_uploads
from consents import bounces, registry, suppression
from consents.models import (
    BounceImport,
    ConsentDecision,
    SuppressionEntry,
    SuppressionEvent,
)
from core import jobs
from core.models import Job
from tests.clienteling.factories import (
    ClientFactory,
    EmailFactory,
    compliance,
    customer_service,
)
from tests.consents.factories import grant

pytestmark = pytest.mark.django_db

BEFORE = datetime(2026, 11, 1, tzinfo=UTC)
HEADER = "email,kind,date,provider_reference\n"


def _file(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


def _suppressed(address: str) -> bool:
    return SuppressionEntry.objects.filter(
        kind="email",
        digest=suppression.email_digest(address),
        lifted_at__isnull=True,
    ).exists()


def test_a_complaint_withdraws_and_a_bounce_suppresses():
    # given a client who granted newsletters, and one unknown address
    customer = ClientFactory()
    EmailFactory(client=customer, address="Lea@Example.com")
    grant(customer, registry.NEWSLETTERS, now=BEFORE)
    user = compliance()

    record = bounces.bounces_import(
        acting_user=user,
        data=_file(
            "lea@example.com,complaint,2026-12-01,MSG-1",
            "nobody@example.org,hard_bounce,2026-12-02,MSG-2",
        ),
    )

    assert (record.rows, record.complaints, record.hard_bounces) == (2, 1, 1)
    assert record.unknown_addresses == 1
    assert record.newly_suppressed == 2
    assert record.withdrawals == 1
    assert _suppressed("lea@example.com")
    assert _suppressed("nobody@example.org")
    withdrawal = ConsentDecision.objects.get(decision="withdraw")
    assert withdrawal.client == customer
    assert withdrawal.recorded_by == user
    assert timezone.localdate(withdrawal.decided_at).isoformat() == "2026-12-01"
    events = SuppressionEvent.objects.filter(bounce_import=record)
    assert events.count() == 2
    assert {e.reason for e in events} == {
        f"complaint (file {record.pk})",
        f"hard bounce (file {record.pk})",
    }


def test_a_hard_bounce_withdraws_no_consent():
    customer = ClientFactory()
    EmailFactory(client=customer, address="lea@example.com")
    grant(customer, registry.NEWSLETTERS)

    bounces.bounces_import(
        acting_user=compliance(),
        data=_file("lea@example.com,hard_bounce,2026-12-01,MSG-1"),
    )

    assert not ConsentDecision.objects.filter(decision="withdraw").exists()
    assert _suppressed("lea@example.com")


def test_a_file_with_a_bad_row_writes_nothing_and_names_the_lines():
    with pytest.raises(ValidationError) as refused:
        bounces.bounces_import(
            acting_user=compliance(),
            data=_file(
                "lea@example.com,complaint,2026-12-01,MSG-1",
                "not-an-address,hard_bounce,2026-12-01,MSG-2",
                "anna@example.com,soft_bounce,2026-12-01,MSG-3",
                "paul@example.com,hard_bounce,yesterday,MSG-4",
            ),
        )

    messages = refused.value.messages
    assert messages[0].startswith("Line 3:")
    assert "soft_bounce" in messages[1]
    assert messages[1].startswith("Line 4:")
    assert messages[2].startswith("Line 5:")
    assert not SuppressionEntry.objects.exists()
    assert not BounceImport.objects.exists()


def test_a_file_without_the_columns_is_refused():
    parsed = bounces.bounce_file_parse(b"address,type\nlea@example.com,complaint\n")

    assert parsed.errors[0][0] == 1
    assert "email" in str(parsed.errors[0][1])
    assert not parsed.rows


def test_a_future_date_is_refused():
    parsed = bounces.bounce_file_parse(_file("lea@example.com,complaint,2999-01-01,"))

    assert parsed.errors
    assert parsed.errors[0][0] == 2


def _preview(client, data: bytes):
    url = reverse("admin:consents_bounceimport_add")
    response = client.post(url, {"file": SimpleUploadedFile("bounces.csv", data)})
    assert response.status_code == 200
    return response.context["token"]


def test_compliance_uploads_checks_and_confirms_a_file_imported_by_a_job(
    client, django_capture_on_commit_callbacks
):
    customer = ClientFactory()
    EmailFactory(client=customer, address="lea@example.com")
    user = compliance()
    client.force_login(user)
    url = reverse("admin:consents_bounceimport_add")
    upload = SimpleUploadedFile(
        "bounces.csv",
        _file(
            "lea@example.com,hard_bounce,2026-12-01,MSG-1",
            "ghost@example.org,complaint,2026-12-01,MSG-2",
        ),
    )

    # when the file is checked: a preview, nothing written yet
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200
    assert "2 rows" in preview.text
    assert "1 of no client on file" in preview.text
    assert not SuppressionEntry.objects.exists()
    token = preview.context["token"]

    # confirmed: the page queues the import's job and goes to its page
    with django_capture_on_commit_callbacks(execute=False):
        started = client.post(url, {"token": token})
    job = Job.objects.get(kind=bounces.IMPORT_KIND)
    assert started.status_code == 302
    assert started.url == reverse("admin:consents_bounceimport_job", args=[job.pk])
    assert job.owner == user
    assert job.params["rows"] == 2
    assert not BounceImport.objects.exists()  # nothing written by the request
    waiting = client.get(started.url)
    assert "The file is being imported" in waiting.text
    assert 'data-progress-url="' in waiting.text
    progress = client.get(
        reverse("admin:consents_bounceimport_job_progress", args=[job.pk])
    )
    assert progress.json()["finished"] is False

    # a second click starts no second job: the same job's page
    with django_capture_on_commit_callbacks(execute=False):
        again = client.post(url, {"token": token})
    assert again.url == started.url
    assert Job.objects.filter(kind=bounces.IMPORT_KIND).count() == 1

    # the job, run here: written, counted, the upload deleted
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    record = BounceImport.objects.get()
    assert record.job == job
    assert record.newly_suppressed == 2
    assert job.result["newly_suppressed"] == 2
    assert _suppressed("ghost@example.org")
    assert import_uploads.read(job.params["file"]) is None
    result = client.get(started.url)
    assert "Bounces and complaints imported" in result.text
    assert "2 addresses newly suppressed" in result.text

    # a click after the end still finds that job, and imports nothing again
    late = client.post(url, {"token": token})
    assert late.url == started.url
    assert BounceImport.objects.count() == 1
    assert Job.objects.filter(kind=bounces.IMPORT_KIND).count() == 1


def test_a_retried_attempt_writes_nothing_twice(client):
    user = compliance()
    client.force_login(user)
    token = _preview(client, _file("lea@example.com,hard_bounce,2026-12-01,M-1"))
    job, started = bounces.bounces_import_start(acting_user=user, token=token)
    assert started
    jobs.run(job.pk)

    # an attempt after the one that committed (a worker lost after the write)
    counts = bounces.bounces_import_job(Job.objects.get(pk=job.pk), ctx=None)

    assert counts["bounce_import"] == BounceImport.objects.get().pk
    assert SuppressionEvent.objects.count() == 1


def test_the_job_fails_visibly_when_the_upload_is_gone(client):
    user = compliance()
    client.force_login(user)
    token = _preview(client, _file("lea@example.com,hard_bounce,2026-12-01,M-1"))
    job, _started = bounces.bounces_import_start(acting_user=user, token=token)
    import_uploads.remove(job.params["file"])  # swept after two hours

    # the job refuses (the engine fails it at once with this sentence; run
    # inside this test's transaction it would leave the failure to the
    # sweeper, so the refusal and the page are checked apart)
    with pytest.raises(jobs.JobRefused) as refused:
        bounces.bounces_import_job(job, ctx=None)
    assert str(refused.value) == str(bounces.FILE_GONE)
    Job.objects.filter(pk=job.pk).update(status="failed", error=str(refused.value))

    page = client.get(reverse("admin:consents_bounceimport_job", args=[job.pk]))
    assert "The file is no longer kept" in page.text
    assert not BounceImport.objects.exists()
    assert not SuppressionEntry.objects.exists()


def test_a_file_that_fails_its_check_is_refused_before_any_job():
    user = compliance()
    token = import_uploads.upload_store(
        acting_user=user, data=_file("lea@example.com,bounce,2026-12-01,M-1")
    )

    with pytest.raises(ValidationError) as refused:
        bounces.bounces_import_start(acting_user=user, token=token)

    assert "Line 2:" in refused.value.messages[0]
    assert not Job.objects.exists()
    assert not SuppressionEntry.objects.exists()


def test_someone_elses_token_or_job_is_refused(client):
    owner = compliance()
    token = import_uploads.upload_store(
        acting_user=owner, data=_file("lea@example.com,hard_bounce,2026-12-01,M-1")
    )
    job, _started = bounces.bounces_import_start(acting_user=owner, token=token)
    other = compliance()
    client.force_login(other)

    with pytest.raises(ValidationError):
        bounces.bounces_import_start(acting_user=other, token=token)
    page = client.get(reverse("admin:consents_bounceimport_job", args=[job.pk]))

    assert page.status_code == 404
    assert Job.objects.count() == 1


def test_a_bad_file_is_reported_by_line_on_the_page(client):
    client.force_login(compliance())
    upload = SimpleUploadedFile(
        "bounces.csv", _file("lea@example.com,bounce,2026-12-01,MSG-1")
    )

    response = client.post(reverse("admin:consents_bounceimport_add"), {"file": upload})

    assert response.status_code == 400
    assert "Line 2:" in response.text
    assert "nothing was written" in response.text
    assert not SuppressionEntry.objects.exists()
    assert not Job.objects.exists()


def test_customer_service_may_not_import_bounces(client):
    client.force_login(customer_service())

    assert client.get(reverse("admin:consents_bounceimport_add")).status_code == 403


def test_a_consent_given_after_the_complaint_stands():
    # given a grant renewed after the complaint's date
    customer = ClientFactory()
    EmailFactory(client=customer, address="lea@example.com")
    grant(customer, registry.NEWSLETTERS, now=datetime(2026, 12, 5, tzinfo=UTC))

    record = bounces.bounces_import(
        acting_user=compliance(),
        data=_file("lea@example.com,complaint,2026-12-01,MSG-1"),
    )

    assert record.withdrawals == 0
    assert not ConsentDecision.objects.filter(decision="withdraw").exists()
