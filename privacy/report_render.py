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

The person's view (decision 0053): page 1 a summary (what is held, why,
for how long, who received it, transfers, how to exercise each right and
whom to write to), then sections a person recognises (SECTIONS: about
you, purchases with one order in one place, preferences and sizes,
contacts, consents, websites, the group, who consulted the record). No
internal id, model label, field name, MIME type or digest; every table
bounded to the latest PDF_ROWS rows (the CSV and JSON files are
complete), so the PDF's layout time does not grow with history.
"""

import base64
import functools
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import FieldDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consents import registry
from consents.documents import texts
from consents.documents.languages import ENGLISH, DocumentLanguage, document_language
from consents.documents.render import long_date, long_datetime
from core.money import money
from privacy import processors

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

_PURPOSE_CODES = {p.name: p.code for p in registry.PURPOSES}
_FORM_CODES = {spec.title: spec.template for spec in registry.FORM_VERSIONS}


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


# Rows per table in the person's view (HTML and PDF): the latest ones, with
# a sentence pointing to the CSV files that hold them all (decision 0053).
PDF_ROWS = 25
PDF_ORDERS = 20
# Order lines across the orders shown: a client with 20 lines an order sees
# the latest orders up to this many lines (issue 18: the PDF's render time
# no longer grows with the size of orders either).
PDF_ORDER_LINES = PDF_ROWS
# A document built for the person's view only (privacy.reports.write_report,
# decision 0108) holds the latest rows of its tables and of the contact
# history, and their counts under this key; the counts of a whole document
# are its lists' lengths.
VIEW_COUNTS = "view_counts"
# ... and under VIEW_COUNTS[ORDER_LINES] the number of lines of each order
# it shows (it holds only their latest PDF_ROWS), and on an after-sales
# case the order of its guarantee (CASE_ORDER, a link the view adds: the
# guarantee itself may not be held).
ORDER_LINES = "order_lines"
CASE_ORDER = "order_of_its_guarantee"

# The person's sections, in order: (key, title, model labels). A client
# model of the data map in none of them goes to "Other records" (a new
# model is never left out).
SECTIONS = (
    (
        "about",
        _("About you"),
        (
            "clienteling.Client",
            "clienteling.ClientEmail",
            "clienteling.ClientPhone",
            "clienteling.ClientAddress",
            "clienteling.SocialIdentifier",
        ),
    ),
    (
        "purchases",
        _("Your purchases and guarantees"),
        (
            "orders.Order",
            "orders.OrderLine",
            "orders.Payment",
            "orders.Invoice",
            "orders.InvoiceLine",
            "orders.Guarantee",
            "orders.AfterSalesCase",
            "orders.Complaint",
            "consents.SoftOptIn",
        ),
    ),
    (
        "preferences",
        _("Your preferences and sizes"),
        (
            "clienteling.RingSize",
            "clienteling.ImportantDate",
            "clienteling.Interest",
            "clienteling.ContactPreference",
            "clienteling.MetalAllergy",
        ),
    ),
    (
        "contacts",
        _("Your contacts with the house"),
        (
            "clienteling.ContactEvent",
            "clienteling.Appointment",
            "clienteling.Invitation",
            "clienteling.FollowUp",
            "privacy.DataSubjectRequest",
            "privacy.RequestLetter",
            "privacy.RequestEdit",
            "privacy.SubjectAccessReport",
            "privacy.ErasureJob",
        ),
    ),
    (
        "consents",
        _("Your consents"),
        (
            "consents.ConsentDecision",
            "consents.PaperFormSubmission",
            "consents.ParentalConsent",
            "consents.Restriction",
        ),
    ),
    (
        "web",
        _("Your activity on our websites"),
        (
            "clienteling.WebAccount",
            "clienteling.IpAddressSeen",
            "clienteling.WebEvent",
            "clienteling.SelectionItem",
        ),
    ),
    (
        "group",
        _("What the group and our partners receive"),
        (
            "privacy.Disclosure",
            "privacy.OrganiserDisclosure",
            "privacy.RecipientNotice",
            "privacy.GroupInsight",
        ),
    ),
)
OTHER_SECTION = _("Other records we hold")
YOUR_DETAILS = _("Your details")

# Who consulted the record, by role (privacy.reports.ROLE_PURPOSES): the
# JSON holds the English role name, the page its translation.
ROLE_WORDS = {
    "Boutique adviser": _("Boutique adviser"),
    "Boutique manager": _("Boutique manager"),
    "Customer-service agent": _("Customer-service agent"),
    "Compliance officer": _("Compliance officer"),
    "Other staff": _("Other staff"),
}

# Fields a person cannot read and that only prove integrity or number
# internally: in the CSV and JSON files, not on the pages.
HIDDEN = {
    "consents.PaperFormSubmission": {
        "scan_name",
        "scan_content_type",
        "scan_sha256",
        "scan_size",
    },
    "consents.ParentalConsent": {
        "evidence_name",
        "evidence_content_type",
        "evidence_sha256",
        "evidence_size",
    },
    # The keyed hash that finds an address on the suppression list.
    "clienteling.ClientEmail": {"digest"},
    "clienteling.ClientPhone": {"digest"},
    # The stored copy of a phone call's or email's consent: its file.
    "consents.ConsentConversation": {
        "copy_name",
        "copy_content_type",
        "copy_sha256",
        "copy_size",
    },
    "clienteling.FollowUp": {"source_key"},
    "consents.ConsentDecision": {"user_agent"},
    "orders.Invoice": {"year", "sequence"},
    # The person reads who was told, why, how and when; the pseudonym the
    # recipient knows them by, the key and the folder are in the files.
    "privacy.RecipientNotice": {
        "client_ref",
        "key_id",
        "reference",
        "folder",
        "attempts",
        "detail",
        "queued_by",
    },
}

# The rights, each with how to exercise it (GDPR Arts. 15 to 22, 7(3)).
RIGHTS = (
    (
        _("Access (Art. 15)"),
        _("This report. Ask again at any time; a copy is free."),
    ),
    (
        _("Rectification (Art. 16)"),
        _("Tell us what is wrong: we correct it and tell you when it is done."),
    ),
    (
        _("Erasure (Art. 17)"),
        _(
            "Ask us to erase your data: we erase it unless the law obliges us "
            "to keep part of it (invoices, proof of your consents), and say so."
        ),
    ),
    (
        _("Restriction (Art. 18)"),
        _("Ask us to freeze your data while a question about it is settled."),
    ),
    (
        _("Portability (Art. 20)"),
        _("Ask for the data you gave us as a file a computer can read."),
    ),
    (
        _("Objection (Art. 21)"),
        _(
            "Object to processing based on our legitimate interest, and to "
            "marketing at any time without giving a reason."
        ),
    ),
    (
        _("Withdrawing a consent (Art. 7(3))"),
        _("In a boutique, by email or by post: it stops the processing from then on."),
    ),
)


def _model_name(label: str, fallback: str) -> str:
    try:
        model = apps.get_model(label)
    except LookupError:
        return fallback
    return str(model._meta.verbose_name_plural)


def _field_name(label: str, field: str, fallback: str) -> str:
    try:
        return str(apps.get_model(label)._meta.get_field(field).verbose_name)
    except (LookupError, FieldDoesNotExist):
        return fallback


def _field_order(label: str) -> dict[str, int]:
    try:
        model = apps.get_model(label)
    except LookupError:
        return {}
    return {f.name: i for i, f in enumerate(model._meta.get_fields())}


def _records_by_model(document: dict) -> dict[str, dict]:
    """Every record once, its fields from every category merged, by model
    label then id, in id order."""
    out: dict[str, dict] = defaultdict(dict)
    for section in document["categories"]:
        for record in section["records"]:
            merged = out[record["model"]].setdefault(
                record["id"],
                {
                    "id": record["id"],
                    "fields": {},
                    "links": record.get("links", {}),
                },
            )
            merged["fields"].update(record["fields"])
    return {
        label: dict(sorted(rows.items(), key=lambda item: str(item[0]).zfill(20)))
        for label, rows in out.items()
    }


def _more(words: "_Words", shown: int, total: int) -> str:
    if total <= shown:
        return ""
    return gettext(
        "The latest %(shown)s of %(total)s are shown here; the complete list "
        "is in the CSV files that come with this report."
    ) % {"shown": shown, "total": total}


def _columns(label: str, rows: list[dict]) -> list[str]:
    hidden = HIDDEN.get(label, set())
    order = _field_order(label)
    names = {n for r in rows for n in r["fields"] if n not in hidden}
    return sorted(names, key=lambda n: order.get(n, 999))


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


def _display(label: str, name: str, value, words: "_Words") -> str:
    """A value as the person reads it; the paper form's lists of codes
    (services asked for, fields filled in) by their names."""
    if label == "clienteling.Client" and name == "lifetime_value" and value:
        try:
            return money(Decimal(str(value)), "EUR")
        except InvalidOperation:
            return str(value)
    if label == "consents.PaperFormSubmission" and isinstance(value, list):
        if name == "requested_services":
            return ", ".join(words.purpose(v) for v in value)
        if name == "fields_completed":
            return ", ".join(words.module.FIELD_LABELS.get(v, v) for v in value)
    return _field_value(words, label, name, value)


def _block(
    label: str, rows: dict, words: "_Words", total: int | None = None
) -> dict | None:
    """One model's records as a table (the latest PDF_ROWS), or as a list of
    "label: value" lines when there is a single record; `total` the model's
    count when `rows` holds only the latest (VIEW_COUNTS)."""
    if not rows:
        return None
    records = list(rows.values())
    total = len(records) if total is None else total
    names = _columns(label, records)
    if not names:
        return None
    labels = [
        _field_name(label, n, records[0]["fields"].get(n, {}).get("label", n))
        for n in names
    ]
    title = _model_name(label, label)
    if label == "clienteling.Client":
        title = str(YOUR_DETAILS)
    if total == 1:
        fields = records[0]["fields"]
        return {
            "name": title,
            "pairs": [
                (lab, _display(label, n, fields[n]["value"], words))
                for lab, n in zip(labels, names, strict=True)
                if n in fields and fields[n]["value"] not in (None, "", [])
            ],
        }
    latest = records[-PDF_ROWS:][::-1]
    return {
        "name": title,
        "columns": labels,
        "rows": [
            [
                _display(label, n, r["fields"][n]["value"], words)
                if n in r["fields"]
                else ""
                for n in names
            ]
            for r in latest
        ],
        "more": _more(words, len(latest), total),
    }


def _choice(words: _Words, label: str, record: dict | None, name: str) -> str:
    """A record's choice as the reader reads it (the JSON holds its English
    label)."""
    return _field_value(words, label, name, _value(record, name))


def _value(record: dict | None, name: str):
    if not record or name not in record["fields"]:
        return None
    return record["fields"][name]["value"]


_CURRENCY = re.compile(r"^[A-Z]{3}")


def _amount(record: dict, name: str, currency: str) -> str:
    """An amount with its currency ("€2,900.00"); the JSON holds the
    currency's label ("EUR: euro"), its code first."""
    raw = _value(record, name)
    if raw in (None, ""):
        return ""
    code = _CURRENCY.match(currency or "")
    try:
        return money(Decimal(str(raw)), code.group(0) if code else "EUR")
    except InvalidOperation:
        return str(raw)


