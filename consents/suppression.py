"""Keyed hashes for the suppression list.

HMAC-SHA256 with SUPPRESSION_HASH_KEY, over a normalised value: a plain
hash of an email is reversible by guessing; a keyed one is not without the
key. The same normalisation runs when adding and when checking, so
"Anna@Example.com " and "anna@example.com" are one entry.
"""

import hashlib
import hmac

from django.conf import settings

# The one definition lives below consents, so the contact rows can keep
# their digest (decision 0086); re-exported here for consents' callers.
from clienteling.digests import (  # noqa: F401
    _E164,
    email_digest,
    keyed_digest,
    normalise_email,
    phone_digest,
)
from clienteling.phones import normalise_phone


def digests(kind_values: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """(kind, digest) for ("email" | "phone", stored value) pairs; values
    that normalise to nothing are left out. In bulk (erasure): the key is
    read once and the values hashed without an object each."""
    key = settings.SUPPRESSION_HASH_KEY.encode()
    found = set()
    for kind, raw in kind_values:
        if kind == "email":
            value = normalise_email(raw)
        else:
            text = str(raw or "").strip()
            value = text if _E164.fullmatch(text) else normalise_phone(text)
        if value:
            found.add((kind, hmac.digest(key, value.encode(), hashlib.sha256).hex()))
    return found
