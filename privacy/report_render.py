"""The human-readable access report (HTML, then PDF) in the client's language.

The report's JSON and CSV files stay in stable English identifiers (model
labels, field names, the data map's categories and sources, the English
labels of choices): they are for computers, and the same whatever the
person's language. This module renders the same document for a person:
under translation.override(language) (decision 0030), with every heading
and explanation from consents.documents.<language>, the English labels of
the JSON translated by their value, dates as "6 décembre 2026" in the
boutique's time zone, and never an ISO timestamp.

Field labels and record names come from the models' verbose names through
the staff catalogue (gettext under the override): they read in French
once the French catalogue translates them.
"""

import functools
import re
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from consents import registry
from consents.documents import texts
from consents.documents.languages import ENGLISH, DocumentLanguage, document_language
from consents.documents.render import long_date, long_datetime

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

_PURPOSE_CODES = {p.name: p.code for p in registry.PURPOSES}
_FORM_CODES = {spec.title: spec.template for spec in registry.FORM_VERSIONS}
ACCESS_LOG_SENTENCE = (
    "The access log (which staff opened your record and when) is kept for "
    "the security of processing and is not part of this report."
)


class _Words:
    """What the renderer needs of one language, and the time zone."""

    def __init__(self, language: DocumentLanguage, time_zone: str):
        self.language = language
        self.code = language.code
        self.time_zone = time_zone
        self.module = texts(language.code)
        # "Name: value"; French typography puts a non-breaking space first.
        self.colon = "\u00a0: " if language.code == "fr" else ": "
        self.t = {
            key: text.replace("{house}", settings.HOUSE_NAME)
            for key, text in self.module.TEXTS.items()
        }

    def label(self, english: str) -> str:
        """An English display value of the JSON, in the document's language:
        the documents' own table first, then the staff catalogue."""
        if not english:
            return ""
        found = self.module.LABELS.get(english)
        return found if found is not None else gettext(english)

    def purpose(self, code_or_name: str) -> str:
        code = _PURPOSE_CODES.get(code_or_name, code_or_name)
        spec = registry.PURPOSES_BY_CODE.get(code)
        fallback = spec.name if spec else code_or_name
        return self.module.PURPOSES.get(code, {}).get("name", fallback)

    def purpose_field(self, code: str, key: str, fallback: str) -> str:
        return self.module.PURPOSES.get(code, {}).get(key, fallback)

    def form(self, title: str) -> str:
        code = _FORM_CODES.get(title)
        return self.module.FORM_TITLES.get(code, title) if code else title

    def value(self, value) -> str:
        """A field value as a person reads it: dates local, no ISO form."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return self.t["yes"] if value else self.t["no"]
        if isinstance(value, list):
            return ", ".join(self.value(v) for v in value)
        if isinstance(value, dict):
            return "; ".join(f"{k}: {self.value(v)}" for k, v in value.items())
        if isinstance(value, str):
            return self._text(value)
        return str(value)

    def _text(self, value: str) -> str:
        if _ISO_DATE.match(value):
            return long_date(date.fromisoformat(value), self.code, self.time_zone)
        if _ISO_DATETIME.match(value):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            return long_datetime(moment, self.code, self.time_zone)
        return value

    def day(self, iso: str) -> str:
        return self.value(iso[:10]) if _ISO_DATE.match(iso[:10]) else iso


def _model_name(label: str, fallback: str) -> str:
    try:
        model = apps.get_model(label)
    except LookupError:
        return fallback
    return str(model._meta.verbose_name_plural)


def _field_value(  # noqa: PLR0911 - one return per kind of stored value
    words: _Words, label: str, name: str, value
) -> str:
    """A row's value as the reader reads it. The JSON holds a choice's
    English label and a purpose's English name (the report is built in
    English): both are read again in the document's language from the
    model's choices and the purpose texts; anything else as words.value."""
    try:
        field = apps.get_model(label)._meta.get_field(name)
    except (LookupError, FieldDoesNotExist):
        return words.value(value)
    if isinstance(value, str) and field.choices:
        english = _choice_codes(label, name)
        if value in english:
            return str(dict(field.flatchoices)[english[value]])
    if isinstance(value, str) and field.is_relation:
        target = field.related_model._meta.label
        if target == "consents.Purpose":
            return words.purpose(value)
        if target == "consents.PurposeWording":
            # The wording reads: form version, colon, purpose, language.
            version, _sep, rest = value.partition(": ")
            purpose, _sep, language = rest.rpartition(" (")
            if purpose and language.endswith(")"):
                return (
                    f"{_version_name(words, version)}{words.colon}"
                    f"{words.purpose(purpose)} ({language}"
                )
        if target == "consents.FormTemplateVersion":
            return _version_name(words, value)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        # Codes stored in a JSON list: purposes (services asked for) or the
        # keys of a form's fields.
        if all(v in registry.PURPOSES_BY_CODE for v in value):
            return ", ".join(words.purpose(v) for v in value)
        if all(v in words.module.FIELD_LABELS for v in value):
            return ", ".join(words.module.FIELD_LABELS[v] for v in value)
    return words.value(value)


@functools.cache
def _choice_codes(label: str, name: str) -> dict[str, str]:
    """{English label: code} of a field's choices (read once per field)."""
    field = apps.get_model(label)._meta.get_field(name)
    with translation.override(ENGLISH):
        return {str(text): code for code, text in field.flatchoices}


def _version_name(words: _Words, value: str) -> str:
    """ "Boutique client form, version 1" in the document's language."""
    title, _sep, number = value.rpartition(", version ")
    if title and number.isdigit():
        return words.t["form_title_version"].format(
            title=words.form(title), number=number
        )
    return value


