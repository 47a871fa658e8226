"""The residue test: after erasure, the marker is nowhere.

A client is seeded with a unique marker in every free-text field of every
client model of the data map, in edited history, in an uploaded scan, in
the admin log, in a task result and in an import temp file; a compliance
officer approves the erasure and a real Celery worker runs it. Then every
text, varchar, json, jsonb and bytea column of every table, and the
storage and temp folders, are scanned: zero hits outside the documented
legal-obligation fields. A second client seeded alike is unchanged.
"""

import sys
import tempfile

import pytest
from django_celery_results.models import TaskResult

from consents import registry, suppression
from consents.models import ConsentDecision, PaperFormSubmission, SuppressionEntry
from privacy import erasure
from privacy.models import ErasureJob
from privacy.tasks_erasure import erasure_run
from tests.clienteling.factories import BoutiqueFactory, UserFactory
from tests.privacy.erasure.scan import database_hits, file_hits, rows_about
from tests.privacy.erasure.seeding import seed_client


# Fields whose KEEP in the data map names a legal obligation and that could
# hold free text: none of them takes the marker, so the allowed set is
# empty; it is spelled out so a new KEEP text field is a decision.
def _kept_columns() -> set[tuple[str, str]]:
    """Columns the data map keeps under a named legal obligation.

    The invoice's billed name, for example, is kept 10 years (Commercial
    Code L123-22); the marker may remain there and in that row's history.
    """
    from clienteling.classification import Category, Erasure
    from privacy import data_map

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


@pytest.fixture
def import_temp_dir(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _run_through_worker(monkeypatch, job):
    results = []
    delay = erasure_run.delay

    def capture(*args, **kwargs):
        results.append(delay(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(erasure_run, "delay", capture)
    erasure.erasure_approve(acting_user=job._approver, job=job)
    assert len(results) == 1
    return results[0].get(timeout=120)


@pytest.mark.postgres
@pytest.mark.celery_worker
def test_erasure_leaves_no_marker_anywhere(
    celery_worker, settings, monkeypatch, import_temp_dir, tmp_path
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    # A transactional test before this one may have flushed the purposes
    # and form templates the migrations seeded.
    registry.sync_registry()
    boutique = BoutiqueFactory()
    # No role groups: a transactional test may run after another's flush.
    adviser = UserFactory(boutiques=[boutique])
    compliance = UserFactory()
    gone = seed_client(marker="zqxmarkerone", n=11, boutique=boutique, user=adviser)
    kept = seed_client(marker="zqxmarkertwo", n=22, boutique=boutique, user=adviser)
    # Residue outside the models: a task result and an import file.
    TaskResult.objects.create(
        task_id="t-1", status="SUCCESS", result='"zqxmarkerone@example.com"'
    )
    (import_temp_dir / "tmpimport1").write_text("first_name\nzqxmarkerone-first\n")
    before = {needle: database_hits(needle) for needle in gone.needles}
    assert all(before.values()), before  # the seed did reach the database
    assert file_hits(settings.PRIVATE_STORAGE_ROOT, gone.marker)
    other_before = rows_about(kept.client.pk, kept.marker)
    other_scan = erasure.scan_path(kept.scan_name).read_bytes()

    # when compliance approves and the worker erases
    job = erasure.erasure_request(
        acting_user=compliance, client=gone.client, request_reference="DSR-1"
    )
    job._approver = compliance
    outcome = _run_through_worker(monkeypatch, job)

    # then
    job.refresh_from_db()
    assert job.status == ErasureJob.Status.DONE, (job.status, outcome)
    hits = {needle: database_hits(needle) for needle in gone.needles}
    # Shown with -s: the figures of the scan.
    sys.stderr.write(
        f"\nresidue scan: before { ({k: len(v) for k, v in before.items()}) }, "
        f"after {hits}\n"
    )
    for needle, found in hits.items():
        assert {(t, c) for t, c, _ in found} <= ALLOWED_HITS, (needle, found)
    for folder in (settings.PRIVATE_STORAGE_ROOT, import_temp_dir):
        assert file_hits(folder, gone.marker) == []
    # The tombstone and the lawful-basis proof remain.
    gone.client.refresh_from_db()
    assert gone.client.client_number == f"ERASED-{gone.client.pk}"
    assert ConsentDecision.objects.filter(client=gone.client).count() == 3
    assert PaperFormSubmission.objects.filter(client=gone.client).count() == 1
    assert SuppressionEntry.objects.filter(
        digest=suppression.email_digest(f"{gone.marker}@example.com")
    ).exists()
    assert SuppressionEntry.objects.filter(
        digest=suppression.phone_digest(gone.phone)
    ).exists()
    # The other client, byte for byte.
    assert rows_about(kept.client.pk, kept.marker) == other_before
    assert erasure.scan_path(kept.scan_name).read_bytes() == other_scan
    # The receipt: counts, no personal data.
    receipt = str(job.receipt)
    assert gone.marker not in receipt
    assert gone.phone not in receipt
    steps = job.receipt["steps"]
    assert steps["clienteling.ClientEmail"]["deleted"] == 1
    assert steps["clienteling.ClientEmail"]["history_purged"] == 3
    assert steps["django_admin_log"]["scrubbed"] == 2
    assert steps["storage"]["files_deleted"] == 1
    assert steps["residue"]["task_results_deleted"] == 1
    assert steps["residue"]["import_temp_files_deleted"] == 1
    assert steps["clienteling.Client"]["updated"] == 1
