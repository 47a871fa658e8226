"""The residue test: after erasure, the marker is nowhere.

A client is seeded with a unique marker in every free-text field of every
client model of the data map, in edited history, in the admin log, in a
task result, and in a file of every registered file location: a scan of
a signed form, a subject-access report zip (built by the worker), an
outreach list (built by the worker), a partner and a group sharing batch,
an import temp file. A compliance officer approves the erasure and a real
Celery worker runs it. Then every text, varchar, json, jsonb and bytea
column of every table, every file under PRIVATE_STORAGE_ROOT,
SHARING_EXPORT_ROOT and the import temp folder (zips opened), every key
of the broker's Redis db (message bodies decoded) and every task result
row are scanned: zero hits outside the documented legal-obligation fields
and files. A second client seeded alike keeps its rows, its scan and its
row of the partner batch.
"""

import hashlib
import json
import sys
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django_celery_results.models import TaskResult

from clienteling import import_uploads
from consents import outreach, registry, suppression
from consents.models import (
    ConsentDecision,
    OutreachList,
    PaperFormSubmission,
    Purpose,
    SuppressionEntry,
)
from consents.services import scan_path
from consents.tasks import build_outreach_list
from core.jobs.engine import run_job
from privacy import pseudonyms, reports, stored_files
from privacy import requests as dsr
from privacy.erasure import jobs
from privacy.models import DataSubjectRequest, ErasureJob, SubjectAccessReport
from privacy.sharing import exports
from privacy.sharing.insights import insights_inbox
from privacy.tasks.requests import build_report
from tests.clienteling.factories import BoutiqueFactory, UserFactory, adviser
from tests.privacy.erasure.scan import (
    broker_hits,
    database_hits,
    file_hits,
    files_naming,
    rows_about,
    task_result_hits,
)
from tests.privacy.erasure.seeding import (
    grant_sharing_and_events,
    lift_restriction,
    seed_client,
    sharing_partner,
)


# Fields whose KEEP in the data map names a legal obligation and that could
# hold free text: none of them takes the marker, so the allowed set is
# empty; it is spelled out so a new KEEP text field is a decision.
def _kept_columns() -> set[tuple[str, str]]:
    """Columns the data map keeps under a named legal obligation.

    The invoice's billed name, for example, is kept 10 years (Commercial
    Code L123-22); the marker may remain there and in that row's history.
    """
    from core import data_map
    from core.classification import Category, Erasure

    kept = set()
    for model, entry in data_map.client_models():
        for name, f in entry.fields.items():
            if f.erasure is Erasure.KEEP and f.category is not Category.NOT_PERSONAL:
                column = model._meta.get_field(name).column
                kept.add((model._meta.db_table, column))
                history = getattr(model, "history", None)
                if history is not None:
                    kept.add((history.model._meta.db_table, column))
    return kept


ALLOWED_HITS: set[tuple[str, str]] = _kept_columns()

# Files a named legal obligation keeps after erasure, by location code:
# only the erasure replay log is kept (FileErasure.KEEP), and it holds
# client ids, never a name, email or phone, so no file may hold a needle.
ALLOWED_FILE_HITS: dict[str, str] = {}