def _orders(
    records: dict, products: dict, words: "_Words", counts: dict
) -> tuple[list, str]:
    """One block per order: its lines (with their guarantees), payments,
    invoices, after-sales cases and complaints; the latest PDF_ORDERS.
    `counts` (VIEW_COUNTS) when `records` holds only the orders shown."""
    orders = records.get("orders.Order", {})
    line_counts = counts.get(ORDER_LINES, {})
    by_order = defaultdict(lambda: defaultdict(list))
    for kind in ("orders.OrderLine", "orders.Payment", "orders.Invoice"):
        for row in records.get(kind, {}).values():
            by_order[row["links"].get("order")][kind].append(row)
    for row in records.get("orders.Complaint", {}).values():
        by_order[row["links"].get("order")]["orders.Complaint"].append(row)
    guarantees_of_line = defaultdict(list)
    for row in records.get("orders.Guarantee", {}).values():
        guarantees_of_line[row["links"].get("order_line")].append(row)
    line_order = {
        line["id"]: line["links"].get("order")
        for line in records.get("orders.OrderLine", {}).values()
    }
    guarantee_order = {
        g["id"]: line_order.get(g["links"].get("order_line"))
        for g in records.get("orders.Guarantee", {}).values()
    }
    for row in records.get("orders.AfterSalesCase", {}).values():
        order = guarantee_order.get(
            row["links"].get("guarantee"), row["links"].get(CASE_ORDER)
        )
        by_order[order]["orders.AfterSalesCase"].append(row)

    blocks = []
    latest = []
    budget = PDF_ORDER_LINES
    for order in list(orders.values())[-PDF_ORDERS:][::-1]:
        count = min(
            line_counts.get(
                order["id"],
                len(by_order.get(order["id"], {}).get("orders.OrderLine", [])),
            ),
            PDF_ROWS,
        )
        if latest and count > budget:
            break  # the PDF's size stays bounded by lines, not only orders
        latest.append(order)
        budget -= count
    for order in latest:
        parts = by_order.get(order["id"], {})
        currency = _value(order, "currency") or "EUR"
        lines = []
        all_lines = parts.get("orders.OrderLine", [])
        for line in all_lines[-PDF_ROWS:]:
            guarantee = (guarantees_of_line.get(line["id"]) or [None])[0]
            piece = products.get(str(line["links"].get("product")), "")
            lines.append(
                {
                    "piece": piece,
                    "quantity": words.value(_value(line, "quantity")),
                    "price": _amount(line, "unit_price", currency),
                    "serial": words.value(_value(line, "serial_number")),
                    "size": words.value(_value(line, "ring_size")),
                    "engraving": words.value(_value(line, "engraving")),
                    "guarantee": (
                        gettext("until %(date)s")
                        % {"date": words.value(_value(guarantee, "house_end"))}
                        if guarantee and _value(guarantee, "house_end")
                        else ""
                    ),
                }
            )
        payments = [
            " · ".join(
                v
                for v in (
                    words.value(_value(p, "received_at")),
                    _choice(words, "orders.Payment", p, "method"),
                    _amount(p, "amount", _value(p, "currency") or currency),
                    words.value(_value(p, "card_brand")),
                    (
                        gettext("card ending %(digits)s")
                        % {"digits": _value(p, "card_last4")}
                        if _value(p, "card_last4")
                        else ""
                    ),
                )
                if v
            )
            for p in parts.get("orders.Payment", [])
        ]
        invoices = [
            " · ".join(
                v
                for v in (
                    _choice(words, "orders.Invoice", i, "kind"),
                    words.value(_value(i, "number")),
                    words.value(_value(i, "reason")),
                )
                if v
            )
            for i in parts.get("orders.Invoice", [])
        ]
        cases = [
            " · ".join(
                v
                for v in (
                    words.value(_value(c, "received_at")),
                    words.value(_value(c, "kind") or _value(c, "category")),
                    words.value(_value(c, "status")),
                )
                if v
            )
            for c in parts.get("orders.AfterSalesCase", [])
            + parts.get("orders.Complaint", [])
        ]
        blocks.append(
            {
                "title": gettext("Order %(number)s")
                % {"number": words.value(_value(order, "number"))},
                "meta": " · ".join(
                    v
                    for v in (
                        _choice(words, "orders.Order", order, "channel"),
                        _choice(words, "orders.Order", order, "status"),
                        _amount(order, "total", currency),
                    )
                    if v
                ),
                "notes": words.value(_value(order, "notes")),
                "lines": lines,
                "lines_more": _more(
                    words, len(lines), line_counts.get(order["id"], len(all_lines))
                ),
                "payments": payments,
                "invoices": invoices,
                "cases": cases,
            }
        )
    return blocks, _more(words, len(latest), counts.get("orders.Order", len(orders)))


