"""Phone numbers as staff type them, normalised to E.164."""

import re

import phonenumbers
from django.conf import settings

_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]{6,}$")


def normalise_phone(text: str, region: str | None = None) -> str | None:
    """E.164 for a valid number in any common format, else None.

    "+33 1 99 00 12 34", "01.99.00.12.34" and "0033199001234" all give
    "+33199001234" (national numbers are read in PHONENUMBER_DEFAULT_REGION).
    """
    text = (text or "").strip()
    if not _PHONE_LIKE.match(text):
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region or settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
