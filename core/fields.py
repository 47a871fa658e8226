"""Encrypted model fields for health and payment-adjacent text.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the keys
in settings.FIELD_ENCRYPTION_KEYS: the first encrypts, all decrypt, so a key
is rotated by putting a new one first and re-saving (manage.py
rotate_field_keys). Encrypted columns cannot be searched; add a blind index
(a keyed hash column) where exact lookup is needed.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact

PREFIX = "fernet:"


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


class EmptyOnlyExact(Exact):
    """`field=""` or `field=None` only: Fernet tokens differ at every write,
    so comparing a value would silently match nothing."""

    def get_prep_lookup(self):
        if self.rhs not in (None, ""):
            raise NotImplementedError(
                "An encrypted field cannot be compared in the database: "
                "read the rows (e.g. by client) and compare in Python."
            )
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """A TextField stored encrypted; reads and writes plain text.

    Takes `choices` like any field (validated on the plain value), which is
    how the allergy metal and severity use it.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return PREFIX + fernet().encrypt(value.encode()).decode()

    def from_db_value(self, value, expression, connection):
        if value in (None, "") or not value.startswith(PREFIX):
            return value
        try:
            return fernet().decrypt(value[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise ImproperlyConfigured(
                "An encrypted value cannot be read with FIELD_ENCRYPTION_KEYS: "
                "was a key removed before re-encryption?"
            ) from None

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name != "isnull":
            raise NotImplementedError(f"{lookup_name} lookups on an encrypted field")
        return super().get_lookup(lookup_name)
