"""Spot health words in staff free text, to point staff to the allergy record.

A contact summary such as "allergic to nickel" or "eczema on the wrist" is
health data (GDPR Art. 9) written where no consent gate, no encryption and
no view permission protects it. It is not refused (the adviser may need the
context, and a refusal teaches people to misspell): the page says the
summary seems to mention health and links to the client's allergy record,
where the consent gate applies (decision 0012).

The flag is computed from the text whenever it is shown and never stored,
and messages never repeat the words found, so no health data is copied
anywhere new (the flash message lives in the session).
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

# Word stems in the house's languages (en, fr, de, it, es), accents folded:
# allergy, eczema, dermatitis, hives, itching, irritated or sensitive skin,
# intolerance. Each matches at the start of a word.
_STEMS = (
    r"allerg",
    r"alerg",
    r"anaphyla",
    r"eczema",
    r"ekzem",
    r"eccema",
    r"dermatit",
    r"dermatos",
    r"urticari",
    r"urtikari",
    r"urticaire",
    r"hives\b",
    r"nesselsucht",
    r"rash(?:es)?\b",
    r"itch",
    r"demangeaison",
    r"juckreiz",
    r"prurit",
    r"irritation",
    r"hypersensitiv",
    r"intoleran",
    r"unvertraglich",
    r"sensitive skin",
    r"peau sensible",
    r"empfindliche haut",
    r"pelle sensibile",
    r"piel sensible",
    r"contact (?:allergy|dermatitis)",
)
_HEALTH_WORD = re.compile(r"\b(?:" + "|".join(_STEMS) + ")", re.IGNORECASE)

HEALTH_MENTION_MESSAGE = _(
    "This summary seems to mention the client's health (an allergy or a skin "
    "condition). Health data may only be kept in the client's allergy "
    "record, under their explicit consent, and seen by staff allowed to: "
    "record it there if the client agrees, and keep it out of the summary."
)
HEALTH_MENTION_NO_ACCESS_MESSAGE = _(
    "This summary seems to mention the client's health (an allergy or a skin "
    "condition). Health data may only be kept in the client's allergy "
    "record, under their explicit consent: ask the client's adviser to record "
    "it there, and keep it out of the summary."
)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def mentions_health(text: str | None) -> bool:
    """True if the text seems to mention a health matter."""
    if not text:
        return False
    return bool(_HEALTH_WORD.search(_folded(text)))
