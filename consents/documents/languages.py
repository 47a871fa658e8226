"""Which language a client document is written in, and how a fallback says so.

A client document (the paper consent form, the printed privacy notice, the
subject-access report) is written in the client's preferred language when
that language is COMPLETE: every text of consents/documents/<code>.py and a
consent wording for every purpose of every form version in
consents/registry.py. Any other language falls back to English, and the
document says so, in the client's language where we have the sentence (and
the printed font draws its script), always in English too, and in French
when the client's own sentence is missing.

The language is independent of the staff member's: the renderers wrap the
document in django.utils.translation.override(language.code), so dates and
numbers follow the document, never the person who prints it.

To add a language: decision 0030 and consents/README.md.
"""

from dataclasses import dataclass, field

from django.conf import settings

ENGLISH = "en"
FRENCH = "fr"
# Languages every client document is complete in (tests/consents/
# test_document_languages.py checks each one against English).
COMPLETE = (ENGLISH, FRENCH)

# Every language a client may prefer, named in itself (what a staff member
# chooses from to print in another language) ...
NATIVE_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "it": "Italiano",
    "es": "Español",
    "zh": "中文",
    "ja": "日本語",
    "ko": "한국어",
    "ar": "العربية",
    "ru": "Русский",
}
# ... and in English and French, for the fallback sentences.
ENGLISH_NAMES = {
    "en": "English",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "es": "Spanish",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "ar": "Arabic",
    "ru": "Russian",
}
FRENCH_NAMES = {
    "en": "anglais",
    "fr": "français",
    "de": "allemand",
    "it": "italien",
    "es": "espagnol",
    "zh": "chinois",
    "ja": "japonais",
    "ko": "coréen",
    "ar": "arabe",
    "ru": "russe",
}

ENGLISH_FALLBACK = (
    "This document is not yet available in {name}; it is given in English."
)
FRENCH_FALLBACK = (
    "Ce document n’est pas encore disponible en {name}\u00a0; il vous est remis "
    "en anglais."
)
# The fallback sentence in the client's own language, for the demo
# languages whose script the documents' font (DejaVu) draws. Chinese,
# Japanese and Korean get English and French instead: a sentence drawn as
# empty boxes would say nothing.
OWN_FALLBACK = {
    "de": "Dieses Dokument ist noch nicht auf Deutsch verfügbar; es wird Ihnen "
    "auf Englisch ausgehändigt.",
    "it": "Questo documento non è ancora disponibile in italiano; le viene "
    "consegnato in inglese.",
    "es": "Este documento aún no está disponible en español; se le entrega en inglés.",
    "ru": "Этот документ пока недоступен на русском языке; он предоставляется "
    "на английском.",
    "ar": "هذه الوثيقة غير متوفرة بعد باللغة العربية؛ وهي مقدمة باللغة الإنجليزية.",
}
RIGHT_TO_LEFT = frozenset({"ar"})


@dataclass(frozen=True)
class FallbackLine:
    language: str
    text: str

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RIGHT_TO_LEFT else "ltr"


@dataclass(frozen=True)
class DocumentLanguage:
    """The language a document is written in, and the one that was asked."""

    code: str
    requested: str
    fallback: tuple[FallbackLine, ...] = field(default=())

    @property
    def is_fallback(self) -> bool:
        return bool(self.fallback)


def _base(code: str | None) -> str:
    return (code or "").strip().lower().replace("_", "-").split("-")[0]


def document_language(requested: str | None) -> DocumentLanguage:
    """The document language for a client who prefers `requested`."""
    wanted = _base(requested) or ENGLISH
    if wanted in COMPLETE:
        return DocumentLanguage(code=wanted, requested=wanted)
    lines = []
    own = OWN_FALLBACK.get(wanted)
    if own:
        lines.append(FallbackLine(wanted, own))
    lines.append(
        FallbackLine(
            ENGLISH, ENGLISH_FALLBACK.format(name=ENGLISH_NAMES.get(wanted, wanted))
        )
    )
    if not own:
        lines.append(
            FallbackLine(
                FRENCH, FRENCH_FALLBACK.format(name=FRENCH_NAMES.get(wanted, wanted))
            )
        )
    return DocumentLanguage(code=ENGLISH, requested=wanted, fallback=tuple(lines))


def language_choices() -> list[tuple[str, str]]:
    """(code, name in itself) of every language a document can be asked in."""
    return list(NATIVE_NAMES.items())


def time_zone_name(boutique) -> str:
    """The time zone a document's dates are given in: the boutique's.

    Boutique.time_zone comes with the staff-interface work (issue 21 part
    A); until a boutique has one, the house's own time zone.
    """
    return getattr(boutique, "time_zone", "") or settings.TIME_ZONE