def _loose(records: dict, words: "_Words", counts: dict) -> list[dict]:
    """Purchase records not attached to an order (a complaint about no
    order, a soft opt-in): plain tables."""
    blocks = []
    loose = [
        r
        for r in records.get("orders.Complaint", {}).values()
        if not r["links"].get("order")
    ]
    if loose:
        blocks.append(_block("orders.Complaint", {r["id"]: r for r in loose}, words))
    blocks.append(
        _block(
            "consents.SoftOptIn",
            records.get("consents.SoftOptIn", {}),
            words,
            counts.get("consents.SoftOptIn"),
        )
    )
    return [b for b in blocks if b]


def _sections(document: dict, words: "_Words", consents: list) -> list[dict]:
    records = _records_by_model(document)
    counts = document.get(VIEW_COUNTS, {})
    placed = {label for _key, _title, labels in SECTIONS for label in labels}
    out = []
    for key, title, labels in SECTIONS:
        section = {"key": key, "title": str(title), "blocks": [], "orders": []}
        if key == "purchases":
            section["orders"], section["orders_more"] = _orders(
                records, document.get("products", {}), words, counts
            )
            section["blocks"] = _loose(records, words, counts)
        elif key == "contacts":
            contacts = document["contact_history"]
            latest = contacts[-PDF_ROWS:][::-1]
            section["contacts"] = [
                {
                    "when": words.value(e["occurred_at"]),
                    "channel": words.label(e["channel"]),
                    "direction": words.label(e["direction"]),
                    "subject": e["subject"],
                    "summary": e["summary"],
                    "staff": e["staff"],
                }
                for e in latest
            ]
            section["contacts_more"] = _more(
                words, len(latest), counts.get("contact_history", len(contacts))
            )
            section["blocks"] = [
                _block(label, records.get(label, {}), words, counts.get(label))
                for label in labels
                if label != "clienteling.ContactEvent"
            ]
        elif key == "consents":
            latest, numbers = [], {}
            # Each wording printed once under the table, numbered, and the
            # rows refer to it (decision 0099): the same text 25 times in
            # narrow cells was most of the heavy PDF's layout.
            for d in consents[-PDF_ROWS:][::-1]:
                number = numbers.setdefault(d["wording"], len(numbers) + 1)
                latest.append({**d, "wording_number": number if d["wording"] else 0})
            numbers.pop("", None)
            section["consents"] = latest
            section["wordings"] = [(n, text) for text, n in numbers.items()]
            section["consents_more"] = _more(words, len(latest), len(consents))
            section["blocks"] = [
                _block(label, records.get(label, {}), words, counts.get(label))
                for label in labels
                if label != "consents.ConsentDecision"
            ]
        else:
            section["blocks"] = [
                _block(label, records.get(label, {}), words, counts.get(label))
                for label in labels
            ]
        section["blocks"] = [b for b in section["blocks"] if b]
        out.append(section)
    others = [
        _block(label, rows, words, counts.get(label))
        for label, rows in records.items()
        if label not in placed
    ]
    others = [b for b in others if b]
    if others:
        out.append(
            {
                "key": "other",
                "title": str(OTHER_SECTION),
                "blocks": others,
                "orders": [],
            }
        )
    return out


