"""Every process masks personal data in its logs: web, worker, commands.

The masking filter sits on the root's handlers; these tests check that
nothing routes around it: Django's own loggers, request lines with the
search in the query string, a real Celery worker (which, left alone,
replaces the root's handlers with its own), and a management command run
in a process of its own.
"""

import io
import logging
import subprocess
import sys
from logging.config import dictConfig
from pathlib import Path

import pytest
from celery.utils.log import get_task_logger
from django.conf import settings

from config.celery import app
from config.logging import PersonalDataFilter, mask

EMAIL = "alice@example.com"
PHONE = "+33 1 99 00 42 42"
CARD = "4111 1111 1111 1111"
IBAN = "FR76 3000 6000 0112 3456 7890 189"
# What must not appear in any form once masked.
SECRETS = (EMAIL, "alice", "99 00 42 42", "4111", "FR76", "3456 7890")
PERSONAL = f"client {EMAIL} called from {PHONE} paying with {CARD} into {IBAN}"


@app.task(name="tests.log_personal_data")
def log_personal_data() -> str:
    """Logs what a careless task might: through every kind of logger."""
    logging.getLogger("clienteling.tasks").warning(PERSONAL)
    get_task_logger(__name__).warning("task logger: %s", PERSONAL)
    logging.getLogger().warning("root: %s", PERSONAL)
    return "logged"


def _ours(handler: logging.Handler) -> bool:
    """A handler that writes somewhere: not pytest's, not a library's
    NullHandler (which drops what it gets)."""
    return not type(handler).__module__.startswith("_pytest") and not isinstance(
        handler, logging.NullHandler
    )


def _capture_root_handlers() -> list[io.StringIO]:
    """Point every stream handler of the root at a buffer: what the
    process would print."""
    buffers = []
    for handler in logging.getLogger().handlers:
        if _ours(handler) and isinstance(handler, logging.StreamHandler):
            buffer = io.StringIO()
            handler.setStream(buffer)
            buffers.append(buffer)
    return buffers


@pytest.fixture
def django_logging():
    """The logging configuration of a web process, restored after."""
    dictConfig(settings.LOGGING)
    yield
    dictConfig(settings.LOGGING)


def _assert_masked(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, (secret, text)


def test_every_handler_of_every_logger_masks(django_logging):
    # given Django's own loggers configured (django.server has a handler of
    # its own in Django's defaults) and the app's loggers
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]

    # then every handler attached anywhere carries the filter
    handlers = [h for logger in loggers for h in logger.handlers if _ours(h)]
    assert handlers
    unmasked = [
        (logger.name, h)
        for logger in loggers
        for h in logger.handlers
        if _ours(h) and not any(isinstance(f, PersonalDataFilter) for f in h.filters)
    ]
    assert unmasked == []
    for name in ("django", "django.server", "django.request", "gunicorn.access"):
        logger = logging.getLogger(name)
        assert [h for h in logger.handlers if _ours(h)] == []
        assert logger.propagate


@pytest.mark.parametrize(
    "query",
    [
        "q=alice%40example.com",
        "q=%2B33199004242",
        "q=%2B33+1+99+00+42+42",
        "q=alice@example.com",
        "q=0199004242",
    ],
)
def test_request_lines_are_masked(django_logging, query):
    buffers = _capture_root_handlers()
    line = f"GET /admin/clienteling/client/?{query} HTTP/1.1"

    # when runserver (django.server) and gunicorn log the request line
    logging.getLogger("django.server").info('"%s" %s %s', line, "200", "5120")
    logging.getLogger("gunicorn.access").info('"%s" 200', line)

    text = "".join(b.getvalue() for b in buffers)
    assert text.count("/admin/clienteling/client/") == 2
    for secret in ("alice", "example.com", "99004242", "99 00 42 42", "99+00"):
        assert secret not in text, (secret, text)


def test_mask_decodes_only_when_something_was_hidden():
    assert mask("GET /admin/?q=ring+size&p=2%20 HTTP/1.1") == (
        "GET /admin/?q=ring+size&p=2%20 HTTP/1.1"
    )
    assert "[email]" in mask("GET /?q=alice%40example.com&x=+33 1 99 00 42 42")
    assert "99 00" not in mask("GET /?q=alice%40example.com&x=+33 1 99 00 42 42")


def test_a_traceback_is_masked(django_logging):
    buffers = _capture_root_handlers()
    try:
        raise ValueError(f"no client {EMAIL}")
    except ValueError:
        logging.getLogger("clienteling").exception("failed")

    text = "".join(b.getvalue() for b in buffers)
    assert "ValueError" in text
    assert EMAIL not in text


@pytest.mark.postgres
@pytest.mark.celery_worker
def test_a_real_worker_masks_what_tasks_log(celery_worker):
    # given a real worker (its logging set up as `celery worker` does)
    buffers = _capture_root_handlers()
    assert buffers, "the worker left the root logger without its handlers"
    for handler in logging.getLogger().handlers:
        if _ours(handler):
            assert any(isinstance(f, PersonalDataFilter) for f in handler.filters)

    # when a task logs an email, a phone, a card number and an IBAN
    assert log_personal_data.delay().get(timeout=60) == "logged"

    # then the worker's log holds none of them in clear
    text = "".join(b.getvalue() for b in buffers)
    assert text.count("[email]") >= 3, text
    _assert_masked(text)


def test_a_management_command_masks_in_a_process_of_its_own():
    # when a command logs through a logger of its own, in a new process
    code = (
        "import logging; "
        f"logging.getLogger('clienteling.management').warning({PERSONAL!r})"
    )
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # then its output is masked
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "[email]" in output
    _assert_masked(output)
