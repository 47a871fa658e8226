"""Project-wide test infrastructure.

Services: a test that needs PostgreSQL, a Celery broker or Chromium skips on
a bare laptop, but under REQUIRE_SERVICES=1 (CI) the same absence fails the
test, and any skip at all fails the session.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# tests/demo_sqlite reads the seeded SQLite demo: it runs only inside the
# subprocess of tests/test_demo_on_sqlite.py, which sets this variable.
# Ignored, not skipped, everywhere else (CI fails on any skip).
collect_ignore = [] if os.environ.get("ECRIN_DEMO_PAGES") == "1" else ["demo_sqlite"]

# Playwright's sync API runs an event loop in the test thread; Django's
# async-safety guard would otherwise refuse the test's own ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def require(available: bool, what: str) -> None:
    """Skip when a service is missing, or fail under REQUIRE_SERVICES=1."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {what} is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        require(settings.IS_POSTGRES, "PostgreSQL (DATABASE_URL=postgres://...)")


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if REQUIRE_SERVICES and skipped:
        reporter.write_line(
            f"REQUIRE_SERVICES=1: {skipped} test(s) skipped; CI runs every test.",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(staff)` also marks the session OTP-verified.

    The admin requires a verified second factor; tests that are not about
    signing in use force_login to get past it, as a signed-in user would
    be. The sign-in tests (tests/clienteling/test_auth.py) go through the
    real forms instead.
    """
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that commit (transactional, live server, browsers) run after the
    others, whatever other plugins did to the order: their teardown flushes
    the tables, migrated rows included (the consent registry, the beat
    schedules), and a rolled-back test after them would find those gone.
    pytest-django sorts this way, but pytest-playwright's parametrisation
    reorders after it. The sort is stable: file order within each group."""

    def commits(item) -> int:
        marker = item.get_closest_marker("django_db")
        if marker is not None and (
            marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
        ):
            return 1
        names = getattr(item, "fixturenames", ())
        return int("transactional_db" in names or "live_server" in names)

    items.sort(key=commits)


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """A request through LocaleMiddleware leaves its language active on the
    thread (a server activates it again on the next request): tests that
    call services directly must not inherit the last request's French."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 is slow by design; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_storage(tmp_path, settings):
    """Each test writes uploads to its own folder, never the real one."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.PRIVATE_STORAGE_ROOT.mkdir()


def _broker_reachable(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss"):
        return False
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=2
        ):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _tasks_in_process_unless_a_worker_runs():
    """Outside worker tests, tasks run in-process (as in the demo).

    Otherwise a task enqueued by a test with a broker configured would sit
    in Redis and be run later by some other test's worker.
    """
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def celery_worker(transactional_db, _tasks_in_process_unless_a_worker_runs):
    """A real Celery worker thread consuming from the configured broker.

    Not eager mode: messages go through the broker, results through the
    database backend, as in production.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    url = settings.CELERY_BROKER_URL
    require(
        bool(url) and _broker_reachable(url),
        "a Celery broker (CELERY_BROKER_URL=redis://...)",
    )
    app.conf.task_always_eager = False
    # celery.ping is what start_worker uses to check the worker answers.
    import celery.contrib.testing.tasks  # noqa: F401

    with start_worker(app, pool="solo", perform_ping_check=True) as worker:
        yield worker


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Debian's Chromium, never a downloaded browser."""
    require(shutil.which(CHROMIUM) is not None, f"Chromium at {CHROMIUM}")
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
