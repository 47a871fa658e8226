"""Files naming clients: every writer is registered, and erasure (retention
included) deletes or rewrites what each location holds about the client."""

import csv
import hashlib
import json
import textwrap
from datetime import date

import pytest
from django.core import checks
from django.db import models
from django.test import Client as Browser
from django.test import TestCase
from django.test.utils import isolate_apps
from django.urls import reverse

from consents import registry
from core.classification import FileErasure, StoredFiles
from privacy import reports, stored_files
from privacy import requests as dsr
from privacy.erasure import engine
from privacy.models import DataSubjectRequest, SubjectAccessReport
from privacy.sharing import exports
from privacy.sharing.files import export_root
from tests.clienteling.factories import UserFactory
from tests.consents.factories import grant
from tests.privacy.erasure.seeding import sharing_partner
from tests.privacy.sharing.helpers import person

# --- The registry and its check -----------------------------------------------


def test_the_project_has_no_unregistered_file_writer():
    writers = stored_files.project_writers()

    # every writer found is claimed, and the check says nothing
    assert writers, "the scan found no writer at all: it is broken"
    claimed = {w for loc in stored_files.locations().values() for w in loc.writers}
    assert {w.qualname for w in writers} <= claimed
    assert stored_files.problems() == []
    assert not [
        e
        for e in checks.run_checks(tags=["privacy"], include_deployment_checks=True)
        if e.id.startswith("privacy.E01")
    ]


def test_the_deploy_check_names_an_unregistered_writer(monkeypatch):
    writer = stored_files.Writer("shop.files.letters_write", 3, "write_bytes")
    monkeypatch.setattr(stored_files, "project_writers", lambda: [writer])

    errors = [
        e
        for e in checks.run_checks(tags=["privacy"], include_deployment_checks=True)
        if e.id.startswith("privacy.E01")
    ]

    assert [e.id for e in errors] == ["privacy.E012"]
    assert "shop.files.letters_write" in errors[0].msg


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("def f(path):\n    path.write_bytes(b'x')", "write_bytes"),
        ("def f(path):\n    path.write_text('x')", "write_text"),
        ("def f(path):\n    with open(path, 'w') as h:\n        h.write('x')", "open"),
        ("def f(path):\n    with open(path, mode='ab') as h:\n        pass", "open"),
        ("def f(path):\n    path.open('w', encoding='utf-8')", ".open(write)"),
        ("import os\ndef f(a, b):\n    os.replace(a, b)", "os.replace"),
        ("import shutil\ndef f(a, b):\n    shutil.copyfile(a, b)", "shutil.copyfile"),
        ("import tempfile\ndef f():\n    tempfile.mkstemp()", "tempfile.mkstemp"),
        ("def f(storage, f):\n    default_storage.save('a', f)", "storage.save"),
        ("class C:\n    def m(self, p):\n        p.rename('b')", ".rename"),
    ],
)
def test_a_new_file_writer_is_refused_until_registered(source, what):
    # given a module with a function that writes a file, registered nowhere
    writers = stored_files.writers_in_source(textwrap.dedent(source), "shop.files")

    # then the scan finds it and the check names it
    assert len(writers) == 1
    assert writers[0].call.startswith(what.split("(")[0])
    found = stored_files.problems(writers=writers)
    assert [code for code, _ in found] == ["E012"]
    assert writers[0].qualname in found[0][1]


def test_reading_files_is_not_writing():
    source = textwrap.dedent(
        """
        def f(path):
            path.read_bytes()
            with open(path) as h:
                h.read()
            with path.open("rb") as h:
                h.read()
            "a-b".replace("-", "")
        """
    )

    assert stored_files.writers_in_source(source, "shop.files") == []


@isolate_apps("privacy")
def test_a_file_field_must_be_registered(monkeypatch):
    class Scan(models.Model):  # noqa: DJ008 - never saved
        document = models.FileField()

        class Meta:
            app_label = "privacy"

    monkeypatch.setattr(stored_files.data_map, "project_models", lambda: [Scan])

    found = stored_files.problems(writers=[])

    assert (
        "E013",
        "privacy.Scan.document stores files but no FILE_LOCATIONS entry lists it",
    ) in found


def test_a_registration_naming_nothing_is_refused(monkeypatch):
    broken = StoredFiles(
        name="letters",
        folder="PRIVATE_STORAGE_ROOT/letters/",
        root="privacy.letters.folder",
        erasure=FileErasure.DELETE,
        erase="privacy.letters.letters_erase",
    )
    monkeypatch.setattr(stored_files, "locations", lambda: {"letters": broken})

    codes = [code for code, _ in stored_files.problems(writers=[])]

    assert codes == ["E011", "E011"]