def _held(document: dict, words_colon: str) -> list[dict]:
    """Page 1's "what we hold": per section, each kind of record counted."""
    counts = {label: m["count"] for label, m in document["models"].items()}
    out = []
    for _key, title, labels in SECTIONS:
        kinds = [
            f"{_model_name(label, label)}{words_colon}{counts[label]}"
            for label in labels
            if counts.get(label) and label != "clienteling.Client"
        ]
        if kinds:
            out.append({"title": str(title), "kinds": kinds})
    return out


def _purposes(document: dict, words: "_Words") -> list[dict]:
    seen = {}
    for section in document["categories"]:
        for p in section["purposes"]:
            seen.setdefault(p["code"], p)
    return [
        {
            "name": words.purpose(code),
            "basis": words.label(p["legal_basis"]),
            "retention": words.purpose_field(code, "retention", p["retention"]),
        }
        for code, p in seen.items()
    ]


def _recipients(document: dict, words: "_Words") -> list[str]:
    names = []
    for section in document["categories"]:
        for r in section["recipients"]:
            name = words.module.RECIPIENTS.get(r, r)
            if name not in names:
                names.append(name)
    return names


def _disclosed(document: dict, words: "_Words") -> list[str]:
    out = []
    for section in document["categories"]:
        for record in section["records"]:
            if record["model"] == "privacy.Disclosure":
                value = _value(record, "recipient")
            elif record["model"] == "privacy.OrganiserDisclosure":
                value = _value(record, "organiser")
            else:
                continue
            if value and value not in out:
                out.append(words.value(value))
    return out


