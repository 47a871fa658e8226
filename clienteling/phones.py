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


# The separators _FR_NATIONAL allows, deleted to leave the ten digits.
_SEPARATORS = str.maketrans("", "", " .-")


def _fr_national(text: str) -> str | None:
    """+33 and the nine digits of a text _FR_NATIONAL matched, when valid."""
    significant = text.translate(_SEPARATORS)[1:]
    if not _fr_nine_valid(significant):
        return None
    return f"+33{significant}"


def fr_national_fast(text: str) -> str | None:
    """normalise_phone's answer for a stripped text typed as a French
    national number ("0" then nine digits, pairs spaced, dotted or dashed),
    read in France; None when the text has another shape or is not a valid
    number (normalise_phone then decides). The import checks a column of
    phones with it (decision 0093)."""
    if not _FR_NATIONAL.fullmatch(text):
        return None
    return _fr_national(text)


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


@functools.cache
def _fr_nine() -> tuple | None:
    """_fr_valid for nine digits as one compiled pattern: the general
    description's and any type's patterns that allow nine digits, as one
    alternation (a full match of an alternation is a full match of one of
    its branches); None when no French number has nine digits."""
    general, kinds = _fr_descriptions()
    if general is None or (general[0] and 9 not in general[0]):
        return None
    branches = [p.pattern for lengths, p in kinds if not lengths or 9 in lengths]
    if not branches:
        return None
    return (
        general[1],
        re.compile("|".join(f"(?:{branch})" for branch in branches)),
    )


def _fr_nine_valid(national: str) -> bool:
    """_fr_valid(national) for nine digits, two pattern matches."""
    if len(national) != 9:
        return _fr_valid(national)
    compiled = _fr_nine()
    if compiled is None:
        return False
    general, any_kind = compiled
    return (
        general.fullmatch(national) is not None
        and any_kind.fullmatch(national) is not None
    )


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
