"""Client documents in the client's language (decision 0030).

languages.py decides the language of a document (and the fallback
sentence); en.py, fr.py hold every text of the documents in one language;
texts(code) returns them. The consent wordings themselves are versioned
per language in consents.registry (PurposeWording.language).
"""

from importlib import import_module
from types import ModuleType

from consents.documents.languages import COMPLETE


def texts(code: str) -> ModuleType:
    """The texts module of a complete language (consents.documents.<code>)."""
    if code not in COMPLETE:
        raise LookupError(f"No client-document texts in {code!r}.")
    return import_module(f"consents.documents.{code}")
