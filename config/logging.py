"""Keep client personal data out of application logs and error reports.

The filter sits on the root's handlers (settings.LOGGING), and every
process keeps that configuration: Django's own loggers (django,
django.server, django.request) and gunicorn's propagate to the root, and
Celery's workers and beat use Django's LOGGING instead of replacing the
root's handlers (config.celery). Request lines carry searches in their
query string, percent-encoded (`?q=alice%40example.com`): they are
decoded before masking.
"""

import logging
import re
from urllib.parse import unquote_plus

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


def _mask_plain(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def mask(text: str) -> str:
    """The text with emails, phones, card-like numbers and IBANs masked,
    percent- or form-encoded ones (URLs, query strings) included."""
    text = _mask_plain(text)
    if "%" in text or "+" in text:
        decoded = unquote_plus(text)
        masked = _mask_plain(decoded)
        if masked != decoded:
            # The decoded form hid something: log it decoded, masked.
            return masked
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
        # A traceback is formatted after the filters run: format it here so
        # the values in its messages are masked too.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True
