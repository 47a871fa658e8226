"""Keyed digests of emails and phone numbers (a blind index).

HMAC-SHA256 with SUPPRESSION_HASH_KEY over a normalised value: a plain
hash of an email is reversible by guessing; a keyed one is not without the
key. The same normalisation runs when a contact row is saved (its `digest`
column) and when consents adds to or checks its suppression list, so
"Anna@Example.com " and "anna@example.com" are one entry. Here, below
consents, so the contact rows can keep their digest (decision 0086);
consents.suppression re-exports these functions.
"""

import hashlib
import hmac
import re

from django.conf import settings

from clienteling.phones import normalise_phone


def normalise_email(address: str) -> str:
    return (address or "").strip().lower()


# Stored numbers are already E.164 (validated when saved): hashing them
# needs no parsing, which is the costly part when erasing in bulk.
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def normalise_phone_number(number) -> str | None:
    text = str(number or "").strip()
    return text if _E164.fullmatch(text) else normalise_phone(text)


def email_digest(address: str) -> str | None:
    value = normalise_email(address)
    return keyed_digest(value) if value else None


def phone_digest(number) -> str | None:
    value = normalise_phone_number(number)
    return keyed_digest(value) if value else None


def keyed_digest(value: str, key: bytes | None = None) -> str:
    # hmac.digest: OpenSSL's one-shot HMAC, the same bytes as
    # hmac.new(...).hexdigest() without an HMAC object per value.
    key = key or settings.SUPPRESSION_HASH_KEY.encode()
    return hmac.digest(key, value.encode(), hashlib.sha256).hex()
