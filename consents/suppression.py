"""Keyed hashes for the suppression list.

HMAC-SHA256 with SUPPRESSION_HASH_KEY, over a normalised value: a plain
hash of an email is reversible by guessing; a keyed one is not without the
key. The same normalisation runs when adding and when checking, so
"Anna@Example.com " and "anna@example.com" are one entry.
"""

import hashlib
import hmac
import re

from django.conf import settings

from clienteling.phones import normalise_phone


def normalise_email(address: str) -> str:
    return (address or "").strip().lower()


def email_digest(address: str) -> str | None:
    value = normalise_email(address)
    return _digest(value) if value else None


# Stored numbers are already E.164 (validated when saved): hashing them
# needs no parsing, which is the costly part when erasing in bulk.
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def phone_digest(number: str) -> str | None:
    text = str(number or "").strip()
    value = text if _E164.fullmatch(text) else normalise_phone(text)
    return _digest(value) if value else None


def _digest(value: str) -> str:
    # hmac.digest: OpenSSL's one-shot HMAC, the same bytes as
    # hmac.new(...).hexdigest() without an HMAC object per value.
    key = settings.SUPPRESSION_HASH_KEY.encode()
    return hmac.digest(key, value.encode(), hashlib.sha256).hex()


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