def _consultations(document: dict, words: "_Words") -> tuple[list, str]:
    entries = document.get("consultations", [])
    latest = entries[-PDF_ROWS:][::-1]
    rows = [
        {
            "when": words.value(e["at"]),
            "role": str(ROLE_WORDS.get(e["role"], e["role"])),
            "action": gettext(e["action"]),
            "purpose": gettext(e["purpose"]),
        }
        for e in latest
    ]
    return rows, _more(words, len(latest), len(entries))


def _kept(document: dict) -> list[dict]:
    """What an erasure keeps, in one line per obligation."""
    by_obligation: dict[str, list[str]] = defaultdict(list)
    for k in document["kept_on_erasure"]:
        name = _model_name(k["model"], k["model"])
        obligation = gettext(k["obligation"]) if k["obligation"] else ""
        if name not in by_obligation[obligation]:
            by_obligation[obligation].append(name)
    return [
        {"obligation": obligation, "records": ", ".join(names)}
        for obligation, names in by_obligation.items()
    ]


def _logo() -> str:
    """The house's logo as a data URI: the HTML file in the zip and the PDF
    carry it with them."""
    path = finders.find(settings.HOUSE_LOGO)
    if not path:
        return ""
    with open(path, "rb") as file:
        data = base64.b64encode(file.read()).decode()
    kind = "svg+xml" if path.endswith(".svg") else "png"
    return f"data:image/{kind};base64,{data}"


