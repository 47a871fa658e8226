"""Keep client personal data out of application logs and error reports.

The filter sits on the root's handlers (settings.LOGGING), and every
process keeps that configuration: Django's own loggers (django,
django.server, django.request) and gunicorn's propagate to the root, and
Celery's workers and beat use Django's LOGGING instead of replacing the
root's handlers (config.celery). Request lines carry searches in their
query string, percent-encoded (`?q=alice%40example.com`): they are
decoded before masking.
"""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
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


# --- Request ids and JSON lines (docs/decisions/0031) -----------------------

# The id of the request (web) or of the request that enqueued the task
# (worker) this code runs for; "" outside both.
request_id_var: ContextVar[str] = ContextVar("ecrin_request_id", default="")
# A well-formed incoming X-Request-ID (a load balancer's) is kept; anything
# else is replaced, so a client cannot write arbitrary text into our logs.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
# The Celery message header that carries it from the web to the worker.
TASK_HEADER = "ecrin_request_id"


def valid_request_id(value: str | None) -> str | None:
    """The value if it can be used as a request id, else None."""
    if value and _REQUEST_ID.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def _current_task_request_id() -> str:
    """The request id a running Celery task was enqueued with, if any."""
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return ""
    task = current_task
    if not task:
        return ""
    request = task.request
    value = getattr(request, TASK_HEADER, None) or (
        getattr(request, "headers", None) or {}
    ).get(TASK_HEADER)
    return valid_request_id(value) or ""


def current_request_id() -> str:
    """The id of the request being served, or of the request that enqueued
    the task being run; "" outside both."""
    return request_id_var.get() or _current_task_request_id()


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (`record.request_id`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            # django.request logs a 4xx/5xx after the middleware returned:
            # the request it names still has its id.
            request = getattr(record, "request", None)
            record.request_id = (
                request_id_var.get()
                or getattr(request, "request_id", "")
                or _current_task_request_id()
                or "-"
            )
        return True


# LogRecord attributes that are not "extra" fields.
_RESERVED = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", (), None))
) | {"message", "asctime", "request_id", "taskName"}
_SAFE_KEYS = frozenset({"time", "level", "logger", "request_id", "process"})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message,
    request id, process, and the record's extra fields.

    The message is masked by PersonalDataFilter (on the handler); every
    other string value is masked here too, so an extra field (a path, an
    exception) cannot carry an email or a phone past the mask.
    """

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-").strip("-") or None,
            "process": record.processName
            if record.processName != "MainProcess"
            else record.process,
        }
        for key, value in vars(record).items():
            # Primitive extras only: an object's text (a request's repr
            # holds its query string) is left out rather than guessed at.
            if (
                key not in _RESERVED
                and not key.startswith("_")
                and isinstance(value, str | int | float | bool | type(None))
            ):
                line[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        for key, value in line.items():
            if key not in _SAFE_KEYS and isinstance(value, str):
                line[key] = mask(value)
        return json.dumps(line, default=str, ensure_ascii=False)
