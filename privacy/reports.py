"""Subject-access and portability reports, computed from the data map.

Dangerous module: it gathers everything the house holds about one person
into one file. It reads every client model the data map lists (never a
hand-kept list), writes the zip to private storage only, and hands it out
only through report_open_for_download, which checks the job, the review of
flagged staff notes and the expiry, and writes the access log.

The report is built in three passes: collect (one query per client model,
related staff names joined), flag (staff free text naming another client),
render (JSON validated against privacy/schemas, HTML, PDF, CSV per
category) and zip.
"""

import io
import json
import logging
import re
import shutil
import tempfile
import uuid
import zipfile
from collections import defaultdict, deque
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import jsonschema
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from clienteling.exceptions import StoredFileGone
from clienteling.models import Client, ClientEmail, ClientPhone, ContactEvent
from consents import registry
from consents.documents.languages import (
    ENGLISH,
    DocumentLanguage,
    document_language,
    time_zone_name,
)
from consents.models import ConsentDecision, PaperFormSubmission, Purpose
from core import data_map, downloads, free_text, jobs
from core.classification import Category, Erasure, Source
from core.downloads import formula_safe
from core.id_arrays import in_ids
from core.jobs import files as job_files
from core.models import AccessLogEntry, Job
from core.services import access_log_record
from core.writes import now_or as _now
from privacy import report_render
from privacy.models import DataSubjectRequest, SubjectAccessReport

SCHEMA_PATH = Path(__file__).parent / "schemas" / "subject_access_report.schema.json"
SCHEMA_VERSION = 1
# Long enough for the person to fetch it after the officer sends it, short
# enough that a forgotten zip of someone's whole file does not linger.
REPORT_DOWNLOAD_DAYS = 7
# Purposes that profile or segment (the report says so, Art. 15(1)(h)).
PROFILING_PURPOSES = (
    "statistics_segmentation",
    "cross_group_intelligence",
    "retargeting",
)
# The person's own input (Art. 20: "provided by the data subject").
PORTABLE_SOURCES = (Source.CLIENT, Source.WEBSITE)

ReportStatus = SubjectAccessReport.Status


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def storage_dir() -> Path:
    """Where report zips are: the jobs' result folder (core.jobs.files);
    a report's file_name is relative to it ("<job id>/report.zip")."""
    return job_files.root()


# --- Collect -----------------------------------------------------------------


_AS_IS = frozenset({str, int, bool, float, type(None)})


def _plain(value):
    """A JSON-ready value."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "(binary)"
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def _personal_fields(model, entry):
    """(field, classification) for every personal field of the model."""
    for name, f in entry.fields.items():
        if f.category is Category.NOT_PERSONAL:
            continue
        yield model._meta.get_field(name), f


def _nested_related(field, depth: int = 3) -> list[str]:
    """select_related paths for a relation and the foreign keys its target's
    name may follow (a wording names its form version and purpose): the
    rows' str() then reads joined objects, never one query per row."""
    paths = [field.name]
    if depth > 1:
        for sub in field.related_model._meta.concrete_fields:
            if sub.many_to_one and sub.related_model is not field.model:
                paths += [f"{field.name}__{p}" for p in _nested_related(sub, depth - 1)]
    return paths


def _field_reader(field):
    """How to read one personal field of a row, decided once per field
    (not per row): a relation by its target's name (cached per target), a
    choice by its label (one dict), anything else as stored."""
    if field.many_to_many:
        name = field.name
        return lambda obj: [str(o) for o in getattr(obj, name).all()]
    if field.is_relation:
        name, attname, names = field.name, field.attname, {}

        def relation(obj):
            key = getattr(obj, attname)
            if key is None:
                return None
            if key not in names:
                names[key] = str(getattr(obj, name))
            return names[key]

        return relation
    if field.choices:
        attname = field.attname
        labels = {value: str(label) for value, label in field.flatchoices}

        def choice(obj):
            value = getattr(obj, attname)
            try:
                return labels.get(value, value)
            except TypeError:  # a list or dict value: not a choice
                return value

        return choice
    attname = field.attname
    return lambda obj: getattr(obj, attname)


# Rows the document's other parts read again (the forms the record came
# from, the consent history, profiling): kept as the objects collected,
# with the few joins those parts follow, so they cost no second query
# (decision 0098).
KEPT_OBJECTS = {
    "consents.PaperFormSubmission": ("version__template",),
    "consents.ConsentDecision": ("submission__version__template",),
}


def _rows(model, entry, client_id: int, sink: dict | None = None) -> list[dict]:
    """Every row of `model` about the client, personal fields only, as the
    document's dictionaries (one per field: its label, category, source,
    erasure, obligation and value)."""
    label = model._meta.label
    fields, found = _read_rows(model, entry, client_id, sink)
    rows = []
    for pk, values, linked in found:
        row = {
            "model": label,
            "id": pk,
            "fields": {
                name: {**meta, "value": value}
                for (name, meta), value in zip(fields, values, strict=True)
            },
        }
        if linked:
            row["links"] = linked
        rows.append(row)
    return rows


def _read_rows(model, entry, client_id: int, sink: dict | None = None):
    """(fields, rows) of `model` about the client: `fields` the personal
    fields as (name, meta) (meta: label, category, source, on_erasure,
    obligation), `rows` an iterator of (pk, values, links), `values` the
    JSON-ready values in the order of `fields`, `links` the ids of the rows
    it links to (or None).

    One query per model; what each field needs (its reader, its label,
    category, source) is worked out once per field, not once per row.
    `sink` receives the objects of KEPT_OBJECTS' models and the names of
    the catalogue pieces rows link to (joined in the same query).
    """
    path = entry.client_path or "pk"
    fields = list(_personal_fields(model, entry))
    related = [
        p
        for field, _unused in fields
        if field.is_relation and field.concrete and not field.many_to_many
        for p in _nested_related(field)
    ]
    m2m = [field.name for field, _unused in fields if field.many_to_many]
    label = model._meta.label
    kept = sink is not None and label in KEPT_OBJECTS
    if kept:
        related += KEPT_OBJECTS[label]
    catalogues = [
        field.name
        for field, _unused in _linking_fields(model, entry)
        if field.related_model._meta.label in LINKED_CATALOGUES
    ]
    if sink is not None:
        related += catalogues
    queryset = (
        model._default_manager.filter(**{path: client_id})
        .select_related(*related)
        .prefetch_related(*m2m)
        .order_by("pk")
    )
    metas = [
        (
            field.name,
            {
                "label": str(field.verbose_name),
                "category": str(f.category),
                "source": str(f.source),
                "on_erasure": str(f.erasure),
                "obligation": f.obligation,
            },
        )
        for field, f in fields
    ]
    readers = [_field_reader(field) for field, _unused in fields]
    client_labels = _client_model_labels()
    links = [
        (field.name, field.attname)
        for field, _unused in _linking_fields(model, entry)
        if field.related_model._meta.label in client_labels
        or field.related_model._meta.label in LINKED_CATALOGUES
    ]
    objects = sink.setdefault("objects", {}).setdefault(label, []) if kept else None
    names = sink.setdefault("products", {}) if sink is not None else None
    catalogue_keys = [
        (name, model._meta.get_field(name).attname) for name in catalogues
    ]

    if m2m or kept:

        def rows():
            found = queryset.iterator(chunk_size=2000) if not m2m else queryset
            for obj in found:
                if kept:
                    objects.append(obj)
                for name, attname in catalogue_keys:
                    key = getattr(obj, attname)
                    if key is not None and str(key) not in names:
                        names[str(key)] = getattr(obj, name).name
                values = [_plain(read(obj)) for read in readers]
                linked = {
                    name: getattr(obj, attname)
                    for name, attname in links
                    if getattr(obj, attname) is not None
                }
                yield obj.pk, values, linked or None

        return metas, rows()
    return metas, _tuple_rows(
        queryset, [field for field, _unused in fields], links, catalogue_keys, names
    )


