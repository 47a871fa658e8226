"""Detect payment card numbers (PANs) and full IBANs in free text.

The house never stores a card number, a security code or a full IBAN
(ARCHITECTURE.md, "Rules that hold everywhere"). Staff paste what they have
in front of them, so every free-text field of every app refuses anything
that looks like one (core.free_text applies it, the data map says
which fields are free text). The detector is deliberately strict: a false
positive costs the adviser a retyped note, a false negative puts a card
number in the database, its history table and every backup.

Text is normalised before it is read, because what looks like a card
number on screen is a card number whatever code points draw it: NFKC
(full-width and other compatibility digits), every Unicode decimal digit
read as its value (Arabic-Indic, Devanagari...), format characters
(zero-width space and joiners, soft hyphen, word joiner, BOM) and stray
combining marks dropped, every kind of space read as a space and every
kind of dash as "-".

Lives in core, the kernel, so every app can import it
(decision 0012).
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PAN_MIN_DIGITS = 13
PAN_MAX_DIGITS = 19

# Characters that draw nothing or nothing but a blank, outside the Unicode
# space categories: Hangul fillers and the braille blank.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Dashes outside the Pd category: minus sign, hyphen bullet.
_DASHES = frozenset("\u2212\u2043\u02d7")
_DROPPED_CATEGORIES = frozenset({"Cf", "Mn", "Me"})
_SPACE_CATEGORIES = frozenset({"Zs", "Zl", "Zp"})

# Separators people type or paste between groups of digits: spaces and
# dashes (after normalisation) and underscores, up to three in a row
# ("4970 - 1012 ...").
_SEPARATOR = r"[\s\-_]{1,3}"
_DIGIT_RUN = re.compile(rf"[0-9](?:(?:{_SEPARATOR})?[0-9])*")
_GROUP_SPLIT = re.compile(_SEPARATOR)
# Dots and slashes only in a card's own grouping (4111.1111.1111.1111):
# elsewhere they separate dates and generated numbers (PAR/2026/000123).
_CARD_GROUPED = re.compile(
    r"(?<![0-9])[0-9]{4}(?:([./])[0-9]{4})(?:\1[0-9]{4}){1,2}(?:\1[0-9]{1,3})?(?![0-9])"
)
# Where an IBAN may start: a country code and two check digits, glued to
# a word before it or not ("ibanFR76...").
_IBAN_START = re.compile(r"(?=([A-Z]{2}[0-9]{2}))")
_IBAN_BODY = re.compile(rf"(?:[A-Z0-9]|{_SEPARATOR}(?=[A-Z0-9]))*")

# ISO 13616 lengths per country (SWIFT IBAN registry): a candidate must
# have its country's exact length. Unknown countries: 15 to 34.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
    "BG": 22, "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22,
    "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22,
    "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30,
    "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
    "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29,
    "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
IBAN_MIN_LENGTH, IBAN_MAX_LENGTH = 15, 34

CARD_NUMBER_MESSAGE = _(
    "This looks like a payment card number (13 to 19 digits passing the Luhn "
    "check). Card numbers are never stored: keep only the brand and the last "
    "four digits."
)
IBAN_MESSAGE = _(
    "This looks like a full IBAN. Full bank account numbers are never "
    "stored: keep only the masked form (country code and last four)."
)


def _normalised_char(char: str) -> str:
    category = unicodedata.category(char)
    if category in _DROPPED_CATEGORIES:
        return ""
    if category == "Nd":
        return str(unicodedata.decimal(char))
    if category in _SPACE_CATEGORIES or char in _BLANKS:
        return " "
    if category == "Pd" or char in _DASHES:
        return "-"
    return char


def normalised(text: str) -> str:
    """The text as the detector reads it (see the module docstring)."""
    text = unicodedata.normalize("NFKC", str(text))
    if text.isascii():
        return text
    return "".join(_normalised_char(char) for char in text)


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number passes."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _candidates(run: str):
    """Digit strings of a run that a card number could be.

    Every sequence of whole groups (so a PAN followed by an expiry or a code
    in the same run is still found), and every window of a single group
    longer than a PAN (a PAN glued to other digits).
    """
    groups = [g for g in _GROUP_SPLIT.split(run) if g]
    for start in range(len(groups)):
        digits = ""
        for group in groups[start:]:
            digits += group
            if len(digits) > PAN_MAX_DIGITS:
                break
            if len(digits) >= PAN_MIN_DIGITS:
                yield digits
    for group in groups:
        if len(group) > PAN_MAX_DIGITS:
            for size in range(PAN_MIN_DIGITS, PAN_MAX_DIGITS + 1):
                for start in range(len(group) - size + 1):
                    yield group[start : start + size]


def _is_phone_number(text: str, run: re.Match) -> bool:
    """A run written as an international phone number ("+86 138 0013 8000",
    "0033 6 12 34 56 78") that is a valid one: up to 15 digits, so it
    overlaps card lengths, but no card number starts with "+" or "00".
    """
    digits = re.sub(r"[^0-9]", "", run.group(0))
    plus = run.start() > 0 and text[run.start() - 1] == "+"
    if not plus and not digits.startswith("00"):
        return False
    number = digits if plus else digits[2:]
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(f"+{number}"))
    except phonenumbers.NumberParseException:
        return False


def _contains_card_number(text: str) -> bool:
    if any(
        luhn_valid(re.sub(r"[^0-9]", "", m.group(0)))
        for m in _CARD_GROUPED.finditer(text)
    ):
        return True
    return any(
        luhn_valid(candidate)
        for run in _DIGIT_RUN.finditer(text)
        if not _is_phone_number(text, run)
        for candidate in _candidates(run.group(0))
    )


def contains_card_number(text: str) -> bool:
    """True if the text holds a Luhn-valid run of 13 to 19 digits."""
    if not text:
        return False
    return _contains_card_number(normalised(text))


def iban_valid(value: str) -> bool:
    """The ISO 13616 check of an IBAN: its country's length and mod 97."""
    compact = re.sub(r"\s", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", compact):
        return False
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    return int(numeric) % 97 == 1


def _contains_iban(upper: str) -> bool:
    for start in _IBAN_START.finditer(upper):
        head = start.group(1)
        body = _IBAN_BODY.match(upper, start.start() + 4).group(0)
        compact = head + re.sub(r"[^A-Z0-9]", "", body)
        expected = IBAN_LENGTHS.get(head[:2])
        lengths = (
            [expected]
            if expected
            else range(IBAN_MIN_LENGTH, min(len(compact), IBAN_MAX_LENGTH) + 1)
        )
        if any(
            len(compact) >= length and iban_valid(compact[:length])
            for length in lengths
        ):
            return True
    return False


def contains_iban(text: str) -> bool:
    """True if the text holds a full IBAN that passes its check digits.

    From every place an IBAN could start (also inside a word: "ibanFR76"),
    the country's length (or every length for a country not in the table)
    is tried with separators dropped, so a word glued after the IBAN, or
    dashes inside it, do not hide it.
    """
    if not text:
        return False
    return _contains_iban(normalised(text).upper())


def payment_number_kind(text: str) -> str | None:
    """ "card_number", "iban" or None: what the text holds, if either."""
    if not text:
        return None
    # normalised() never lengthens the NFKC form (it maps a character to
    # one or drops it): a short NFKC text is answered before the per
    # character pass (names with accents, in every import row).
    if len(unicodedata.normalize("NFKC", str(text))) < PAN_MIN_DIGITS:
        return None
    text = normalised(text)
    if len(text) < PAN_MIN_DIGITS:
        # Too short for either: a card number is 13 digits at least, an
        # IBAN 15 characters (most names, numbers and codes: the import
        # checks every text column of every row).
        return None
    # An IBAN's digits often hold a Luhn-valid run too: the mod-97 check is
    # the more specific finding, so it is named first.
    if _contains_iban(text.upper()):
        return "iban"
    if _contains_card_number(text):
        return "card_number"
    return None


def validate_no_payment_numbers(value) -> None:
    """Validator for free text: no card number, no full IBAN."""
    if not isinstance(value, str):
        return
    kind = payment_number_kind(value)
    if kind == "iban":
        raise ValidationError(IBAN_MESSAGE, code="iban")
    if kind == "card_number":
        raise ValidationError(CARD_NUMBER_MESSAGE, code="card_number")


def iban_mask(iban: str) -> str:
    """Keep the country code and the last four characters of an IBAN."""
    compact = re.sub(r"\s", "", normalised(iban)).upper()
    if not iban_valid(compact):
        raise ValidationError(
            _("This is not a valid IBAN (the check digits do not match)."),
            code="invalid_iban",
        )
    return f"{compact[:2]}{'*' * (len(compact) - 6)}{compact[-4:]}"


MASKED_IBAN_PATTERN = r"^[A-Z]{2}\*{9,28}[A-Z0-9]{4}$"
