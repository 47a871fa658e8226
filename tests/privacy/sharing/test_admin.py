"""Sharing pages in the admin: smoke, permissions, the client-page panel."""

import pytest
from django.urls import reverse

from privacy import pseudonyms
from privacy.models import GroupInsight, InsightImport, SharingBatch
from privacy.sharing import exports, insights
from privacy.tasks import sharing as tasks_sharing
from tests.clienteling.factories import UserFactory, adviser, compliance
from tests.privacy.sharing.helpers import NOW, consent, fake_purchases, person, withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _group_key(settings, monkeypatch):
    settings.SHARING_KEYS = {"group": [("2026a", "a" * 40)]}
    settings.SHARING_DEMO_KEYS = False
    # Pages and permissions, not purchases: fake rows keep the setup small
    # (test_orders_source.py covers the real source).
    monkeypatch.setattr(exports, "purchases_for", fake_purchases())


@pytest.mark.parametrize(
    "url",
    [
        "admin:privacy_sharingbatch_changelist",
        "admin:privacy_partner_changelist",
        "admin:privacy_partner_add",
        "admin:privacy_insightimport_changelist",
        "admin:privacy_insightimport_add",
    ],
)
def test_compliance_opens_every_sharing_page(client, url):
    client.force_login(compliance())

    assert client.get(reverse(url)).status_code == 200


def test_compliance_runs_the_group_export_from_the_batch_list(
    client, django_capture_on_commit_callbacks
):
    consent(person(1))
    officer = compliance()
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:privacy_group_export"))

    assert response.status_code == 302
    batch = SharingBatch.objects.get()
    assert (batch.created_by, batch.client_count) == (officer, 1)
    page = client.get(reverse("admin:privacy_sharingbatch_changelist"))
    assert b"Run the cross-group export now" in page.content


def test_an_adviser_cannot_run_the_export_nor_import(
    client, django_capture_on_commit_callbacks
):
    user = adviser(person(1).home_boutique)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("admin:privacy_group_export"))
    assert response.status_code == 403
    assert callbacks == []
    assert client.get(reverse("admin:privacy_insightimport_add")).status_code == 403
    assert client.get(reverse("admin:privacy_sharingbatch_changelist")).status_code == (
        403
    )
    assert SharingBatch.objects.count() == 0


def test_the_export_url_refuses_get(client):
    client.force_login(compliance())

    assert client.get(reverse("admin:privacy_group_export")).status_code == 405
    assert SharingBatch.objects.count() == 0


def test_import_page_shows_the_refusal_and_writes_nothing(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(compliance())
    upload = SimpleUploadedFile(
        "insights.csv", b"pseudonym,email\n" + b"e" * 64 + b",x@example.com\n"
    )

    response = client.post(
        reverse("admin:privacy_insightimport_add"),
        {"batch_id": "G-1", "file": upload},
    )

    assert response.status_code == 200
    assert b"unknown columns: &#x27;email&#x27;" in response.content
    assert InsightImport.objects.count() == 0


def _client_with_insight():
    shown = person(1)
    consent(shown)
    exports.group_export_run(acting_user=None, now=NOW, purchases=fake_purchases())
    line = (
        f"{pseudonyms.current_key('group').pseudonym(shown.pk)},VIP-7,ring,maison-a:0.9"
    )
    insights.insights_import(
        acting_user=None,
        batch_id="G-7",
        data=(
            "pseudonym,segment_codes,preferred_categories,house_affinity\n"
            + line
            + "\n"
        ).encode(),
        now=NOW,
    )
    return shown


def test_the_client_page_shows_the_groups_insight_labelled(client):
    shown = _client_with_insight()
    client.force_login(adviser(shown.home_boutique))

    page = client.get(reverse("admin:clienteling_client_card", args=[shown.pk]))

    assert b'id="panel-group_insights"' in page.content
    assert b"From the group" in page.content
    assert b"VIP-7" in page.content


def test_after_a_withdrawal_the_client_page_shows_no_insight(client):
    shown = _client_with_insight()
    withdraw(shown, at=NOW.replace(day=16))
    client.force_login(adviser(shown.home_boutique))

    page = client.get(reverse("admin:clienteling_client_card", args=[shown.pk]))

    assert b"VIP-7" not in page.content
    assert GroupInsight.objects.count() == 1  # purged at the next transfer


def test_staff_without_the_permission_do_not_see_the_panel(client):
    shown = _client_with_insight()
    user = UserFactory(is_superuser=False)
    user.user_permissions.set([])
    from django.contrib.auth.models import Permission

    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_client", "view_all_clients", "change_client"]
        )
    )
    client.force_login(user)

    page = client.get(reverse("admin:clienteling_client_card", args=[shown.pk]))

    assert page.status_code == 200
    assert b"VIP-7" not in page.content


@pytest.mark.celery_worker
def test_the_task_runs_in_a_real_worker(celery_worker, settings):
    from consents import registry
    from core.jobs.engine import run_job

    # A transactional test may follow another that flushed the registry's
    # migrated rows; the consent wording must exist.
    registry.sync_registry()
    consent(person(1))

    # The task starts a job (core.jobs) whose own message the worker runs
    # next; a second message for the same job, behind it on the solo
    # worker, returns once the job has ended.
    result = tasks_sharing.group_export.delay().get(timeout=60)
    run_job.delay(result["job"]).get(timeout=60)

    batch = SharingBatch.objects.get(job_id=result["job"])
    assert batch.client_count == 1


def test_the_batch_list_shows_a_failed_export_and_one_under_way(client):
    from core.models import Job
    from privacy.jobs import GroupExportJob
    from tests.core.factories import JobFactory
    from tests.privacy.factories import PartnerFactory

    partner = PartnerFactory(name="Kaufhaus Exemple")
    failed = JobFactory(
        kind=exports.GROUP_KIND,
        label="Cross-group export",
        params={"batch_id": "0" * 32},
        status=Job.Status.FAILED,
        error=GroupExportJob().error_message(RuntimeError()),
        result={},
    )
    JobFactory(
        kind=exports.PARTNER_KIND,
        label="Partner export to Kaufhaus Exemple",
        params={"batch_id": "1" * 32, "partner": partner.pk},
        status=Job.Status.RUNNING,
        finished_at=None,
        progress_done=1,
        progress_total=4,
        progress_label="Listing clients: 1 of 4",
        result={},
    )
    client.force_login(compliance())

    page = client.get(reverse("admin:privacy_sharingbatch_changelist"))

    text = page.content.decode()
    assert "Cross-group export</strong>" in text
    assert failed.error in text
    assert "Partner export to Kaufhaus Exemple</strong>" in text
    assert "Listing clients: 1 of 4" in text
    assert "25%" in text
