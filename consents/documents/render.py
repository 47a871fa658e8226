"""The paper consent form and the printed privacy notice, in a language.

Both are blank documents (no client data): the language is the client's
(consents.documents.languages.document_language) or one staff chose.
Every text comes from consents.documents.<code>; the rendering runs under
translation.override(code) so that dates follow the document's language,
not the staff member's.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from consents import registry
from consents.documents import purpose_name, texts
from consents.documents.languages import ENGLISH, FRENCH, DocumentLanguage
from consents.models import FormTemplateVersion


def long_date(value: date | datetime, language: str, time_zone: str) -> str:
    """ "6 December 2026" / "6 décembre 2026": a date as a person reads it.

    A datetime is first turned into the day it was in `time_zone` (a form
    signed at 00:30 in Paris on 6 December reads 6 December).
    """
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, ZoneInfo("UTC"))
        value = value.astimezone(ZoneInfo(time_zone)).date()
    with translation.override(language):
        text = date_format(value, "j F Y")
    if language == FRENCH and value.day == 1:
        text = "1er" + text[1:]  # le 1er décembre
    return text


def long_datetime(value: datetime, language: str, time_zone: str) -> str:
    """ "6 December 2026, 14:05" in `time_zone`."""
    local = value.astimezone(ZoneInfo(time_zone))
    return f"{long_date(local.date(), language, time_zone)}, {local:%H:%M}"


def _house() -> str:
    return settings.HOUSE_NAME


class _Keep(dict):
    """Fills {house}; leaves the placeholders a document fills itself."""

    def __missing__(self, key):
        return "{" + key + "}"


def document_texts(language: DocumentLanguage) -> dict:
    """The TEXTS of the document's language, {house} filled."""
    values = _Keep(house=_house())
    return {
        key: text.format_map(values) for key, text in texts(language.code).TEXTS.items()
    }


def paper_form_context(
    version: FormTemplateVersion, language: DocumentLanguage
) -> dict:
    module = texts(language.code)
    t = document_texts(language)
    fields = version.fields.prefetch_related("mandatory_for")
    wordings = version.wordings.filter(language=language.code).select_related("purpose")
    if not wordings.exists():
        # A version published before its translation: the English stands.
        wordings = version.wordings.filter(language=ENGLISH).select_related("purpose")
    title = module.FORM_TITLES.get(version.template.code, version.template.title)
    services = list(version.services.order_by("display_order"))
    number = {p.pk: index for index, p in enumerate(services, start=1)}
    return {
        "lang": language,
        "t": t,
        "house_name": _house(),
        "version": version,
        "title": t["form_title_version"].format(title=title, number=version.number),
        "services": [
            (number[p.pk], purpose_name(p.code, p.name, language.code))
            for p in services
        ],
        # each compulsory field names the numbers of the services needing it
        "fields": [
            (
                module.FIELD_LABELS.get(f.key, f.label),
                sorted(
                    str(number[p.pk]) for p in f.mandatory_for.all() if p.pk in number
                ),
            )
            for f in fields
        ],
        "wordings": [
            (purpose_name(w.purpose.code, w.purpose.name, language.code), w.text)
            for w in wordings
        ],
    }


def render_paper_form(
    version: FormTemplateVersion, language: DocumentLanguage, *, for_pdf: bool
) -> str:
    with translation.override(language.code):
        return render_to_string(
            "consents/print_form.html",
            {**paper_form_context(version, language), "for_pdf": for_pdf},
        )


def notice_context(language: DocumentLanguage, *, today: date | None = None) -> dict:
    module = texts(language.code)
    t = document_texts(language)
    today = today or timezone.localdate()
    separator = "\u00a0; " if language.code == FRENCH else "; "
    purposes = []
    for spec in registry.PURPOSES:
        own = module.PURPOSES.get(spec.code, {})
        purposes.append(
            {
                "name": own.get("name", spec.name),
                "description": own.get("description", spec.description),
                "basis": module.LABELS.get(
                    _BASIS_LABELS[spec.legal_basis], spec.legal_basis
                ),
                "retention": own.get("retention", spec.retention),
                "recipients": separator.join(
                    module.RECIPIENTS.get(r, r) for r in spec.recipients
                ),
            }
        )
    return {
        "lang": language,
        "t": t,
        "house_name": _house(),
        "purposes": purposes,
        "data_items": [
            t["notice_data_identity"],
            t["notice_data_contact"],
            t["notice_data_technical"],
            t["notice_data_service"],
        ],
        "printed_on": t["notice_printed_on"].format(
            date=long_date(today, language.code, settings.TIME_ZONE)
        ),
    }


_BASIS_LABELS = {
    registry.CONSENT: "Consent",
    registry.CONTRACT: "Contract",
    registry.LEGITIMATE_INTEREST: "Legitimate interest",
    registry.LEGAL_OBLIGATION: "Legal obligation",
}


def render_notice(language: DocumentLanguage, *, for_pdf: bool) -> str:
    with translation.override(language.code):
        return render_to_string(
            "consents/notice.html", {**notice_context(language), "for_pdf": for_pdf}
        )


def pdf(html: str, stylesheet: str) -> bytes:
    """A document's PDF (WeasyPrint), with its stylesheet from static/."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    return HTML(string=html).write_pdf(
        stylesheets=[CSS(filename=finders.find(stylesheet))]
    )