def _form_line(form: str) -> tuple[str, str]:
    """'Boutique client form v1' -> ('Boutique client form', '1')."""
    title, _sep, number = form.rpartition(" v")
    return (title, number) if number.isdigit() else (form, "")


def render_html(
    document: dict,
    *,
    language: DocumentLanguage | None = None,
    time_zone: str | None = None,
) -> str:
    language = language or document_language(ENGLISH)
    words = _Words(language, time_zone or settings.TIME_ZONE)
    with translation.override(language.code):
        return render_to_string(
            "privacy/requests/report.html", _context(document, words)
        )


def _name(document: dict) -> str:
    for section in document["categories"]:
        for record in section["records"]:
            if record["model"] == "clienteling.Client":
                first = _value(record, "first_name") or ""
                last = _value(record, "last_name") or ""
                if first or last:
                    return f"{first} {last}".strip()
    return ""


def _context(document: dict, words: _Words) -> dict:
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
    consultations, consultations_more = _consultations(document, words)
    return {
        "lang": language,
        "t": t,
        "colon": words.colon,
        "house": settings.HOUSE_NAME,
        "logo": _logo(),
        "primary": settings.HOUSE_PRIMARY_COLOUR,
        "accent": settings.HOUSE_ACCENT_COLOUR,
        "person": _name(document),
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
        "held": _held(document, words.colon),
        "purposes": _purposes(document, words),
        "recipients": _recipients(document, words),
        "disclosed": _disclosed(document, words),
        "transfers": [
            {"country": line.country, "what": line.purpose, "safeguard": line.mechanism}
            for line in processors.register_transfers()
            if not line.missing
        ],
        "rights": [(str(r), str(how)) for r, how in RIGHTS],
        "privacy_email": settings.PRIVACY_CONTROLLER["email"],
        "privacy_address": settings.PRIVACY_POSTAL_ADDRESS,
        "dpo_email": settings.PRIVACY_DPO["email"],
        "sections": _sections(document, words, consents),
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
        "consultations": consultations,
        "consultations_more": consultations_more,
        "kept": _kept(document),
        "not_included": document["not_included"],
    }
