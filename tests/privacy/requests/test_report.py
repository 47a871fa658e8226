"""The subject-access report is computed from the data map, whole."""

import io
import json
import zipfile
from datetime import date, datetime, timedelta

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from clienteling.models import ContactEvent
from consents import registry
from core import data_map
from core.classification import Category
from core.models import AccessLogEntry
from privacy import reports
from privacy.models import DataSubjectRequest, SubjectAccessReport
from privacy.requests import request_open, request_verify_identity
from tests.privacy.requests.builders import fill

pytestmark = pytest.mark.django_db


def _expected(obj, field):
    """The value the report must show for one field, computed independently."""
    if field.many_to_many:
        return sorted(str(o) for o in getattr(obj, field.name).all())
    if field.is_relation:
        target = getattr(obj, field.name)
        return None if target is None else str(target)
    raw = getattr(obj, field.attname)
    if field.choices:
        return obj._get_FIELD_display(field)
    if isinstance(raw, datetime | date):
        return raw.isoformat()
    if isinstance(field, models.DecimalField):
        return str(raw)
    return raw


def _build(access, staff):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        report = reports.report_request(acting_user=staff, request=access)
    report.refresh_from_db()
    return report


def _zip(report):
    path = reports.storage_dir() / report.file_name
    return zipfile.ZipFile(io.BytesIO(path.read_bytes()))


def test_report_holds_every_model_category_and_value_with_art15_metadata(
    django_capture_on_commit_callbacks,
):
    # given a client with rows in every client model, and another client
    client, rows, access, staff = fill("Sujet")
    other, other_rows, *_ = fill("Autrui")
    # when the report is built (the task runs in-process after commit)
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.report_request(acting_user=staff, request=access)
    report.refresh_from_db()
    rows["privacy.SubjectAccessReport"] = [report]
    # then the builders covered every client model of the data map
    client_models = {m._meta.label: (m, e) for m, e in data_map.client_models()}
    assert set(rows) == set(client_models)
    assert report.status == "done", report.error
    archive = _zip(report)
    document = json.loads(archive.read("report.json"))
    jsonschema.validate(document, reports.schema())

    records = {
        (r["model"], r["id"]): {}
        for section in document["categories"]
        for r in section["records"]
    }
    for section in document["categories"]:
        for r in section["records"]:
            records[(r["model"], r["id"])].update(r["fields"])
    # every row of every model, every personal field, the value it holds
    expected_categories = set()
    for label, objects in rows.items():
        model, entry = client_models[label]
        assert objects, label
        assert document["models"][label]["count"] == len(objects), label
        for stale in objects:
            obj = model._default_manager.get(pk=stale.pk)
            if all(f.category is Category.NOT_PERSONAL for f in entry.fields.values()):
                # Counted, with no personal value to show (ids only: the
                # breach that affected the client, decision 0060).
                assert (label, obj.pk) not in records, label
                continue
            shown = records[(label, obj.pk)]
            for name, f in entry.fields.items():
                if f.category is Category.NOT_PERSONAL:
                    assert name not in shown
                    continue
                expected_categories.add(str(f.category))
                field = model._meta.get_field(name)
                value = shown[name]["value"]
                if field.many_to_many:
                    value = sorted(value)
                assert value == _expected(obj, field), (label, name)
                assert shown[name]["source"], (label, name)
    # every category, with its purposes, legal bases, recipients, retention
    sections = {s["category"]: s for s in document["categories"]}
    assert set(sections) == expected_categories
    for category, section in sections.items():
        purposes = [p for p in registry.PURPOSES if category in p.data_categories]
        assert purposes, category
        assert {p["code"] for p in section["purposes"]} == {p.code for p in purposes}
        assert section["legal_bases"]
        assert section["recipients"] == sorted(
            {r for p in purposes for r in p.recipients}
        )
        assert len(section["retention"]) == len(purposes)
        assert section["sources"]
    # consent and contact history, the paper form's version and date
    assert len(document["consent_history"]) == len(rows["consents.ConsentDecision"])
    assert document["contact_history"][0]["summary"] == "Souhaite revoir la bague Sujet"
    assert document["origin"]["forms"][0]["version"] == 1
    assert {p["purpose"] for p in document["profiling"]} >= {
        "Statistics, segmentation and marketing analysis"
    }
    assert document["consultations"] == []  # nobody opened the record
    # the human-readable and per-category files are there
    names = set(archive.namelist())
    assert {"report.html", "report.pdf", "report.json"} <= names
    assert {f"csv/{c.replace(' ', '-')}.csv" for c in sections} <= names
    assert archive.read("report.pdf").startswith(b"%PDF")
    html = archive.read("report.html").decode()
    # the person's sections, not the data map's categories (decision 0053)
    for heading in (
        "About you",
        "Your purchases and guarantees",
        "Your preferences and sizes",
        "Your contacts with the house",
        "Your consents",
        "Your activity on our websites",
        "What the group and our partners receive",
        "Who consulted your record",
    ):
        assert f">{heading}</h2>" in html, heading
    assert "Souhaite revoir la bague Sujet" in html  # in the contact history
    # and nothing of the other client
    everything = b"".join(archive.read(n) for n in names if n != "report.pdf")
    for needle in ("Autrui", "autrui@example.com", other.client_number):
        assert needle.encode() not in everything, needle
    assert report.review_flags == []


