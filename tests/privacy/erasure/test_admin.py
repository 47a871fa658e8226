"""Admin pages of erasure and retention: smoke tests and permissions."""

import pytest
from django.urls import reverse

from core import roles
from privacy.erasure import jobs
from privacy.models import ErasureJob, RetentionRun
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    EmailFactory,
    UserFactory,
)
from tests.privacy.factories import verified_erasure_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def compliance():
    return UserFactory(role=roles.COMPLIANCE)


@pytest.fixture
def job(compliance):
    client = ClientFactory(first_name="Ada", last_name="Exemple")
    EmailFactory(client=client)
    return jobs.erasure_request(
        acting_user=UserFactory(role=roles.COMPLIANCE),
        client=client,
        request=verified_erasure_request(client, officer=compliance),
    )


def test_request_form_opens_a_job_and_leads_to_the_confirmation(client, compliance):
    target = ClientFactory()
    asked = verified_erasure_request(target, officer=compliance)
    client.force_login(compliance)

    response = client.post(
        reverse("admin:privacy_erasurejob_add"),
        {"client": target.pk, "request": asked.pk},
    )

    job = ErasureJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:privacy_erasurejob_approve", args=[job.pk])
    assert (job.request, job.requested_by) == (asked, compliance)


def test_request_form_refuses_a_second_open_erasure(client, compliance, job):
    client.force_login(compliance)

    response = client.post(
        reverse("admin:privacy_erasurejob_add"), {"client": job.client_id}
    )

    assert response.status_code == 200
    assert "already awaiting approval" in response.content.decode()
    assert ErasureJob.objects.count() == 1


def test_confirmation_names_the_client_and_what_is_kept_and_why(
    client, compliance, job
):
    client.force_login(compliance)

    response = client.get(reverse("admin:privacy_erasurejob_approve", args=[job.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ada Exemple" in page
    assert "proof that processing was lawful" in page
    assert "suppression list" in page
    assert not job.steps.exists()  # a GET approves nothing


def test_approving_runs_the_erasure_and_shows_the_receipt(  # noqa: PLR0917
    client, compliance, job, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    client.force_login(compliance)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:privacy_erasurejob_approve", args=[job.pk]),
            {"confirm": "yes", "typed_confirmation": job.client.client_number},
        )
    receipt = client.get(response.url)

    job.refresh_from_db()
    assert job.status == ErasureJob.Status.DONE
    assert job.approved_by == compliance
    assert receipt.status_code == 200
    assert "Email addresses" in receipt.text
    assert "1 entry erased" in receipt.text
    assert "clienteling.ClientEmail" not in receipt.text  # staff's words
    assert "Ada" not in receipt.content.decode()  # the receipt names no one
    changelist = client.get(reverse("admin:privacy_erasurejob_changelist"))
    assert changelist.status_code == 200
    change = client.get(reverse("admin:privacy_erasurejob_change", args=[job.pk]))
    assert change.status_code == 200


def test_an_adviser_cannot_approve_even_a_client_in_scope(client, job):
    boutique = job.client.home_boutique
    adviser = UserFactory(role=roles.ADVISER, boutiques=[boutique])
    client.force_login(adviser)

    response = client.post(reverse("admin:privacy_erasurejob_approve", args=[job.pk]))

    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == ErasureJob.Status.REQUESTED


def test_an_adviser_of_another_boutique_gets_404(client, job):
    adviser = UserFactory(role=roles.ADVISER, boutiques=[BoutiqueFactory()])
    client.force_login(adviser)

    response = client.get(reverse("admin:privacy_erasurejob_receipt", args=[job.pk]))

    assert response.status_code == 404


def test_compliance_starts_a_dry_run_and_reads_its_report(
    client, compliance, django_capture_on_commit_callbacks
):
    client.force_login(compliance)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:privacy_retentionrun_start"), {"dry_run": "1"}
        )
    run = RetentionRun.objects.get()
    report = client.get(response.url)

    assert run.dry_run
    assert run.status == RetentionRun.Status.DONE
    assert report.status_code == 200
    assert "Prospects and inactive clients" in report.content.decode()
    assert (
        client.get(reverse("admin:privacy_retentionrun_changelist")).status_code == 200
    )
    assert (
        client.get(reverse("admin:privacy_retentionrule_changelist")).status_code == 200
    )


def test_an_adviser_cannot_start_retention(client):
    client.force_login(UserFactory(role=roles.ADVISER, boutiques=[BoutiqueFactory()]))

    for url, data in (
        (reverse("admin:privacy_retentionrun_start"), {"dry_run": "1"}),
        (reverse("admin:privacy_retentionrun_run"), {"confirm": "yes"}),
    ):
        response = client.post(url, data)

        assert response.status_code == 403
    assert client.get(reverse("admin:privacy_retentionrun_run")).status_code == 403
    assert not RetentionRun.objects.exists()
