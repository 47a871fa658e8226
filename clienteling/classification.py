"""The data map's vocabulary, shared by every app's datamap.py.

Each app classifies every field of every one of its models in its
`datamap.py` (a module-level DATAMAP), the way admin.py registers with the
admin; `privacy.datamap` collects them, a system check refuses any field
left out, and subject-access reports, erasure, retention and the register
of processing are computed from it. This module lives at the bottom of the
dependency chain so every app can import it.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    PAYMENT = "payment"
    TECHNICAL = "technical"
    PREFERENCES = "preferences"
    HEALTH = "health"
    CEREMONY = "ceremony"
    CONTACT_HISTORY = "contact history"
    WEB_ACTIVITY = "web activity"
    PURCHASES = "purchases"
    STAFF_NOTES = "staff notes"
    NOT_PERSONAL = "not personal"


class Erasure(StrEnum):
    ERASE = "erase"  # the value is removed (row deleted or field blanked)
    ANONYMISE = "anonymise"  # replaced by a value that identifies no one
    KEEP = "keep"  # kept under a named legal obligation


class Source(StrEnum):
    CLIENT = "the client (form, website, in person)"
    STAFF = "staff entry"
    WEBSITE = "collected by the website"
    SYSTEM = "computed by Écrin"
    IMPORT = "import"
    GROUP = "the parent group (generalised insights)"


class Subject(StrEnum):
    CLIENT = "client"
    STAFF = "staff"
    NONE = "none"


@dataclass(frozen=True)
class F:
    """How one field is classified."""

    category: Category
    erasure: Erasure = Erasure.ERASE
    source: Source = Source.STAFF
    identifies: bool = False
    obligation: str = ""  # the legal obligation, required for KEEP

    def __post_init__(self):
        if self.erasure is Erasure.KEEP and not self.obligation:
            raise ValueError("A field kept on erasure must name its obligation.")


# Shorthands for the fields every model has.
NOT_PERSONAL = F(
    Category.NOT_PERSONAL, Erasure.KEEP, Source.SYSTEM, obligation="not personal data"
)
KEY = NOT_PERSONAL  # primary and foreign keys carry no data of their own


@dataclass(frozen=True)
class ModelMap:
    """A model's place in the data map.

    `subject` is whose data the rows are; `client_path` the lookup from the
    model to the client ("" for Client itself, None when not about one
    client). `fields` classifies every concrete and many-to-many field.
    `codes` names the text fields that are not free text, each with why
    (generated numbers, digests, file names, keys copied verbatim): every
    other text field without choices or a checked format is free text and
    follows the free-text rule (clienteling.free_text).
    """

    subject: Subject
    client_path: str | None
    fields: dict[str, F] = field(default_factory=dict)
    description: str = ""
    codes: dict[str, str] = field(default_factory=dict)
