"""Phone numbers as staff type them, normalised to E.164."""

import re

import phonenumbers
from django.conf import settings

_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]{6,}$")
# A French number as it is mostly typed: 0, then nine digits, in pairs
# or not, spaced, dotted or dashed as staff type them. Read in France,
# phonenumbers.parse makes it +33 and the nine digits (the national prefix
# 0 stripped: no French number is ten digits long) and nothing else:
# built here directly, then checked as any other (decision 0044), it costs
# a fifth of a parse. tests/clienteling/test_phones.py pins it against
# phonenumbers.parse over every prefix and separator.
_FR_NATIONAL = re.compile(r"0[1-9](?:[ .\-]?\d\d){4}")


def _fr_national(text: str) -> str | None:
    significant = re.sub(r"[^0-9]", "", text)[1:]
    number = phonenumbers.PhoneNumber(country_code=33, national_number=int(significant))
    if not phonenumbers.is_valid_number(number):
        return None
    return f"+33{significant}"


def normalise_phone(text: str, region: str | None = None) -> str | None:
    """E.164 for a valid number in any common format, else None.

    "+33 1 99 00 12 34", "01.99.00.12.34" and "0033199001234" all give
    "+33199001234" (national numbers are read in PHONENUMBER_DEFAULT_REGION).
    """
    text = (text or "").strip()
    if not _PHONE_LIKE.match(text):
        return None
    region = region or settings.PHONENUMBER_DEFAULT_REGION
    if region == "FR" and _FR_NATIONAL.fullmatch(text):
        return _fr_national(text)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