def test_staff_note_naming_another_client_is_flagged_and_blocks_download():
    client, rows, access, staff = fill("Sujet")
    other, *_ = fill("Voisin")
    ContactEvent.objects.create(
        client=client,
        channel="phone",
        direction="inbound",
        subject="Cadeau",
        summary=f"Venue avec {other.first_name} {other.last_name}, voisin@example.com",
        occurred_at=timezone.now(),
    )

    report = _build(access, staff)

    assert {(f["matched"], f["other_client_id"]) for f in report.review_flags} == {
        ("name", other.pk),
        ("email", other.pk),
    }
    # the flags name where, never what
    assert "Voisin" not in json.dumps(report.review_flags)
    with pytest.raises(ValidationError, match="review them"):
        reports.report_open_for_download(acting_user=staff, report=report)
    assert not AccessLogEntry.objects.filter(action="download").exists()
    reports.report_review_release(acting_user=staff, report=report)
    assert reports.report_open_for_download(acting_user=staff, report=report)
    assert AccessLogEntry.objects.filter(
        action="download", object_id=str(report.pk)
    ).exists()


def test_download_expires_and_the_file_is_deleted():
    client, rows, access, staff = fill("Sujet")
    report = _build(access, staff)
    later = report.expires_at + timedelta(seconds=1)

    with pytest.raises(ValidationError, match="expired"):
        reports.report_open_for_download(acting_user=staff, report=report, now=later)
    assert reports.reports_expire(now=later) == 1
    report.refresh_from_db()
    assert report.status == "expired"
    assert not (reports.storage_dir() / report.file_name).exists()
    assert not AccessLogEntry.objects.filter(action="download").exists()


def test_portability_is_the_subset_the_client_provided():
    client, rows, _, staff = fill("Sujet")
    request = request_open(
        acting_user=staff,
        client=client,
        kind=DataSubjectRequest.Kind.PORTABILITY,
        channel="email",
        received_on=timezone.localdate(),
    )
    request = request_verify_identity(
        acting_user=staff, request=request, method="known_email"
    )

    report = _build(request, staff)

    archive = _zip(report)
    assert archive.namelist() == ["portability.json"]
    data = json.loads(archive.read("portability.json"))["provided_by_you"]
    assert data["clienteling.Client"][0]["first_name"] == "PrénomSujet"
    assert data["clienteling.ClientEmail"][0]["address"] == "sujet@example.com"
    # staff entries (ring sizes, notes) are not the client's own input
    assert "clienteling.RingSize" not in data
    assert "clienteling.FollowUp" not in data


def test_no_report_without_identity_verification_nothing_queued():
    client, rows, _, staff = fill("Sujet")
    request = request_open(
        acting_user=staff,
        client=client,
        kind=DataSubjectRequest.Kind.ACCESS,
        channel="email",
        received_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="Verify the person's identity"):
        reports.report_request(acting_user=staff, request=request)
    assert not SubjectAccessReport.objects.filter(request=request).exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_build_stores_the_kind_of_failure_only(monkeypatch):
    # (the job protocol records a failed attempt only outside the caller's
    # transaction, as in a worker: hence a transactional test)
    from consents.registry import sync_registry
    from core.roles import sync_roles

    sync_registry()
    sync_roles()
    client, rows, access, staff = fill("Sujet")

    def boom(*args, **kwargs):
        raise RuntimeError("PrénomSujet leaked")

    monkeypatch.setattr(reports, "render_pdf", boom)
    # the job swallows the error: retried, then failed after its attempts
    report = reports.report_request(acting_user=staff, request=access)
    report = SubjectAccessReport.objects.get(request=access)
    assert report.status == "failed"
    assert report.job.attempts == 3
    assert report.error == "RuntimeError (see the worker log)"
    assert report.file_name == ""
    # a failed report can be built again, and then it is ready
    monkeypatch.undo()
    reports.report_retry(acting_user=staff, report=report)
    report = SubjectAccessReport.objects.get(pk=report.pk)
    assert (report.status, report.error) == ("done", "")
    assert _zip(report).namelist()


def test_json_schema_rejects_a_document_missing_art15_metadata():
    client, rows, access, staff = fill("Sujet")
    document = reports.build_document(client)
    del document["categories"][0]["sources"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, reports.schema())


@pytest.mark.django_db
def test_a_report_for_an_erased_client_says_what_remains_and_why():
    from privacy.erasure.engine import erase_clients
    from privacy.reports import build_document, render_html
    from tests.clienteling.factories import ClientFactory

    client = ClientFactory(first_name="Gone", last_name="Person")
    erase_clients(client_ids=[client.pk])
    client.refresh_from_db()

    document = build_document(client)
    html = render_html(document)

    assert document["erased"] is True
    assert "Your record has been erased" in html
    assert "Person" not in html
