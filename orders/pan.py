"""Detect payment card numbers (PANs) and full IBANs in free text.

The house never stores a card number, a security code or a full IBAN
(ARCHITECTURE.md, "Rules that hold everywhere"). Staff paste what they have
in front of them, so every text field of the orders app refuses anything
that looks like one. The detector is deliberately strict: a false positive
costs the adviser a retyped note, a false negative puts a card number in
the database, its history table and every backup.

Lives in orders because clienteling may not import it; clienteling's free
text could adopt the same rule by copying or moving this module down.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

PAN_MIN_DIGITS = 13
PAN_MAX_DIGITS = 19

# Separators people type or paste between groups of digits: spaces (also
# non-breaking, after normalisation) and dashes of any kind, up to three in
# a row ("4970 - 1012 ...").
_SEPARATOR = r"[\s\-_\u2010-\u2015]{1,3}"
_DIGIT_RUN = re.compile(rf"\d(?:(?:{_SEPARATOR})?\d)*")
_GROUP_SPLIT = re.compile(_SEPARATOR)
# Dots and slashes only in a card's own grouping (4111.1111.1111.1111):
# elsewhere they separate dates and generated numbers (PAR/2026/000123).
_CARD_GROUPED = re.compile(
    r"(?<!\d)\d{4}(?:([./])\d{4})(?:\1\d{4}){1,2}(?:\1\d{1,3})?(?!\d)"
)
# Where an IBAN may start: a country code and two check digits.
_IBAN_START = re.compile(r"(?<![A-Z0-9])[A-Z]{2}\d{2}")
_IBAN_BODY = re.compile(rf"(?:[A-Z0-9]|{_SEPARATOR}(?=[A-Z0-9]))*")


def _normalised(text: str) -> str:
    """NFKC folds non-breaking and other exotic spaces and digits."""
    return unicodedata.normalize("NFKC", str(text))


CARD_NUMBER_MESSAGE = (
    "This looks like a payment card number (13 to 19 digits passing the Luhn "
    "check). Card numbers are never stored: keep only the brand and the last "
    "four digits."
)
IBAN_MESSAGE = (
    "This looks like a full IBAN. Full bank account numbers are never "
    "stored: keep only the masked form (country code and last four)."
)


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number passes."""
    if not digits.isdigit():
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


def contains_card_number(text: str) -> bool:
    """True if the text holds a Luhn-valid run of 13 to 19 digits."""
    if not text:
        return False
    text = _normalised(text)
    if any(
        luhn_valid(re.sub(r"\D", "", m.group(0))) for m in _CARD_GROUPED.finditer(text)
    ):
        return True
    return any(
        luhn_valid(candidate)
        for run in _DIGIT_RUN.findall(text)
        for candidate in _candidates(run)
    )


def iban_valid(value: str) -> bool:
    """The ISO 13616 mod-97 check of an IBAN (spaces ignored)."""
    compact = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    return int(numeric) % 97 == 1


def contains_iban(text: str) -> bool:
    """True if the text holds a full IBAN that passes its check digits.

    From every place an IBAN could start, every length from 15 to 34
    characters (separators dropped) is tried, so a word glued after the
    IBAN, or dashes inside it, do not hide it.
    """
    if not text:
        return False
    upper = _normalised(text).upper()
    for start in _IBAN_START.finditer(upper):
        body = _IBAN_BODY.match(upper, start.end()).group(0)
        compact = start.group(0) + re.sub(r"[^A-Z0-9]", "", body)
        for length in range(15, min(len(compact), 34) + 1):
            if iban_valid(compact[:length]):
                return True
    return False


def validate_no_payment_numbers(value) -> None:
    """Validator for every free-text field: no card number, no full IBAN."""
    if not isinstance(value, str):
        return
    if contains_card_number(value):
        raise ValidationError(CARD_NUMBER_MESSAGE, code="card_number")
    if contains_iban(value):
        raise ValidationError(IBAN_MESSAGE, code="iban")


def iban_mask(iban: str) -> str:
    """Keep the country code and the last four characters of an IBAN."""
    compact = iban.replace(" ", "").upper()
    if not iban_valid(compact):
        raise ValidationError(
            "This is not a valid IBAN (the check digits do not match).",
            code="invalid_iban",
        )
    return f"{compact[:2]}{'*' * (len(compact) - 6)}{compact[-4:]}"


MASKED_IBAN_PATTERN = r"^[A-Z]{2}\*{9,28}[A-Z0-9]{4}$"