def test_a_location_must_say_what_erasure_does():
    with pytest.raises(ValueError, match="obligation"):
        StoredFiles(name="x", folder="x", root="x.y", erasure=FileErasure.KEEP)
    with pytest.raises(ValueError, match="erase"):
        StoredFiles(name="x", folder="x", root="x.y", erasure=FileErasure.DELETE)


def test_every_location_root_resolves_to_a_folder(settings, tmp_path):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    for code, location in stored_files.locations().items():
        assert stored_files.location_root(location).is_absolute(), code


# --- What erasure does to each location, through the retention path -----------


def _report_of(client, staff):
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
    with TestCase.captureOnCommitCallbacks(execute=True):
        report = reports.report_request(acting_user=staff, request=request)
    return SubjectAccessReport.objects.get(pk=report.pk)


def _rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.django_db
def test_retention_erasure_deletes_the_report_and_rewrites_the_partner_batch(
    settings, tmp_path
):
    # given two consenting clients of a partner's shop-in-shop, a partner
    # batch naming both, and a subject-access report of the first
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    settings.SHARING_EXPORT_ROOT = str(tmp_path / "sharing")
    settings.SHARING_KEYS = {"lafayette": [("k1", "p" * 40)], "group": []}
    settings.SHARING_DEMO_KEYS = False
    # A transactional test may have flushed the seeded form templates.
    registry.sync_registry()
    staff = UserFactory()
    gone = person(1)
    kept = person(2, boutique=gone.home_boutique)
    partner = sharing_partner(gone.home_boutique)
    for client in (gone, kept):
        grant(client, registry.PARTNER_SHARING)
    batch = exports.partner_export_run(acting_user=None, partner=partner)
    report = _report_of(gone, staff)
    zip_path = reports.storage_dir() / report.file_name
    folder = export_root() / batch.folder
    assert zip_path.is_file()
    assert {r["last_name"] for r in _rows(folder / "clients.csv")} == {
        "Quillfeather1",
        "Quillfeather2",
    }

    # when retention erases the first (erase_clients: no job, no identifiers)
    counts = engine.erase_clients(client_ids=[gone.pk])

    # then the zip is gone and its row says why; the batch keeps the other
    assert counts["storage"]["subject_access_reports_files"] == 1
    assert counts["storage"]["sharing_batches_files"] == 2
    assert not zip_path.exists()
    report.refresh_from_db()
    assert report.status == SubjectAccessReport.Status.EXPIRED
    assert report.error == reports.ERASED_CLIENT_REPORT
    assert [r["last_name"] for r in _rows(folder / "clients.csv")] == ["Quillfeather2"]
    lines = (folder / "clients.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["last_name"] for line in lines] == ["Quillfeather2"]
    manifest_bytes = (folder / "manifest.json").read_bytes()
    manifest = json.loads(manifest_bytes)
    batch.refresh_from_db()
    assert batch.manifest_sha256 == hashlib.sha256(manifest_bytes).hexdigest()
    assert manifest["rows_removed_after_erasure"] == 1
    for name in ("clients.csv", "clients.jsonl"):
        data = (folder / name).read_bytes()
        assert manifest["files"][name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert manifest["files"][name]["rows"] == 1
    # The batch row still records what was transferred.
    assert batch.client_count == 2
    # The download of the erased report is not found (not a 500).
    browser = Browser()
    browser.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:privacy_report_download", args=[report.pk])
    assert browser.get(url).status_code == 404
    # and a second erasure of someone else leaves the files as they are
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert engine.erase_clients(client_ids=[person(3).pk])["storage"] == {}
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.mark.django_db
def test_a_batch_whose_key_was_rotated_out_is_left_and_logged(
    settings, tmp_path, caplog
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    settings.SHARING_EXPORT_ROOT = str(tmp_path / "sharing")
    settings.SHARING_KEYS = {"lafayette": [("k1", "p" * 40)], "group": []}
    settings.SHARING_DEMO_KEYS = False
    registry.sync_registry()
    gone = person(1)
    partner = sharing_partner(gone.home_boutique)
    grant(gone, registry.PARTNER_SHARING)
    batch = exports.partner_export_run(acting_user=None, partner=partner)
    settings.SHARING_KEYS = {"lafayette": [("k2", "q" * 40)], "group": []}

    counts = engine.erase_clients(client_ids=[gone.pk])

    assert "sharing_batches_files" not in counts["storage"]
    assert f"Sharing batch {batch.pk}: key k1" in caplog.text
    assert "Quillfeather1" not in caplog.text
