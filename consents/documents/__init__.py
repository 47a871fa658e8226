"""Client documents in the client's language (decision 0030).

languages.py decides the language of a document (and the fallback
sentence); en.py, fr.py hold every text of the documents in one language;
texts(code) returns them. The consent wordings themselves are versioned
per language in consents.registry (PurposeWording.language).
"""

from importlib import import_module
from types import ModuleType

from django.utils.translation import get_language

from consents.documents.languages import COMPLETE, ENGLISH


def texts(code: str) -> ModuleType:
    """The texts module of a complete language (consents.documents.<code>)."""
    if code not in COMPLETE:
        raise LookupError(f"No client-document texts in {code!r}.")
    return import_module(f"consents.documents.{code}")


def purpose_name(code: str, fallback: str, language: str | None = None) -> str:
    """A purpose's name in `language` (default: the active language).

    The names per language live in consents/documents/<code>.py, the one
    source for client documents and staff screens alike (decision 0037).
    A language that is not COMPLETE reads English; a purpose the registry
    does not know keeps its stored name (`fallback`).
    """
    return purpose_text(code, "name", fallback, language)


def purpose_text(
    code: str, key: str, fallback: str, language: str | None = None
) -> str:
    """One text of a purpose ("name", "description", "retention") in
    `language`, as purpose_name."""
    code_of_language = (language or get_language() or ENGLISH).split("-")[0]
    if code_of_language not in COMPLETE:
        code_of_language = ENGLISH
    return texts(code_of_language).PURPOSES.get(code, {}).get(key, fallback)