def _run_through_worker(monkeypatch, job):
    results = []
    send = run_job.apply_async

    def capture(*args, **kwargs):
        results.append(send(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(run_job, "apply_async", capture)
    jobs.erasure_approve(acting_user=job._approver, job=job)
    assert len(results) == 1
    return results[0].get(timeout=120)


def _report_built_by_the_worker(client, staff) -> SubjectAccessReport:
    request = dsr.request_open(
        acting_user=staff,
        client=client,
        kind=DataSubjectRequest.Kind.ACCESS,
        channel="email",
        received_on=date(2026, 3, 1),
    )
    request = dsr.request_verify_identity(
        acting_user=staff, request=request, method="known_email"
    )
    report = reports.report_request(acting_user=staff, request=request)
    # The on_commit hook has sent it; wait on a second, idempotent delivery.
    assert build_report.delay(report.pk).get(timeout=120)["status"] == "done"
    return SubjectAccessReport.objects.get(pk=report.pk)


def _outreach_list_built_by_the_worker(user) -> OutreachList:
    outreach_list = outreach.outreach_list_request(
        acting_user=user,
        purpose=Purpose.objects.get(code=registry.EVENTS),
        channel="email",
    )
    result = build_outreach_list.delay(outreach_list.pk).get(timeout=120)
    assert result == {"list": outreach_list.pk, "status": "done"}
    return OutreachList.objects.get(pk=outreach_list.pk)


def _sharing_keys(settings):
    settings.SHARING_KEYS = {
        "group": [("g1", "g" * 40)],
        "lafayette": [("k1", "p" * 40)],
    }
    settings.SHARING_DEMO_KEYS = False


def _pseudonyms(client_id: int) -> list[str]:
    return [
        pseudonyms.current_key(recipient).pseudonym(client_id)
        for recipient in ("group", "lafayette")
    ]


def _import_checked_naming(staff, seeded) -> None:
    """An import file naming the client, checked (its check file kept)."""
    from clienteling import services as clienteling_services

    data = (
        "client_number,first_name,last_name,home_boutique,email\n"
        f"CHK-1,{seeded.marker}-first,Check,{seeded.client.home_boutique.code},"
        f"{seeded.marker}@example.com\n"
    ).encode()
    clienteling_services.import_start(acting_user=staff, what="clients", data=data)


def _storage_folders(settings) -> list[Path]:
    return [Path(settings.PRIVATE_STORAGE_ROOT), Path(settings.SHARING_EXPORT_ROOT)]


def _file_needles(seeded) -> list[str]:
    """Name, email and phone as files write them, and the pseudonyms."""
    first, last = seeded.client.first_name, seeded.client.last_name
    return [
        seeded.marker,
        first,
        last,
        f"{seeded.marker}@example.com",
        seeded.phone,
        seeded.phone.removeprefix("+33"),
        *_pseudonyms(seeded.client.pk),
    ]


def _outside_obligations(
    hits: dict[str, list[str]], pseudonyms_of_client: list[str] = ()
) -> dict[str, list[str]]:
    """The hits no obligation explains. One does, narrowly: the Art. 19
    notice of the erasure to the group and each partner (decision 0079) is
    a file in their outbox (`.../notices/`) naming the pseudonym that
    recipient holds, so it can find and erase its copy; such a file may
    hold that pseudonym and nothing else of the client."""
    return {
        path: needles
        for path, needles in hits.items()
        if not any(path.startswith(folder) for folder in ALLOWED_FILE_HITS)
        and not ("/notices/" in path and set(needles) <= set(pseudonyms_of_client))
    }


@pytest.mark.postgres
@pytest.mark.celery_worker
def _evidence_attached(compliance, seeded) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from privacy import requests as dsr

    request = dsr.request_open(
        acting_user=compliance,
        client=seeded.client,
        kind="rectification",
        channel="post",
        received_on=timezone.localdate(),
    )
    dsr.request_attach_evidence(
        acting_user=compliance,
        request=request,
        upload=SimpleUploadedFile(
            "id.pdf",
            f"%PDF-1.4 {seeded.marker}".encode(),
            content_type="application/pdf",
        ),
    )


def _parental_evidence(compliance, seeded) -> None:
    """A parent's consent on file with its evidence (decision 0084), the
    row written directly: the scenario's client is not a minor, and the
    erasure step deletes the file whatever the client's age."""
    from django.utils import timezone

    from consents.models import ParentalConsent
    from consents.parental import evidence_path

    name = f"parental-{seeded.client.pk}.pdf"
    path = evidence_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(f"%PDF-1.4 {seeded.marker}".encode())
    ParentalConsent.objects.create(
        client=seeded.client,
        parent_name="Parent",
        relation=ParentalConsent.Relation.MOTHER,
        given_on=timezone.localdate(),
        evidence_name=name,
        evidence_content_type="application/pdf",
        evidence_size=path.stat().st_size,
        evidence_sha256="0" * 64,
        recorded_by=compliance,
        recorded_at=timezone.now(),
    )


def test_erasure_leaves_no_marker_anywhere(  # noqa: PLR0915 - one scenario
    celery_worker, settings, monkeypatch, tmp_path
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    settings.SHARING_EXPORT_ROOT = str(tmp_path / "sharing-exports")
    _sharing_keys(settings)
    # A transactional test before this one may have flushed the purposes,
    # form templates and role groups the migrations seeded.
    from core.roles import sync_roles

    registry.sync_registry()
    sync_roles()
    boutique = BoutiqueFactory()
    staff = adviser(boutique)
    compliance = UserFactory(is_superuser=True, is_staff=True)
    gone = seed_client(marker="zqxmarkerone", n=11, boutique=boutique, user=staff)
    kept = seed_client(marker="zqxmarkertwo", n=22, boutique=boutique, user=staff)
    # Files in every registered location, through the app's own writers.
    partner = sharing_partner(boutique)
    for seeded in (gone, kept):
        lift_restriction(seeded.client)
        grant_sharing_and_events(seeded.client)
    report = _report_built_by_the_worker(gone.client, compliance)
    outreach_list = _outreach_list_built_by_the_worker(staff)
    partner_batch = exports.partner_export_run(acting_user=None, partner=partner)
    group_batch = exports.group_export_run(acting_user=None)
    # Residue outside the models: a task result and an import file.
    TaskResult.objects.create(
        task_id="t-1", status="SUCCESS", result='"zqxmarkerone@example.com"'
    )
    import_uploads.folder().mkdir(parents=True)
    (import_uploads.folder() / ("a" * 32)).write_text(
        "first_name\nzqxmarkerone-first\n"
    )
    # An import check's result (first rows and problems) naming the client:
    # a job result of core.jobs (PRIVATE_STORAGE_ROOT/jobs/).
    _import_checked_naming(staff, gone)
    # Identity evidence the person sent with a request (decision 0054).
    _evidence_attached(compliance, gone)
    _parental_evidence(compliance, gone)
    # An insights upload left by a worker that died after its import: the
    # group's file waits in the sharing inbox.
    insights_inbox().mkdir(parents=True, exist_ok=True)
    (insights_inbox() / "0.left-behind.bin").write_bytes(b"group file")
    before = {needle: database_hits(needle) for needle in gone.needles}
    assert all(before.values()), before  # the seed did reach the database
    folders = _storage_folders(settings)
    needles = _file_needles(gone)
    files_before = {}
    for folder in folders:
        files_before.update(files_naming(folder, needles))
    # Every location holds the client before: the scan can see each.
    # (report zips and outreach lists are job results: PRIVATE_STORAGE_ROOT/jobs/)
    for location in ("consent-scans", "jobs"):
        assert any(f"/{location}/" in path for path in files_before), location
    assert any("/partners/lafayette/" in p for p in files_before)
    assert any("/group/" in p for p in files_before)
    assert any("/import-uploads/" in p for p in files_before)
    other_before = rows_about(kept.client.pk, kept.marker)
    other_scan = scan_path(kept.scan_name).read_bytes()

    # when compliance approves and the worker erases
    job = jobs.erasure_request(acting_user=UserFactory(), client=gone.client)
    job._approver = compliance
    outcome = _run_through_worker(monkeypatch, job)

    # then
    job.refresh_from_db()
    assert job.status == ErasureJob.Status.DONE, (job.status, outcome)
    hits = {needle: database_hits(needle) for needle in gone.needles}
    files_after = {}
    for folder in folders:
        files_after.update(files_naming(folder, needles))
    broker_keys, broker_found = broker_hits(settings.CELERY_BROKER_URL, needles)
    task_rows, task_found = task_result_hits(needles)
    # Shown with -s: the figures of the scan.
    sys.stderr.write(
        f"\nresidue scan: database before { ({k: len(v) for k, v in before.items()}) }"
        f", after {hits}\n"
        f"residue scan: files before {len(files_before)} naming the client "
        f"({sorted(Path(p).parent.name for p in files_before)}), after "
        f"{len(files_after)}; allowed by an obligation: {ALLOWED_FILE_HITS}\n"
        f"residue scan: broker keys read {broker_keys}, naming the client "
        f"{len(broker_found)}; task results read {task_rows}, naming the "
        f"client {len(task_found)}\n"
        f"residue scan: storage step {job.receipt['steps']['storage']}\n"
    )
    for needle, found in hits.items():
        assert {(t, c) for t, c, _ in found} <= ALLOWED_HITS, (needle, found)
    assert _outside_obligations(files_after, _pseudonyms(gone.client.pk)) == {}
    # The erasure reached every recipient at once (Art. 19), as the files
    # above show: one notice folder per recipient that held the client.
    assert any("/notices/" in path for path in files_after)
    for folder in folders:
        assert file_hits(folder, gone.marker) == []
    assert broker_found == {}
    assert task_found == []
    # The tombstone and the lawful-basis proof remain.
    gone.client.refresh_from_db()
    assert gone.client.client_number == f"ERASED-{gone.client.pk}"
    assert ConsentDecision.objects.filter(client=gone.client).count() == 6
    assert PaperFormSubmission.objects.filter(client=gone.client).count() == 1
    assert SuppressionEntry.objects.filter(
        digest=suppression.email_digest(f"{gone.marker}@example.com")
    ).exists()
    assert SuppressionEntry.objects.filter(
        digest=suppression.phone_digest(gone.phone)
    ).exists()
    # The other client, byte for byte, and still in the partner's batch.
    assert rows_about(kept.client.pk, kept.marker) == other_before
    assert scan_path(kept.scan_name).read_bytes() == other_scan
    partner_files = Path(settings.SHARING_EXPORT_ROOT) / partner_batch.folder
    assert kept.marker in (partner_files / "clients.csv").read_text()
    assert kept.marker in (partner_files / "clients.jsonl").read_text()
    partner_batch.refresh_from_db()
    manifest = (partner_files / "manifest.json").read_bytes()
    assert hashlib.sha256(manifest).hexdigest() == partner_batch.manifest_sha256
    assert json.loads(manifest)["rows_removed_after_erasure"] == 1
    group_files = Path(settings.SHARING_EXPORT_ROOT) / group_batch.folder
    assert _pseudonyms(kept.client.pk)[0] in (group_files / "purchases.csv").read_text()
    # The downloads of removed files answer 404, not a 500.
    report.refresh_from_db()
    assert report.status == SubjectAccessReport.Status.EXPIRED
    assert report.error == reports.ERASED_CLIENT_REPORT
    browser = Client()
    browser.force_login(compliance)
    response = browser.get(reverse("admin:privacy_report_download", args=[report.pk]))
    assert response.status_code == 404
    browser.force_login(staff)
    response = browser.get(
        reverse("admin:consents_outreach_download", args=[outreach_list.pk])
    )
    assert response.status_code == 404
    # The receipt: counts, no personal data.
    receipt = str(job.receipt)
    assert gone.marker not in receipt
    assert gone.phone not in receipt
    steps = job.receipt["steps"]
    assert steps["clienteling.ClientEmail"]["deleted"] == 1
    assert steps["clienteling.ClientEmail"]["history_purged"] == 3
    assert steps["django_admin_log"]["scrubbed"] == 2
    assert steps["storage"] == {
        # the loose file, and the checked import's upload kept to confirm
        "client_imports_files": 2,
        "consent_scans_files": 1,
        "insight_uploads_files": 1,
        "job_results_files": 1,
        "outreach_lists_files": 1,
        "parental_consents_files": 1,
        "request_identity_evidence_files": 1,
        "sharing_batches_files": 4,
        "subject_access_reports_files": 1,
    }
    assert set(steps["storage"]) == {
        f"{code}_files"
        for code, location in stored_files.locations().items()
        if location.erasure.value != "keep"
    }
    assert steps["residue"]["task_results_deleted"] == 1
    assert steps["clienteling.Client"]["updated"] == 1
