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

from django.utils.translation import gettext_noop


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
    Category.NOT_PERSONAL,
    Erasure.KEEP,
    Source.SYSTEM,
    obligation=gettext_noop("not personal data"),
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
    follows the free-text rule (core.free_text).
    """

    subject: Subject
    client_path: str | None
    fields: dict[str, F] = field(default_factory=dict)
    description: str = ""
    codes: dict[str, str] = field(default_factory=dict)


# --- Files ---------------------------------------------------------------------


class FileErasure(StrEnum):
    DELETE = "delete"  # the files naming the client are deleted
    REWRITE = "rewrite"  # the files are rewritten without the client's rows
    KEEP = "keep"  # kept under a named legal obligation


@dataclass(frozen=True)
class StoredFiles:
    """A place where the app stores files that may name a client.

    Registered in the owning app's `datamap.py` (FILE_LOCATIONS, keyed by a
    short code), beside the models: erasure and retention call `erase` for
    the clients they remove, the register and the residue test read the
    rest, and a system check refuses a function that writes files without
    being one of a location's `writers`. Functions are dotted paths, so a
    datamap.py imports nothing of its app.

    `erase(*, client_ids, identifiers)` returns how many files it deleted
    or rewrote; `identifiers()` gives the strings that betray the clients
    (names, emails, phones), computed only when a location needs them.
    """

    name: str  # what staff call it ("subject-access report zips")
    folder: str  # where, in words ("PRIVATE_STORAGE_ROOT/subject-access/")
    root: str  # dotted path of a function returning the folder (a Path)
    erasure: FileErasure
    erase: str = ""  # dotted path; required unless KEEP
    writers: tuple[str, ...] = ()  # dotted paths of the functions writing here
    found_by: str = ""  # how a client's files are found, in words
    held_with: Category | None = None  # a legal hold on it keeps the files
    obligation: str = ""  # required for KEEP
    model_fields: tuple[str, ...] = ()  # "app.Model.field" FileFields stored here

    def __post_init__(self):
        if self.erasure is FileErasure.KEEP and not self.obligation:
            raise ValueError("Files kept on erasure must name their obligation.")
        if self.erasure is not FileErasure.KEEP and not self.erase:
            raise ValueError("Files deleted or rewritten on erasure need `erase`.")


# --- Health data in staff pages ------------------------------------------------

HEALTH_PERMISSION = "clienteling.view_metalallergy"


def sees_health_data(user) -> bool:
    """Whether the user may see health data (GDPR Art. 9); None is the
    system. The one test every page, panel and service applies."""
    return user is None or user.has_perm(HEALTH_PERMISSION)


def health_field_names(model) -> frozenset[str]:
    """The fields the data map classes as health, for a model or its
    history model. The app's datamap.py is found by name, the way
    core.data_map finds it, so core imports none of the apps."""
    from importlib import import_module
    from importlib.util import find_spec

    model = getattr(model, "instance_type", model)  # history -> base model
    app_label = model._meta.app_label
    if not find_spec(f"{app_label}.datamap"):
        return frozenset()
    entry = import_module(f"{app_label}.datamap").DATAMAP.get(model._meta.label)
    if entry is None:
        return frozenset()
    return frozenset(
        name for name, f in entry.fields.items() if f.category is Category.HEALTH
    )