# Field classes whose database values are JSON-ready as they come (str,
# int, bool, float or None): read without _plain (an exact class, never a
# subclass: an encrypted or custom field goes through _plain).
_READY = frozenset(
    {
        models.AutoField,
        models.BigAutoField,
        models.BigIntegerField,
        models.BooleanField,
        models.CharField,
        models.EmailField,
        models.FloatField,
        models.IntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.SlugField,
        models.SmallIntegerField,
        models.TextField,
        models.URLField,
    }
)


def _column_reader(field, at: dict, build):
    """How to read one personal field from a row tuple (its column at
    `at[attname]`), decided once per field: (a plain column's index, None)
    or (None, a function of the row). `build(row)` makes the row's model
    instance (a relation's target named the first time it is met)."""
    index = at[field.attname]
    if field.is_relation:
        name, names = field.name, {}

        def relation(row):
            key = row[index]
            if key is None:
                return None
            if key not in names:
                names[key] = str(getattr(build(row), name))
            return names[key]

        return None, relation
    if field.choices:
        labels = {value: str(label) for value, label in field.flatchoices}

        def choice(row):
            value = row[index]
            try:
                return _plain(labels.get(value, value))
            except TypeError:  # a list or dict value: not a choice
                return _plain(value)

        return None, choice
    if type(field) in _READY:
        return index, None
    return None, lambda row: _plain(row[index])


def _values_reader(readers: list) -> Callable:
    """A function of a row tuple giving the fields' values in order, from
    _column_reader's (index, function) per field: the plain columns picked
    by one itemgetter, the others set after by their functions."""
    from operator import itemgetter

    plain = [index for index, _read in readers if index is not None]
    order = [n for n, (index, _read) in enumerate(readers) if index is not None]
    computed = [(n, read) for n, (_index, read) in enumerate(readers) if read]
    if not plain:
        pick = lambda row: ()  # noqa: E731
    elif len(plain) == 1:
        only = plain[0]
        pick = lambda row: (row[only],)  # noqa: E731
    else:
        pick = itemgetter(*plain)
    if not computed:
        return lambda row: list(pick(row))
    size = len(readers)

    def read(row):
        values = [None] * size
        for n, value in zip(order, pick(row), strict=True):
            values[n] = value
        for n, function in computed:
            values[n] = function(row)
        return values

    return read


# Rows fetched at a time by the server-side cursor: a chunk of the heavy
# client's contacts with their joins was the collection's memory peak.
_CHUNK = 500