def _field_name(label: str, field: str, fallback: str) -> str:
    try:
        return str(apps.get_model(label)._meta.get_field(field).verbose_name)
    except (LookupError, FieldDoesNotExist):
        return fallback


def _tables(section: dict, words: _Words, listed: dict) -> list[dict]:
    """A category's records as one table per model, one row per record."""
    tables: dict[str, dict] = {}
    for record in section["records"]:
        model = record["model"]
        if model in listed:
            table = tables.setdefault(
                model,
                {
                    "name": _model_name(model, record["model_name"]),
                    "listed": True,
                    "count": 0,
                },
            )
            table["count"] += 1
            continue
        table = tables.setdefault(
            model,
            {
                "name": _model_name(model, record["model_name"]),
                "columns": {},
                "rows": [],
            },
        )
        for name, f in record["fields"].items():
            table["columns"].setdefault(name, _field_name(model, name, f["label"]))
        table["rows"].append(record)
    out = []
    for model, table in tables.items():
        if table.get("listed"):
            table["sentence"] = words.t["report_listed_below"].format(
                count=table["count"]
            )
            out.append(table)
            continue
        names = list(table["columns"])
        out.append(
            {
                "name": table["name"],
                "columns": [table["columns"][n] for n in names],
                "rows": [
                    [
                        _field_value(words, model, n, r["fields"][n]["value"])
                        if n in r["fields"]
                        else ""
                        for n in names
                    ]
                    for r in table["rows"]
                ],
            }
        )
    return out


def _section(section: dict, words: _Words, listed: dict) -> dict:
    module = words.module
    return {
        "name": module.CATEGORIES.get(section["category"], section["category"]),
        "purposes": [words.purpose(p["code"]) for p in section["purposes"]],
        "legal_bases": sorted({words.label(b) for b in section["legal_bases"]}),
        "recipients": [module.RECIPIENTS.get(r, r) for r in section["recipients"]],
        "retention": [
            f"{words.purpose(p['code'])}{words.colon}"
            f"{words.purpose_field(p['code'], 'retention', p['retention'])}"
            for p in section["purposes"]
        ],
        "sources": [module.SOURCES.get(s, s) for s in section["sources"]],
        "tables": _tables(section, words, listed),
    }


def _form_line(form: str) -> tuple[str, str]:
    """'Boutique client form v1' -> ('Boutique client form', '1')."""
    title, _, number = form.rpartition(" v")
    return (title, number) if number.isdigit() else (form, "")


def render_html(
    document: dict,
    *,
    language: DocumentLanguage | None = None,
    time_zone: str | None = None,
    listed: dict | None = None,
) -> str:
    language = language or document_language(ENGLISH)
    words = _Words(language, time_zone or settings.TIME_ZONE)
    with translation.override(language.code):
        return render_to_string(
            "privacy/requests/report.html", _context(document, words, listed or {})
        )


def _context(document: dict, words: _Words, listed: dict) -> dict:
    language = words.language
    t = words.t
    origin = document["origin"]
    consents = []
    for d in document["consent_history"]:
        title, number = _form_line(d["form"]) if d["form"] else ("", "")
        consents.append(
            {
                "when": words.value(d["decided_at"]),
                "purpose": words.purpose(d["purpose"]),
                "decision": words.label(d["decision"]),
                "channel": words.label(d["channel"]),
                "form": (
                    t["form_title_version"].format(
                        title=words.form(title), number=number
                    )
                    if title
                    else ""
                ),
                "wording": d["wording"],
            }
        )
    return {
        "lang": language,
        "t": t,
        "house": settings.HOUSE_NAME,
        "erased": document["erased"],
        "intro": t["report_intro"].format(
            number=document["client_number"], date=words.day(document["generated_at"])
        ),
        "times": t["report_times"].format(time_zone=words.time_zone),
        "origin": t["report_origin"].format(
            source=words.label(origin["record_created_from"]),
            date=words.day(origin["record_created_at"]),
        ),
        "forms": [
            t["report_origin_form"].format(
                form=words.form(f["form"]),
                version=f["version"],
                date=words.value(f["signed_on"]),
            )
            for f in origin["forms"]
        ],
        "sections": [_section(s, words, listed) for s in document["categories"]],
        "consents": consents,
        "contacts": [
            {
                "when": words.value(e["occurred_at"]),
                "channel": words.label(e["channel"]),
                "direction": words.label(e["direction"]),
                "subject": e["subject"],
                "summary": e["summary"],
                "staff": e["staff"],
            }
            for e in document["contact_history"]
        ],
        "profiling": [
            {
                "purpose": words.purpose(p["purpose"]),
                "basis": words.label(p["legal_basis"]),
                "applies": t["yes"] if p["applies_to_you"] else t["no"],
                "how": words.purpose_field(
                    _PURPOSE_CODES.get(p["purpose"], ""),
                    "description",
                    p["description"],
                )
                + " "
                + t["report_profiling_logic"],
            }
            for p in document["profiling"]
        ],
        "kept": [
            {
                "record": _model_name(k["model"], k["model"]),
                "field": _field_name(k["model"], k["field"], k["field"]),
                "obligation": gettext(k["obligation"]) if k["obligation"] else "",
            }
            for k in document["kept_on_erasure"]
        ],
        "not_included": [
            t["report_not_included_access_log"] if n == ACCESS_LOG_SENTENCE else n
            for n in document["not_included"]
        ],
    }
