"""Keep client personal data out of application logs and error reports."""

import logging
import re

_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[email]"),
    # IBAN-like, before card numbers (its digits would match those too):
    # two letters, two check digits, then groups of letters and digits.
    (
        re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b"),
        "[iban]",
    ),
    # 13 to 19 digits, with spaces or dashes: card-like numbers.
    (re.compile(r"\b(?:\d[ -]?){12,18}\d\b"), "[number]"),
    # Phone numbers: + or 0 then 8 to 14 digits with common separators.
    (re.compile(r"(?<![\w])(?:\+|00|0)\d(?:[ .()/-]?\d){7,13}\b"), "[phone]"),
]


def mask(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Masks emails, phone numbers, card-like numbers and IBANs in records."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad record still gets logged
            return True
        record.msg = mask(message)
        record.args = ()
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True