def _tuple_rows(queryset, fields, links, catalogue_keys, names):
    """(pk, values, links) of each row of the queryset, read as tuples by a
    server-side cursor in chunks (the columns' database converters applied,
    decrypted fields included), in one query with the queryset's joins:
    no model instance is built but to name a relation's target the first
    time it is met (decision 0099: 20,000 contacts were 100,000 instances).
    What each field needs is worked out once per model: the plain columns
    are picked from the row by one itemgetter, only the others (choices,
    relations, dates, decimals) go through a function per value."""
    from django.db.models.query import get_related_populators

    db = queryset.db
    compiler = queryset.query.get_compiler(using=db)
    results = compiler.execute_sql(chunked_fetch=True, chunk_size=_CHUNK)
    select, klass_info = compiler.select, compiler.klass_info
    if klass_info is None:  # nothing to select (an empty filter)
        return
    model = klass_info["model"]
    selected = klass_info["select_fields"]
    start, end = selected[0], selected[-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    at = {attname: start + n for n, attname in enumerate(init_list)}
    pk_at = at[model._meta.pk.attname]
    populators = None

    def build(row):
        nonlocal populators
        if populators is None:
            populators = get_related_populators(klass_info, select, db)
        obj = model.from_db(db, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        return obj

    read_values = _values_reader([_column_reader(f, at, build) for f in fields])
    link_at = [(name, at[attname]) for name, attname in links]
    catalogue_at = [(name, at[attname]) for name, attname in catalogue_keys]

    for row in compiler.results_iter(results):
        for name, index in catalogue_at:
            key = row[index]
            if key is not None and str(key) not in names:
                names[str(key)] = getattr(build(row), name).name
        values = read_values(row)
        linked = None
        for name, index in link_at:
            key = row[index]
            if key is not None:
                if linked is None:
                    linked = {}
                linked[name] = key
        yield row[pk_at], values, linked


# Catalogues a client row points to whose name the person needs to read
# their own record (the piece an order line sold): linked by id, named once
# in the document's "products" (one query, privacy.reports._product_names).
LINKED_CATALOGUES = {"orders.Product"}


@cache
def _client_model_labels() -> frozenset[str]:
    return frozenset(m._meta.label for m, _entry in data_map.client_models())


def _linking_fields(model, entry):
    """Foreign keys the data map calls not personal (the row's links to the
    order it belongs to, the guarantee of a line...): the report keeps their
    ids so the person's view can put one order in one place."""
    for name, f in entry.fields.items():
        if f.category is not Category.NOT_PERSONAL:
            continue
        field = model._meta.get_field(name)
        if field.many_to_one and field.concrete and name != "client":
            yield field, f


def collect(
    client: Client, *, progress: Callable | None = None, sink: dict | None = None
) -> dict:
    """Every row of every client model of the data map, by model label."""
    found = {}
    for model, entry in data_map.client_models():
        found[model._meta.label] = {
            "name": str(model._meta.verbose_name_plural),
            "description": entry.description,
            "rows": _rows(model, entry, client.pk, sink),
        }
        if progress:
            progress(f"Read {model._meta.verbose_name_plural}")
    return found


def _purposes_by_category() -> dict[str, list[dict]]:
    labels = dict(Purpose.LegalBasis.choices)
    out = defaultdict(list)
    for spec in registry.PURPOSES:
        for category in spec.data_categories:
            out[category].append(
                {
                    "code": spec.code,
                    "name": spec.name,
                    "legal_basis": str(labels[spec.legal_basis]),
                    "recipients": list(spec.recipients),
                    "retention": spec.retention,
                }
            )
    return out


def _by_category(found: dict) -> list[dict]:
    purposes = _purposes_by_category()
    sections: dict[str, dict] = {}
    sources: dict[str, set] = defaultdict(set)
    for label, model in found.items():
        rows = model["rows"]
        if not rows:
            continue
        # Every row of a model has the same fields: split them by category
        # once per model, not once per row (decision 0099).
        groups = defaultdict(list)
        for name, value in rows[0]["fields"].items():
            groups[value["category"]].append(name)
            sources[value["category"]].add(value["source"])
        whole = len(groups) == 1
        for category, names in groups.items():
            section = sections.setdefault(
                category, {"category": category, "records": []}
            )
            append = section["records"].append
            for row in rows:
                fields = row["fields"]
                record = {
                    "model": label,
                    "model_name": model["name"],
                    "id": row["id"],
                    "fields": fields if whole else {n: fields[n] for n in names},
                }
                if "links" in row:
                    record["links"] = row["links"]
                append(record)
    ordered = []
    for category in Category:
        if str(category) not in sections:
            continue
        section = sections[str(category)]
        related = purposes.get(str(category), [])
        section["purposes"] = related
        section["legal_bases"] = sorted({p["legal_basis"] for p in related})
        section["recipients"] = sorted({r for p in related for r in p["recipients"]})
        section["retention"] = [f"{p['name']}: {p['retention']}" for p in related]
        section["sources"] = sorted(sources[str(category)])
        ordered.append(section)
    return ordered


def _origin(client: Client, forms=None) -> dict:
    if forms is None:
        forms = PaperFormSubmission.objects.filter(client=client).select_related(
            "version__template"
        )
    return {
        "record_created_from": client.get_source_display(),
        "record_created_at": _plain(client.created_at),
        "forms": [
            {
                "form": s.version.template.title,
                "version": s.version.number,
                "signed_on": _plain(s.signed_on),
            }
            for s in forms
        ],
    }


def _consent_history(client: Client, decisions=None) -> list[dict]:
    if decisions is None:
        decisions = ConsentDecision.objects.filter(client=client).select_related(
            "purpose", "wording", "submission__version__template"
        )
    decisions = sorted(decisions, key=lambda d: (d.decided_at, d.id))
    return [
        {
            "purpose": d.purpose.name,
            "decision": d.get_decision_display(),
            "channel": d.get_channel_display(),
            "decided_at": _plain(d.decided_at),
            "wording": d.wording.text if d.wording else "",
            "form": (
                f"{d.submission.version.template.title} v{d.submission.version.number}"
                if d.submission
                else ""
            ),
        }
        for d in decisions
    ]


def _contact_history_from(found: dict) -> list[dict]:
    """The contact history, oldest first, from the contact rows collected
    (no second read of the largest table)."""
    rows = found.get(ContactEvent._meta.label, {}).get("rows", [])
    empty = {"value": None}
    names = ("occurred_at", "channel", "direction", "subject", "summary", "staff")
    history = []
    for row in rows:
        fields = row["fields"]
        occurred, *rest = (fields.get(name, empty)["value"] for name in names)
        history.append((occurred or "", row["id"], occurred, rest))
    history.sort(key=lambda h: (h[0], h[1]))
    return [
        {
            "occurred_at": occurred,
            "channel": channel or "",
            "direction": direction or "",
            "subject": subject or "",
            "summary": summary or "",
            "staff": staff or "",
        }
        for _key, _id, occurred, (channel, direction, subject, summary, staff) in (
            history
        )
    ]


def _profiling(client: Client, decisions=None) -> list[dict]:
    """The profiling purposes and whether each applies to the client: the
    purposes as the registry defines them (the Purpose rows are synced from
    it), the latest decision per purpose from the decisions collected."""
    if decisions is None:
        decisions = ConsentDecision.objects.filter(client=client).select_related(
            "purpose"
        )
    latest = {}
    for d in decisions:
        code = d.purpose.code
        if code not in latest or (d.decided_at, d.id) > (
            latest[code].decided_at,
            latest[code].id,
        ):
            latest[code] = d
    specs = {spec.code: spec for spec in registry.PURPOSES}
    bases = dict(Purpose.LegalBasis.choices)
    out = []
    for code in PROFILING_PURPOSES:
        purpose = specs.get(code)
        if purpose is None:
            continue
        decision = latest.get(code)
        if purpose.legal_basis == registry.CONSENT:
            applies = bool(decision and decision.decision == "grant")
        else:
            applies = not (decision and decision.decision == "object")
        out.append(
            {
                "purpose": purpose.name,
                "legal_basis": str(bases.get(purpose.legal_basis, purpose.legal_basis)),
                "applies_to_you": applies,
                "description": purpose.description,
                "logic": (
                    "Segments and statistics from purchases, preferences and "
                    "website visits; no decision with legal or similarly "
                    "significant effect is made automatically."
                ),
            }
        )
    return out


def _kept_on_erasure() -> list[dict]:
    kept = []
    for model, entry in data_map.client_models():
        for name, f in entry.fields.items():
            if f.erasure is Erasure.KEEP and f.category is not Category.NOT_PERSONAL:
                kept.append(
                    {
                        "model": model._meta.label,
                        "field": name,
                        "obligation": f.obligation,
                    }
                )
    return kept


def _product_names(found: dict, names: dict | None = None) -> dict[str, str]:
    """The name of every piece the client's rows link to, by id: joined in
    the rows' own queries (`names`), else one query."""
    if names is not None:
        return dict(sorted(names.items(), key=lambda item: int(item[0])))
    ids = {
        row["links"]["product"]
        for model in found.values()
        for row in model["rows"]
        if "product" in row.get("links", {})
    }
    if not ids:
        return {}
    product = apps.get_model("orders.Product")
    return {
        str(pk): name
        for pk, name in product.objects.filter(pk__in=ids).values_list("pk", "name")
    }


# Who consulted the record (CJEU C-579/21, 22 June 2023): the person may
# learn when and for what purpose their record was consulted, and by which
# kind of staff, not by name. The purpose is the role's: a role is given
# access for one purpose (core.roles).
ROLE_PURPOSES = {
    "Boutique adviser": _("Serving you as your adviser in our boutiques"),
    "Boutique manager": _("Running the boutique's client service"),
    "Customer-service agent": _("Answering your questions and requests"),
    "Compliance officer": _(
        "Answering data-protection requests and checking that your data is "
        "handled lawfully"
    ),
}
OTHER_ROLE = "Other staff"
OTHER_PURPOSE = _("Maintaining and securing our systems")


def _consultations(client: Client) -> list[dict]:
    """Every access-log row about the client record, oldest first."""
    # One query: an entry's row per group of its user (roles joined), the
    # first role the house knows kept.
    entries = (
        AccessLogEntry.objects.filter(
            object_type=Client._meta.label_lower, object_id=str(client.pk)
        )
        .order_by("at", "id", "user__groups__id")
        .values_list("id", "at", "action", "user_id", "user__groups__name")
    )
    actions = dict(AccessLogEntry._meta.get_field("action").flatchoices)
    ordered, roles = [], {}
    for pk, at, action, _user, group in entries:
        if pk not in roles:
            ordered.append((pk, at, action))
            roles[pk] = OTHER_ROLE
        if roles[pk] == OTHER_ROLE and group in ROLE_PURPOSES:
            roles[pk] = group
    return [
        {
            "at": _plain(at),
            "role": roles[pk],
            "action": str(actions.get(action, action)),
            "purpose": str(ROLE_PURPOSES.get(roles[pk], OTHER_PURPOSE)),
        }
        for pk, at, action in ordered
    ]


def _is_erased(client: Client) -> bool:
    """An erased client is the tombstone privacy.erasure leaves behind."""
    from privacy.erasure.jobs import is_tombstone

    return is_tombstone(client)


def build_document(client: Client, *, progress: Callable | None = None) -> dict:
    """The whole report as one JSON-ready document.

    Built in English whatever the language active: its keys and the labels
    it holds are the stable identifiers machines read; render_html gives
    the person's language.
    """
    with translation.override(ENGLISH):
        return _build_document(client, progress=progress)


def _build_document(client: Client, *, progress: Callable | None) -> dict:
    sink = {}
    found = collect(client, progress=progress, sink=sink)
    kept = sink.get("objects", {})
    decisions = kept.get("consents.ConsentDecision", [])
    document = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": _plain(timezone.now()),
        "controller": settings.HOUSE_NAME,
        "client_number": client.client_number,
        "erased": _is_erased(client),
        "origin": _origin(client, kept.get("consents.PaperFormSubmission", [])),
        "categories": _by_category(found),
        "models": {
            label: {"name": m["name"], "count": len(m["rows"])}
            for label, m in found.items()
        },
        "consent_history": _consent_history(client, decisions),
        "contact_history": _contact_history_from(found),
        "profiling": _profiling(client, decisions),
        "products": _product_names(found, sink.get("products", {})),
        "consultations": _consultations(client),
        "kept_on_erasure": _kept_on_erasure(),
        "not_included": [],
    }
    jsonschema.validate(_shape_sample(document), schema())
    return document


def _shape_sample(document: dict) -> dict:
    """The document with one record per model in each category and one
    entry per history list: every row of a model is built by the same code
    from the same fields, so its shape is checked once per model, not once
    per row (20,000 contacts no longer mean 20,000 validations)."""
    sample = dict(document)
    categories = []
    for section in document["categories"]:
        seen, records = set(), []
        for record in section["records"]:
            if record["model"] not in seen:
                seen.add(record["model"])
                records.append(record)
        categories.append({**section, "records": records})
    sample["categories"] = categories
    for key in ("consent_history", "contact_history", "consultations"):
        sample[key] = document[key][:1]
    return sample


def portability_document(document: dict) -> dict:
    """The subset the person provided (Art. 20), from the full document."""
    provided = defaultdict(list)
    for section in document["categories"]:
        for record in section["records"]:
            fields = {
                name: f["value"]
                for name, f in record["fields"].items()
                if f["source"] in {str(s) for s in PORTABLE_SOURCES}
            }
            if fields:
                provided[record["model"]].append({"id": record["id"], **fields})
    merged = {}
    for label, records in provided.items():
        by_id = defaultdict(dict)
        for record in records:
            by_id[record["id"]].update(record)
        merged[label] = list(by_id.values())
    return {
        "schema_version": SCHEMA_VERSION,
        "client_number": document["client_number"],
        "generated_at": document["generated_at"],
        "provided_by_you": merged,
    }


# --- Flag staff free text naming another client ------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d .-]{7,}\d")
_NUMBER = re.compile(r"\b[A-Z0-9][A-Z0-9-]{3,19}\b")
_NAME_PAIR = re.compile(r"\b([A-ZÀ-Þ][\w'-]+)\s+([A-ZÀ-Þ][\w'-]+)")
NAME_PAIRS_PER_QUERY = 200  # keeps each OR-query's plan small


def free_text_fields() -> dict[str, set[str]]:
    """Free text staff type, per model label: the data map's free-text
    fields (core.free_text) whose source is staff entry."""
    out = defaultdict(set)
    for model, entry in data_map.client_models():
        for field in free_text.free_text_fields(model):
            if entry.fields[field.name].source is Source.STAFF:
                out[model._meta.label].add(field.name)
    return out


def _other_clients_named(client, emails, phones, numbers, pairs) -> dict:
    """(kind, needle) -> id of another client it identifies: one query, the
    emails, phones, client numbers and names looked up in a UNION ALL
    (decision 0099; one more branch per NAME_PAIRS_PER_QUERY names). The
    annotations are named hit_*: ClientPhone has a field called kind."""
    others = Client.objects.exclude(pk=client.pk)
    branches = []
    if emails:
        branches.append(
            ClientEmail.objects.filter(address__in=emails, client__in=others)
            .annotate(hit_kind=Value("email"), hit_second=Value(""))
            .values_list("hit_kind", "address", "hit_second", "client_id")
        )
    if phones:
        branches.append(
            ClientPhone.objects.filter(number__in=phones, client__in=others)
            # As text: a UNION reads every branch's rows through the first
            # branch's field converters, and the number's would turn the
            # other branches' emails and names into phone numbers.
            .annotate(
                hit_kind=Value("phone"),
                hit_first=Cast("number", output_field=CharField()),
                hit_second=Value(""),
            )
            .values_list("hit_kind", "hit_first", "hit_second", "client_id")
        )
    if numbers:
        branches.append(
            others.filter(client_number__in=numbers)
            .annotate(hit_kind=Value("client number"), hit_second=Value(""))
            .values_list("hit_kind", "client_number", "hit_second", "pk")
        )
    pair_list = sorted(pairs)
    for start in range(0, len(pair_list), NAME_PAIRS_PER_QUERY):
        query = Q()
        for first, last in pair_list[start : start + NAME_PAIRS_PER_QUERY]:
            query |= Q(first_name__iexact=first, last_name__iexact=last)
        branches.append(
            others.filter(query)
            .annotate(hit_kind=Value("name"))
            .values_list("hit_kind", "first_name", "last_name", "pk")
        )
    known: dict[tuple[str, str], int] = {}
    if not branches:
        return known
    rows = branches[0]
    if len(branches) > 1:
        rows = rows.union(*branches[1:], all=True)
    for kind, first, second, owner in rows:
        if kind == "name":
            known[("name", f"{first.lower()} {second.lower()}")] = owner
        elif kind == "email":
            known[("email", first.lower())] = owner
        else:
            known[(kind, str(first))] = owner
    return known


def flag_other_clients(document: dict, client: Client) -> list[dict]:
    """Where staff free text names another client (name, email, phone or
    client number). Returns references, never the text.
    """
    texts = free_text_fields()
    mentions = []  # (model, id, field, text)
    for section in document["categories"]:
        for record in section["records"]:
            for name in texts.get(record["model"], ()):
                value = record["fields"].get(name, {}).get("value")
                if isinstance(value, str) and value:
                    mentions.append((record["model"], record["id"], name, value))
    return _flags(mentions, client)


def _flags(mentions: list[tuple], client: Client) -> list[dict]:
    """The flags of flag_other_clients from its (model, id, field, text)."""
    if not mentions:
        return []
    # Each pattern runs once over the texts joined by NUL, which none of
    # them matches across, so the matches are the texts' own.
    joined = "\x00".join(text for *_unused, text in mentions)
    emails = {e.lower() for e in _EMAIL.findall(joined)}
    phones = {re.sub(r"[ .-]", "", p) for p in _PHONE.findall(joined)}
    numbers = set(_NUMBER.findall(joined))
    pairs = {(a.lower(), b.lower()) for a, b in _NAME_PAIR.findall(joined)}
    known = _other_clients_named(client, emails, phones, numbers, pairs)
    if not known:
        return []
    flags = []
    for label, record_id, name, text in mentions:
        lowered = text.lower()
        spaced = re.sub(r"[ .-]", "", text)
        for (kind, needle), owner in known.items():
            haystack = spaced if kind == "phone" else lowered
            if needle.lower() in haystack:
                flags.append(
                    {
                        "model": label,
                        "record_id": record_id,
                        "field": name,
                        "matched": kind,
                        "other_client_id": owner,
                    }
                )
    return flags


# --- Render ------------------------------------------------------------------


ACCESS_REPORT = downloads.register(
    downloads.Download(
        key="access-report",
        label=_("Subject access report (zip: CSV per category, JSON, HTML, PDF)"),
        sites=(
            "privacy.reports._csv",
            "privacy.reports.write_zip",
            "privacy.reports._Category.__init__",
            "privacy.reports.write_report",
            "privacy.admin.requests.DataSubjectRequestAdmin.report_download_view",
        ),
    )
)


def _csv(section: dict, handle=None) -> bytes:
    """One category's CSV: written row by row into `handle` (a text stream:
    the zip's entry), or returned as bytes without one."""
    out = handle if handle is not None else io.StringIO()
    writer = downloads.csv_writer(out)
    writer.writerow(["model", "record", "field", "label", "value", "source"])
    for record in section["records"]:
        for name, f in record["fields"].items():
            value = f["value"]
            if isinstance(value, list | dict):
                value = json.dumps(value, ensure_ascii=False)
            writer.writerow(
                [record["model"], record["id"], name, f["label"], value, f["source"]]
            )
    return b"" if handle is not None else out.getvalue().encode("utf-8")


@contextmanager
def _text_entry(archive: zipfile.ZipFile, name: str):
    """A zip entry written as UTF-8 text as it goes: the complete files of a
    heavy client are never held whole in memory a second time."""
    with archive.open(name, "w") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            yield text
        finally:
            text.flush()
            text.detach()


def render_html(
    document: dict,
    *,
    language: DocumentLanguage | None = None,
    time_zone: str | None = None,
) -> str:
    """The report for a person, in `language` (English by default), dates
    in `time_zone` (privacy.report_render)."""
    return report_render.render_html(document, language=language, time_zone=time_zone)


def document_language_for(client: Client) -> tuple[DocumentLanguage, str]:
    """The client's document language and their boutique's time zone."""
    return (
        document_language(client.preferred_language),
        time_zone_name(client.home_boutique),
    )


class _EachStep(logging.Handler):
    """Calls `callback` at each step WeasyPrint logs (parse, CSS, each page
    laid out, PDF): the PDF of a large file takes many seconds, and a job
    must renew its lease while it renders."""

    def __init__(self, callback: Callable):
        super().__init__(logging.INFO)
        self.callback = callback

    def emit(self, record):
        self.callback()  # may raise LeaseLost/JobCancelled: stops the render


@contextmanager
def _on_pdf_steps(callback: Callable | None):
    if callback is None:
        yield
        return
    logger = logging.getLogger("weasyprint.progress")
    handler = _EachStep(callback)
    saved = (logger.level, logger.disabled, logger.propagate)
    if logger.disabled or not logger.isEnabledFor(logging.INFO):
        # Switched on for the callback only: the logs stay where they were.
        logger.setLevel(logging.INFO)
        logger.disabled = False
        logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.disabled, logger.propagate = saved[1:]


def render_pdf(html: str, *, heartbeat: Callable | None = None) -> bytes:
    """The PDF of the report; `heartbeat` is called at each rendering step."""
    from weasyprint import HTML

    with _on_pdf_steps(heartbeat):
        return HTML(string=html).write_pdf()


def write_zip(
    document: dict,
    *,
    portability: bool,
    progress: Callable | None = None,
    heartbeat: Callable | None = None,
    language: DocumentLanguage | None = None,
    time_zone: str | None = None,
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if portability:
            archive.writestr(
                "portability.json",
                json.dumps(
                    portability_document(document), ensure_ascii=False, indent=1
                ),
            )
        else:
            with _text_entry(archive, "report.json") as handle:
                json.dump(document, handle, ensure_ascii=False, indent=1)
            for section in document["categories"]:
                name = f"csv/{slugify(section['category'])}.csv"
                with _text_entry(archive, name) as handle:
                    _csv(section, handle)
            html = render_html(document, language=language, time_zone=time_zone)
            archive.writestr("report.html", html)
            if progress:
                progress("Rendered the HTML report")
            if heartbeat:
                heartbeat()  # the PDF is the longest step: beats inside too
            archive.writestr("report.pdf", render_pdf(html, heartbeat=heartbeat))
            if progress:
                progress("Rendered the PDF report")
    return buffer.getvalue()


# --- The access report streamed into its zip (decision 0108) -----------------

# Models the person's view (HTML, PDF) reads whole: the disclosures'
# recipients, the person's name. Its purchases are the latest orders as
# report_render._orders picks them (PURCHASES: kept while the rows are read,
# then only what the view shows, _Streamed._purchases). Its other tables
# show the latest PDF_ROWS rows, and the contacts and consents are read from
# their histories.
VIEW_WHOLE = frozenset({"clienteling.Client", "privacy.Disclosure"})
PURCHASES = frozenset(
    {
        "orders.Order",
        "orders.OrderLine",
        "orders.Payment",
        "orders.Invoice",
        "orders.Guarantee",
        "orders.AfterSalesCase",
        "orders.Complaint",
    }
)
VIEW_NONE = frozenset({"clienteling.ContactEvent", "consents.ConsentDecision"})
_HISTORY_FIELDS = ("occurred_at", "channel", "direction", "subject", "summary", "staff")


# json.dumps(value, ensure_ascii=False) builds a new encoder at each call:
# one encoder, built once, for the hundreds of thousands of values.
_dumps = json.JSONEncoder(ensure_ascii=False).encode
_string = json.encoder.encode_basestring  # a str as _dumps writes it


def _json_at(value, depth: int) -> str:
    """`value` as json.dump(indent=1) writes it `depth` levels deep."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if isinstance(value, list | dict) and value:
        text = json.dumps(value, ensure_ascii=False, indent=1)
        return text.replace("\n", "\n" + " " * depth)
    return _dumps(value)


class _Field:
    """A field of a row the person's view keeps: its value and the model's
    shared meta (label, category, source...), read as the document's
    dictionary is (f["value"], f.get("label"))."""

    __slots__ = ("meta", "value")

    def __init__(self, meta: dict, value):
        self.meta, self.value = meta, value

    def __getitem__(self, key):
        return self.value if key == "value" else self.meta[key]

    def get(self, key, default=None):
        if key == "value":
            return self.value
        return self.meta.get(key, default)


class _Category:
    """One category's records as report.json writes them, and its CSV,
    spooled to temporary files as the rows are read."""

    def __init__(self, category: str):
        self.category = category
        # closed by close(), when the zip is written
        self.json = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
        self.csv = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
        self.writer = downloads.csv_writer(self.csv)
        self.writer.writerow(["model", "record", "field", "label", "value", "source"])
        self.count = 0
        self.sample: list[dict] = []  # the first record of each model
        # the records the person's view reads, one list per model in the
        # models' order (the purchases' filled once every row is read)
        self.parts: list[list[dict]] = []
        self.sources: set[str] = set()
        self.mentions: list[tuple] = []

    @property
    def view(self) -> list[dict]:
        return [record for part in self.parts for record in part]

    def close(self):
        self.json.close()
        self.csv.close()


def _record_parts(label: str, name: str, fields: list) -> tuple[str, list, str]:
    """The text of one record of this model around its id and values, as
    json.dump(indent=1) writes it at a record's depth (4): (head, one
    (before, after) per field, the fields' end)."""
    pad = " " * 4
    head = (
        f'{pad}{{\n{pad} "model": {_dumps(label)},\n'
        f'{pad} "model_name": {_dumps(name)},\n{pad} "id": '
    )
    parts = []
    for field, meta in fields:
        before = f"\n{pad}  {_dumps(field)}: {{\n" + "".join(
            f"{pad}   {_dumps(k)}: {_dumps(v)},\n" for k, v in meta.items()
        )
        parts.append((before + f'{pad}   "value": ', f"\n{pad}  }}"))
    return head, parts, f"\n{pad} }}"


def _history_text(entry: dict) -> str:
    pad = " " * 2
    inner = ",\n".join(f"{pad} {_dumps(k)}: {_dumps(v)}" for k, v in entry.items())
    return f"{pad}{{\n{inner}\n{pad}}}"


def _history_entry(values: tuple) -> dict:
    occurred, channel, direction, subject, summary, staff = values
    return {
        "occurred_at": occurred,
        "channel": channel or "",
        "direction": direction or "",
        "subject": subject or "",
        "summary": summary or "",
        "staff": staff or "",
    }


class _Streamed:
    """The access report's rows read model by model and written as they
    come into each category's JSON and CSV (decision 0108); kept in memory:
    the rows the person's view reads (VIEW_WHOLE, else the latest
    PDF_ROWS), the contact history's fields, the staff notes' texts."""

    def __init__(self, client: Client, progress: Callable | None = None):
        self.client = client
        self.categories: dict[str, _Category] = {}
        self.models: dict[str, dict] = {}
        self.counts: dict[str, int] = {}
        self.history: list[tuple] = []
        self.sink: dict = {}
        self.purchases: dict[str, tuple] = {}
        self.order_lines: dict = {}
        with translation.override(ENGLISH):
            self._collect(progress)
            self.flags = _flags(
                [
                    m
                    for category in Category
                    if str(category) in self.categories
                    for m in self.categories[str(category)].mentions
                ],
                client,
            )
            for category in self.categories.values():
                category.mentions = []  # checked: the texts are not kept
            self._document()
            self.sink = {}  # read by the document's parts: not kept

    def close(self):
        for category in self.categories.values():
            category.close()

    def _collect(self, progress):
        texts = free_text_fields()
        for model, entry in data_map.client_models():
            label = model._meta.label
            name = str(model._meta.verbose_name_plural)
            fields, rows = _read_rows(model, entry, self.client.pk, self.sink)
            groups = defaultdict(list)
            for index, (_name, meta) in enumerate(fields):
                groups[meta["category"]].append(index)
            written = []
            for category, indexes in groups.items():
                spool = self.categories.get(category) or self.categories.setdefault(
                    category, _Category(category)
                )
                chosen = [fields[i] for i in indexes]
                written.append(
                    (
                        spool,
                        indexes,
                        _record_parts(label, name, chosen),
                        [
                            (
                                i,
                                formula_safe(field),
                                formula_safe(meta["label"]),
                                formula_safe(meta["source"]),
                            )
                            for i, (field, meta) in zip(indexes, chosen, strict=True)
                        ],
                        [
                            (i, field)
                            for field_name in texts.get(label, ())
                            for i, (field, _meta) in zip(indexes, chosen, strict=True)
                            if field == field_name
                        ],
                    )
                )
            history = (
                [
                    next((i for i, (f, _m) in enumerate(fields) if f == n), None)
                    for n in _HISTORY_FIELDS
                ]
                if label == ContactEvent._meta.label
                else None
            )
            whole = label in VIEW_WHOLE or label in PURCHASES
            view = [] if whole else deque(maxlen=report_render.PDF_ROWS)
            count = 0
            for pk, values, linked in rows:
                count += 1
                self._write((label, name, fields, written), pk, values, linked)
                if history is not None:
                    got = tuple(None if i is None else values[i] for i in history)
                    self.history.append((got[0] or "", pk, got))
                if label not in VIEW_NONE:
                    view.append((pk, values, linked))
            if label in PURCHASES:
                parts = [[] for _written in written]
                for (spool, *_rest), part in zip(written, parts, strict=True):
                    spool.parts.append(part)
                self.purchases[label] = (name, fields, written, view, parts)
            else:
                self._view(label, name, fields, written, view)
            self.counts[label] = count
            self.models[label] = {"name": name, "description": entry.description}
            if progress:
                progress(f"Read {model._meta.verbose_name_plural}")
        self._purchases()

    def _purchases(self):
        """The purchases the person's view shows, as report_render._orders
        picks them: the latest orders (PDF_ORDERS, up to PDF_ORDER_LINES
        lines), the latest PDF_ROWS lines of each with their guarantees,
        its payments, invoices, cases and complaints; complaints about no
        order. The other rows are in the JSON and CSV only; the view counts
        the lines of each order shown (VIEW_COUNTS)."""
        rows = {label: kept[3] for label, kept in self.purchases.items()}

        def link(row, name):
            return (row[2] or {}).get(name)

        lines_of = defaultdict(list)
        for line in rows.get("orders.OrderLine", ()):
            lines_of[link(line, "order")].append(line)
        shown, budget = [], report_render.PDF_ORDER_LINES
        for order in rows.get("orders.Order", [])[-report_render.PDF_ORDERS :][::-1]:
            count = min(len(lines_of.get(order[0], ())), report_render.PDF_ROWS)
            if shown and count > budget:
                break
            shown.append(order[0])
            budget -= count
        shown = set(shown)
        self.order_lines = {pk: len(lines_of.get(pk, ())) for pk in shown}
        lines = {
            line[0]
            for pk in shown
            for line in lines_of.get(pk, ())[-report_render.PDF_ROWS :]
        }
        line_order = {
            line[0]: link(line, "order") for line in rows.get("orders.OrderLine", ())
        }
        guarantee_order = {
            g[0]: line_order.get(link(g, "order_line"))
            for g in rows.get("orders.Guarantee", ())
        }
        keep = {
            "orders.Order": lambda row: row[0] in shown,
            "orders.OrderLine": lambda row: row[0] in lines,
            "orders.Guarantee": lambda row: link(row, "order_line") in lines,
            "orders.AfterSalesCase": lambda row: (
                guarantee_order.get(link(row, "guarantee")) in shown
            ),
            "orders.Complaint": lambda row: (
                link(row, "order") is None or link(row, "order") in shown
            ),
        }
        for label, (name, fields, written, view, parts) in self.purchases.items():
            test = keep.get(label, lambda row: link(row, "order") in shown)
            chosen = []
            for row in view:
                if not test(row):
                    continue
                if label == "orders.AfterSalesCase":
                    # its guarantee may be one the view leaves out: its order
                    order = guarantee_order.get(link(row, "guarantee"))
                    links = {**(row[2] or {}), report_render.CASE_ORDER: order}
                    row = (row[0], row[1], links)  # noqa: PLW2901
                chosen.append(row)
            self._view(label, name, fields, written, chosen, parts=parts)
        self.purchases = {}

    def _write(self, model: tuple, pk, values: list, linked: dict | None):
        """One row into its categories' JSON and CSV; `model` is (label,
        name, fields, written) as _collect worked them out."""
        label, name, fields, written = model
        safe_label = formula_safe(label)
        links = ""
        if linked:
            pad = " " * 4
            links = (
                f',\n{pad} "links": {{'
                + ",".join(
                    f"\n{pad}  {_dumps(k)}: {_dumps(v)}" for k, v in linked.items()
                )
                + f"\n{pad} }}"
            )
        key = _dumps(pk)
        for spool, indexes, (head, parts, end), columns, mentioned in written:
            text = (
                head
                + key
                + ',\n     "fields": {'
                + ",".join(
                    before + _json_at(values[i], 7) + after
                    for i, (before, after) in zip(indexes, parts, strict=True)
                )
                + end
                + links
                + "\n    }"
            )
            if spool.count:
                spool.json.write(",\n")
            spool.json.write(text)
            if spool.count == 0 or spool.sample[-1]["model"] != label:
                record = {
                    "model": label,
                    "model_name": name,
                    "id": pk,
                    "fields": {
                        fields[i][0]: {**fields[i][1], "value": values[i]}
                        for i in indexes
                    },
                }
                if linked:
                    record["links"] = linked
                spool.sample.append(record)
                for i in indexes:
                    spool.sources.add(fields[i][1]["source"])
            spool.count += 1
            # the constant cells are formula-safe already (_collect)
            safe_pk = formula_safe(pk)
            spool.writer.writerows_made_safe(
                [
                    safe_label,
                    safe_pk,
                    field,
                    field_label,
                    formula_safe(
                        _dumps(value) if isinstance(value, list | dict) else value
                    ),
                    source,
                ]
                for i, field, field_label, source in columns
                for value in (values[i],)
            )
            for i, field in mentioned:
                value = values[i]
                if isinstance(value, str) and value:
                    spool.mentions.append((label, pk, field, value))

    def _view(self, label, name, fields, written, view, *, parts=None):
        if parts is None:
            parts = [[] for _written in written]
            for (spool, *_rest), part in zip(written, parts, strict=True):
                spool.parts.append(part)
        for (_spool, indexes, *_rest), part in zip(written, parts, strict=True):
            for pk, values, linked in view:
                record = {
                    "model": label,
                    "model_name": name,
                    "id": pk,
                    "fields": {
                        fields[i][0]: _Field(fields[i][1], values[i]) for i in indexes
                    },
                }
                if linked:
                    record["links"] = linked
                part.append(record)

    def _document(self):
        client = self.client
        kept = self.sink.get("objects", {})
        decisions = kept.get("consents.ConsentDecision", [])
        self.history.sort(key=lambda h: (h[0], h[1]))
        purposes = _purposes_by_category()
        self.token = f"@@report-{uuid.uuid4().hex}@@"
        sections = []
        for category in Category:
            spool = self.categories.get(str(category))
            if spool is None or not spool.count:
                continue
            related = purposes.get(str(category), [])
            sections.append(
                {
                    "category": str(category),
                    "records": f"{self.token}{str(category)}",
                    "purposes": related,
                    "legal_bases": sorted({p["legal_basis"] for p in related}),
                    "recipients": sorted({r for p in related for r in p["recipients"]}),
                    "retention": [f"{p['name']}: {p['retention']}" for p in related],
                    "sources": sorted(spool.sources),
                }
            )
        self.skeleton = {
            "schema_version": SCHEMA_VERSION,
            "generated_at": _plain(timezone.now()),
            "controller": settings.HOUSE_NAME,
            "client_number": client.client_number,
            "erased": _is_erased(client),
            "origin": _origin(client, kept.get("consents.PaperFormSubmission", [])),
            "categories": sections,
            "models": {
                label: {"name": m["name"], "count": self.counts[label]}
                for label, m in self.models.items()
            },
            "consent_history": _consent_history(client, decisions),
            "contact_history": f"{self.token}history",
            "profiling": _profiling(client, decisions),
            "products": _product_names({}, self.sink.get("products", {})),
            "consultations": _consultations(client),
            "kept_on_erasure": _kept_on_erasure(),
            "not_included": [],
        }
        jsonschema.validate(self._with(sample=True), schema())

    def _with(self, *, sample: bool) -> dict:
        """The document with the sample records (the schema's check, one
        per model: _shape_sample) or the person's view's (render_html)."""
        document = dict(self.skeleton)
        document["categories"] = [
            {
                **section,
                "records": (
                    self.categories[section["category"]].sample
                    if sample
                    else self.categories[section["category"]].view
                ),
            }
            for section in self.skeleton["categories"]
        ]
        history = (
            self.history[:1] if sample else self.history[-report_render.PDF_ROWS :]
        )
        document["contact_history"] = [_history_entry(h[2]) for h in history]
        if sample:
            document["consent_history"] = document["consent_history"][:1]
            document["consultations"] = document["consultations"][:1]
        else:
            document[report_render.VIEW_COUNTS] = {
                **self.counts,
                "contact_history": len(self.history),
                report_render.ORDER_LINES: self.order_lines,
            }
        return document

    def view(self) -> dict:
        return self._with(sample=False)

    def write_json(self, handle):
        """report.json, as json.dump(document, indent=1) writes it."""
        text = json.dumps(self.skeleton, ensure_ascii=False, indent=1)
        pattern = re.compile(re.escape(_dumps(self.token)[:-1]) + r'([^"]*)"')
        position = 0
        for match in pattern.finditer(text):
            handle.write(text[position : match.start()])
            position = match.end()
            key = match.group(1)
            if key == "history":
                if not self.history:
                    handle.write("[]")
                    continue
                handle.write("[\n")
                for n, h in enumerate(self.history):
                    if n:
                        handle.write(",\n")
                    handle.write(_history_text(_history_entry(h[2])))
                handle.write("\n ]")
            else:
                spool = self.categories[key]
                handle.write("[\n")
                spool.json.seek(0)
                shutil.copyfileobj(spool.json, handle)
                handle.write("\n   ]")
        handle.write(text[position:])

    def write_csv(self, archive):
        for section in self.skeleton["categories"]:
            spool = self.categories[section["category"]]
            name = f"csv/{slugify(section['category'])}.csv"
            with _text_entry(archive, name) as handle:
                spool.csv.seek(0)
                shutil.copyfileobj(spool.csv, handle)


def write_report(
    client: Client,
    target,
    *,
    progress: Callable | None = None,
    heartbeat: Callable | None = None,
    language: DocumentLanguage | None = None,
    time_zone: str | None = None,
) -> dict:
    """The access report's zip written into `target` (a binary file), the
    rows streamed model by model into its JSON and CSV (decision 0108): the
    same files as write_zip(build_document(client)). Returns the staff-note
    flags and the number of record types read."""
    streamed = _Streamed(client, progress=progress)
    try:
        if progress:
            progress("Checked staff notes for other clients")
        view = streamed.view()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            with _text_entry(archive, "report.json") as handle:
                streamed.write_json(handle)
            # written: the PDF's render (the report's longest step, its
            # memory's peak) goes without the whole contact history
            streamed.history = []
            streamed.write_csv(archive)
            html = render_html(view, language=language, time_zone=time_zone)
            archive.writestr("report.html", html)
            if progress:
                progress("Rendered the HTML report")
            if heartbeat:
                heartbeat()
            archive.writestr("report.pdf", render_pdf(html, heartbeat=heartbeat))
            if progress:
                progress("Rendered the PDF report")
    finally:
        streamed.close()
    return {"flags": streamed.flags, "record_types": len(streamed.models)}


# --- The build (a core.Job: privacy.jobs.SubjectAccessReportJob) -------------

# The job kind's name (privacy.jobs), stored on job rows: never rename.
REPORT_JOB = "privacy.subject_access_report"

# The build's one result file, a name fixed by the job: a build run twice
# (a second delivery, a resumed worker) still ends with one zip.
RESULT_NAME = "report.zip"


def _dedupe_key(request: DataSubjectRequest) -> str:
    return f"privacy.report:request:{request.pk}"


@transaction.atomic
def report_request(
    *, acting_user, request: DataSubjectRequest, now: datetime | None = None
) -> SubjectAccessReport:
    """Queue a report build for a verified access or portability request."""
    if request.kind not in (
        DataSubjectRequest.Kind.ACCESS,
        DataSubjectRequest.Kind.PORTABILITY,
    ):
        raise ValidationError(_("Only access and portability requests have a report."))
    if request.identity_verified_at is None:
        raise ValidationError(
            _("Verify the person's identity before building their report.")
        )
    if request.client_id is None:
        raise ValidationError(
            _(
                "Link the person's client record before building their report, "
                "or answer that the house holds nothing about them."
            )
        )
    if not request.is_open:
        raise ValidationError(_("This request is closed."))
    now = _now(now)
    report = SubjectAccessReport(
        request=request, requested_by=acting_user, created_at=now
    )
    report.full_clean()
    report.save()
    try:
        report.job = jobs.enqueue(
            kind=REPORT_JOB,
            label=(
                _("Subject-access report %(pk)s (request %(pk2)s)")
                % {"pk": report.pk, "pk2": request.pk}
            ),
            acting_user=acting_user,
            params={"report": report.pk},
            dedupe_key=_dedupe_key(request),
            now=now,
        )
    except jobs.AlreadyQueued:
        raise ValidationError(
            _("A report for this request is already being built.")
        ) from None
    report.save(update_fields=["job"])
    return report


@transaction.atomic
def report_retry(*, acting_user, report: SubjectAccessReport) -> SubjectAccessReport:
    """Build a failed (or stopped) report again, under the same job."""
    if report.status not in (
        SubjectAccessReport.Status.FAILED,
        SubjectAccessReport.Status.CANCELLED,
    ):
        raise ValidationError(_("Only a failed or stopped report can be built again."))
    if not report.request.is_open:
        raise ValidationError(_("This request is closed."))
    try:
        report.job = jobs.retry(acting_user=acting_user, job=report.job)
    except jobs.JobError:
        raise ValidationError(
            _("A report for this request is already being built.")
        ) from None
    return report


def report_build(*, report: SubjectAccessReport, ctx) -> dict:
    """Build the zip of one report, for its job (privacy.jobs).

    Safe to run again: each run builds the whole report afresh into the
    job's partial file, published under the job's one name when the job
    finishes; the review flags are written, fenced, by the run that holds
    the job. A progress report after every step renews the job's lease.
    """
    portability = report.request.kind == DataSubjectRequest.Kind.PORTABILITY
    total = len(data_map.client_models()) + 3
    state = {"done": 0}

    def advance(step: str) -> None:
        state["done"] += 1
        ctx.progress(min(state["done"], total), total, step)

    ctx.progress(0, total, "Starting", force=True)
    client = report.request.client
    language, time_zone = document_language_for(client)
    partial = ctx.partial_path(RESULT_NAME)
    if portability:
        document = build_document(client, progress=advance)
        flags = flag_other_clients(document, client)
        record_types = len(document["models"])
        advance("Checked staff notes for other clients")
        partial.write_bytes(
            write_zip(document, portability=True, language=language, progress=advance)
        )
    else:
        # Workers import it at start (privacy.jobs); elsewhere its first
        # import takes seconds: renew the lease after it.
        import weasyprint  # noqa: F401

        ctx.heartbeat()
        with partial.open("wb") as target:
            written = write_report(
                client,
                target,
                language=language,
                time_zone=time_zone,
                progress=advance,
                # renews the lease at most once a second (ctx.progress's pace)
                heartbeat=lambda: ctx.progress(min(state["done"], total)),
            )
        flags, record_types = written["flags"], written["record_types"]
    ctx.keep_as_result(partial, RESULT_NAME)
    with ctx.fenced():
        SubjectAccessReport.objects.filter(pk=report.pk).update(
            review_flags=flags, reviewed_by=None, reviewed_at=None
        )
    ctx.progress(total, total, "Ready", force=True)
    # Counts in words the Jobs page shows ("record types read: 37").
    return {"record_types_read": record_types, "notes_to_review": len(flags)}


@transaction.atomic
def report_review_release(
    *, acting_user, report: SubjectAccessReport, now: datetime | None = None
) -> SubjectAccessReport:
    """Record that flagged staff notes were reviewed before release."""
    if report.status != ReportStatus.DONE:
        raise ValidationError(_("Only a finished report can be released."))
    if not report.review_flags:
        raise ValidationError(_("Nothing in this report needs review."))
    if report.reviewed_at is not None:
        raise ValidationError(_("This report was already reviewed."))
    report.reviewed_by = acting_user
    report.reviewed_at = _now(now)
    report.full_clean()
    report.save(update_fields=["reviewed_by", "reviewed_at"])
    return report


def report_open_for_download(
    *, acting_user, report: SubjectAccessReport, path: str = "", now=None
) -> Path:
    """The zip's path, once checked; the download is logged.

    StoredFileGone (the views' 404) when erasure removed the file or the
    file is missing; ValidationError for a report not ready, expired or
    awaiting review.
    """
    if report.file_deleted_reason == ERASED_CLIENT_REPORT:
        raise StoredFileGone(ERASED_CLIENT_REPORT)
    if report.status not in (ReportStatus.DONE, ReportStatus.EXPIRED):
        raise ValidationError(_("This report is not ready."))
    if report.status == ReportStatus.EXPIRED or (
        report.expires_at and _now(now) >= report.expires_at
    ):
        raise ValidationError(
            _("This report has expired: build a new one if it is still needed.")
        )
    if report.needs_review:
        raise ValidationError(
            _(
                "Staff notes in this report may name other clients: review them "
                "before the report is released."
            )
        )
    file = jobs.result_path(report.job)
    if file is None or not file.is_file():
        raise StoredFileGone("The report file is missing: build a new one.")
    access_log_record(
        acting_user=acting_user,
        action=AccessLogEntry.Action.DOWNLOAD,
        target=report,
        path=path,
    )
    return file


def _delete_file(report: SubjectAccessReport) -> bool:
    """Delete the report's zip (the job's result file); whether it existed."""
    if not report.job or not report.job.result_file:
        return False
    return job_files.remove_result(report.job.result_file)


def reports_expire(*, now: datetime | None = None) -> int:
    """Delete the files of reports past their expiry (REPORT_DOWNLOAD_DAYS).

    The jobs' sweeper deletes expired result files too; this marks the
    reports expired, and deletes a file the sweeper has not reached yet.
    """
    now = _now(now)
    expired = SubjectAccessReport.objects.filter(
        file_deleted_at__isnull=True,
        job__status=Job.Status.DONE,
        job__result_expires_at__lte=now,
    ).select_related("job")
    count = 0
    for report in expired:
        _delete_file(report)
        SubjectAccessReport.objects.filter(pk=report.pk).update(file_deleted_at=now)
        count += 1
    return count


ERASED_CLIENT_REPORT = "Deleted: the client was erased after this report was built."


def reports_erase(*, client_ids: list[int], identifiers=None) -> int:
    """Delete the report zips of these clients (erasure, retention).

    A report is the client's whole file, allergy notes in clear included:
    it cannot outlive the erasure of what it copies. The report and its
    job stay (the proof the request was answered, decision 0300), the
    report marked expired with the reason; its download then answers 404.
    A build still running publishes its file later: the erasure's
    tombstone leaves it nothing but the tombstone to report.
    """
    deleted = 0
    now = timezone.now()
    # One statement, the ids as one array (core.id_arrays, decision 0089).
    if client_ids:
        reports = (
            SubjectAccessReport.objects.filter(in_ids("request__client_id", client_ids))
            .exclude(job__result_file="")
            .exclude(job__isnull=True)
            .exclude(file_deleted_reason=ERASED_CLIENT_REPORT)
            .select_related("job")
        )
        for report in reports:
            if _delete_file(report):
                deleted += 1
            SubjectAccessReport.objects.filter(pk=report.pk).update(
                file_deleted_at=report.file_deleted_at or now,
                file_deleted_reason=ERASED_CLIENT_REPORT,
            )
    return deleted
