"""Phone numbers as staff type them, normalised to E.164."""

import functools
import re

import phonenumbers
from django.conf import settings
from phonenumbers.phonenumberutil import PhoneMetadata

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
    if not _fr_valid(significant):
        return None
    return f"+33{significant}"


# The number types phonenumbers' is_valid_number tries, in its order; a
# number is valid when it fits the general description and any of them.
_NUMBER_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


@functools.cache
def _fr_descriptions() -> tuple:
    """France's number descriptions from phonenumbers' own metadata, each
    as (possible lengths, compiled pattern), the general one first."""
    metadata = PhoneMetadata.metadata_for_region("FR")

    def compiled(desc):
        if desc is None or not desc.national_number_pattern:
            return None
        pattern = re.compile(desc.national_number_pattern)
        return frozenset(desc.possible_length or ()), pattern

    general = compiled(metadata.general_desc)
    kinds = [compiled(getattr(metadata, name)) for name in _NUMBER_TYPES]
    return general, tuple(k for k in kinds if k is not None)


def _fits(national: str, description) -> bool:
    lengths, pattern = description
    if lengths and len(national) not in lengths:
        return False
    return pattern.fullmatch(national) is not None


def _fr_valid(national: str) -> bool:
    """phonenumbers.is_valid_number for +33 and these nine digits, without a
    PhoneNumber (decision 0091): the same metadata and the same test
    (phonenumbers' _number_type_helper is not UNKNOWN), the patterns
    compiled once instead of looked up for every number.
    tests/clienteling/test_phone_fast_path.py pins it against the parse."""
    general, kinds = _fr_descriptions()
    if general is None or not _fits(national, general):
        return False
    return any(_fits(national, kind) for kind in kinds)


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
