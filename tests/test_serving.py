"""Écrin served for real: gunicorn with production settings, end to end.

`python -m config.serve` (what make serve, the Procfile and compose.yaml
run: check, collectstatic, gunicorn) is started on a free port against the
test database, with ECRIN_ENVIRONMENT=production. The test's data is
committed (transactional tests) so the server sees it. A member of staff
signs in through the real forms (password, then a TOTP code), loads pages
and a hashed static file, and reads the security headers and the
readiness endpoint on real responses; a real Celery worker runs the task
a request enqueued, and both processes' JSON logs share the request id.

Cookies are not `Secure` here (SECURE_COOKIES=0, SECURE_SSL_REDIRECT=0):
the test speaks plain HTTP to 127.0.0.1, as `make serve` does. HSTS is
on, and is sent on requests a trusted proxy marks as HTTPS.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from tests.conftest import _broker_reachable, require
from tests.helpers import current_totp

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "served-for-real-2026"  # noqa: S105
HSTS_SECONDS = 31536000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    """The test database, as the server must reach it."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _environment(tmp_path: Path, broker_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        {
            "ECRIN_ENVIRONMENT": "production",
            "DEBUG": "0",
            "SECRET_KEY": "served-" + "q8Zr2kLm" * 8,
            "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS)
            or Fernet.generate_key().decode(),
            "SUPPRESSION_HASH_KEY": "s" * 50,
            "SHARING_KEYS": "group:2026a:" + "g" * 40,
            "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.com:587",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": broker_url,
            "SECURE_COOKIES": "0",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": str(HSTS_SECONDS),
            "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "STATIC_MANIFEST": "1",
            "STATIC_ROOT": str(tmp_path / "static"),
            "PRIVATE_STORAGE_ROOT": str(tmp_path / "private"),
            "ERASURE_REPLAY_LOG": str(tmp_path / "replay" / "erasures.jsonl"),
            "LOG_FORMAT": "json",
            "WEB_WORKERS": "1",
            "WEB_THREADS": "4",
            "HEALTH_WORKER_TIMEOUT": "3",
        }
    )
    return env


class Process:
    """A child process in its own group, its output in a file."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        self._out = log.open("wb")
        self.popen = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def json_lines(self) -> list[dict]:
        lines = []
        for raw in self.text().splitlines():
            if raw.startswith("{"):
                lines.append(json.loads(raw))
        return lines

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self._out.close()


def _serve(tmp_path: Path, broker_url: str) -> tuple[Process, str]:
    port = _free_port()
    env = _environment(tmp_path, broker_url) | {"WEB_BIND": f"127.0.0.1:{port}"}
    server = Process([sys.executable, "-m", "config.serve"], env, tmp_path / "web.log")
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.popen.poll() is not None:
            pytest.fail(f"the server stopped:\n{server.text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/health/live", timeout=2):  # noqa: S310
                return server, base
        except OSError:
            time.sleep(0.5)
    server.stop()
    pytest.fail(f"the server did not answer within 120 s:\n{server.text()[-3000:]}")


class Browser:
    """Cookies, CSRF and headers over plain urllib: what a browser sends."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def get(self, path: str, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, headers=headers or {})  # noqa: S310
        return self._open(request)

    def post(self, path: str, data: dict, headers: dict | None = None):
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": self.cookie("csrftoken"), **data}
        ).encode()
        request = urllib.request.Request(  # noqa: S310
            self.base + path, data=body, headers=headers or {}, method="POST"
        )
        return self._open(request)

    def _open(self, request):
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        response.body = response.read().decode("utf-8", errors="replace")
        return response

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.cookies if c.name == name), "")

    def sign_in(self, username: str) -> None:
        self.get("/admin/login/")
        step1 = self.post("/admin/login/", {"username": username, "password": PASSWORD})
        assert step1.url.endswith("/admin/login/verify/"), step1.body[:500]
        step2 = self.post("/admin/login/verify/", {"otp_token": current_totp(username)})
        assert step2.url.endswith("/admin/"), step2.body[:500]


def _officer():
    """A compliance officer with a password the server (PBKDF2) can check
    and a confirmed authenticator."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.clienteling.factories import compliance

    user = compliance()
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "servedsalt1234")
    user.save(update_fields=["password"])
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def test_gunicorn_serves_signs_in_static_headers_and_readiness(tmp_path):
    # given the production start-up path, with a broker nobody listens on
    dead_redis = f"redis://127.0.0.1:{_free_port()}/0"
    officer = _officer()
    server, base = _serve(tmp_path, dead_redis)
    try:
        browser = Browser(base)

        # when a member of staff signs in through the real forms
        browser.sign_in(officer.username)
        home = browser.get("/admin/")

        # then the page is served, with its security headers
        assert home.status == 200
        assert settings.HOUSE_NAME in home.body
        headers = home.headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert (
            "unsafe-inline"
            not in headers["Content-Security-Policy"]
            .split("script-src")[1]
            .split(";")[0]
        )
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert "no-store" in headers["Cache-Control"]
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
        # plain HTTP from a client: no HSTS (browsers ignore it there)
        assert "Strict-Transport-Security" not in headers

        # and HSTS on a request the load balancer marks as HTTPS
        secure = browser.get("/admin/login/", {"X-Forwarded-Proto": "https"})
        assert secure.headers["Strict-Transport-Security"].startswith(
            f"max-age={HSTS_SECONDS}"
        )

        # and a hashed, compressed static file with a long cache
        css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', home.body)
        assert css, "no hashed stylesheet in the page"
        static = browser.get(css.group(1), {"Accept-Encoding": "gzip"})
        assert static.status == 200
        assert "max-age=315360000" in static.headers["Cache-Control"]
        assert "immutable" in static.headers["Cache-Control"]
        assert static.headers.get("Content-Encoding") == "gzip"

        # and readiness fails, naming the broker and the worker only
        ready = Browser(base).get("/health/ready")
        assert ready.status == 503
        body = json.loads(ready.body)
        assert body == {
            "status": "failing",
            "checks": {
                "database": "ok",
                "broker": "failing",
                "worker": "failing",
                "beat": "failing",
                "private_storage": "ok",
            },
        }
        assert "no-store" in ready.headers["Cache-Control"]
        # signed-in staff also read why
        reasons = json.loads(browser.get("/health/ready").body)["reasons"]
        assert reasons["broker"].startswith("broker unreachable")
        assert Browser(base).get("/health/live").status == 200
    finally:
        server.stop()

    # and the web log is JSON, one line per request, without the officer's name
    lines = server.json_lines()
    requests = [line for line in lines if line["logger"] == "ecrin.request"]
    assert {"/admin/login/", "/admin/login/verify/", "/admin/"} <= {
        line["path"] for line in requests
    }
    signed_in = [line for line in requests if line["user_id"] == officer.pk]
    assert signed_in
    assert officer.username not in server.text()
    assert officer.email not in server.text()


def _start_worker(tmp_path: Path, broker_url: str) -> Process:
    env = _environment(tmp_path, broker_url)
    worker = Process(
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"serving-{os.getpid()}@%h",
        ],
        env,
        tmp_path / "worker.log",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.popen.poll() is not None:
            pytest.fail(f"the worker stopped:\n{worker.text()[-3000:]}")
        if "ready." in worker.text():
            return worker
        time.sleep(0.5)
    worker.stop()
    pytest.fail(f"the worker was not ready within 60 s:\n{worker.text()[-3000:]}")


@pytest.mark.celery_worker
def test_a_request_and_the_task_it_enqueued_share_a_request_id(tmp_path):
    from datetime import timedelta

    from django.utils import timezone
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from clienteling.models import ClientEmail, ClientPhone
    from privacy.requests import request_open, request_verify_identity
    from tests.clienteling.factories import ClientFactory

    broker = settings.CELERY_BROKER_URL
    require(
        bool(broker) and _broker_reachable(broker),
        "a Celery broker (CELERY_BROKER_URL=redis://...)",
    )
    # given a client with an email and a phone, and their access request
    officer = _officer()
    person = ClientFactory(first_name="Héloïse", last_name="Vantongeren")
    ClientEmail.objects.create(
        client=person, address="heloise.v@example.com", is_primary=True
    )
    ClientPhone.objects.create(
        client=person, kind="mobile", number="+33199004242", is_primary=True
    )
    access = request_verify_identity(
        acting_user=officer,
        request=request_open(
            acting_user=officer,
            client=person,
            kind="access",
            channel="email",
            received_on=timezone.localdate(),
        ),
        method="known_email",
    )
    # the sweeper's schedule, as its migration installs it (an earlier
    # transactional test may have flushed the row), last run long ago
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name="core.jobs.sweep",
        defaults={
            "task": "core.jobs.sweep",
            "interval": every_minute,
            "last_run_at": timezone.now() - timedelta(minutes=10),
        },
    )
    worker = _start_worker(tmp_path, broker)
    beat = server = None
    try:
        # Inside the try: a server that fails to start must not leave the
        # worker running, taking the next runs' tasks from the same broker.
        server, base = _serve(tmp_path, broker)
        browser = Browser(base)
        browser.sign_in(officer.username)

        # when the officer asks for the subject-access report (a job)
        request_id = f"e2e-{os.getpid()}-report"
        action = reverse("admin:privacy_request_action", args=[access.pk, "report"])
        answer = browser.post(action, {}, {"X-Request-ID": request_id})
        assert answer.status == 200, answer.body[:500]

        # then the worker runs it, logging under the request's id
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            done = [
                line
                for line in worker.json_lines()
                if line.get("request_id") == request_id
                and "succeeded" in line["message"]
            ]
            if done:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"no task line with the request id:\n{worker.text()[-3000:]}")

        # and readiness fails on beat alone until a real beat ticks
        stale = json.loads(Browser(base).get("/health/ready").body)["checks"]
        assert stale == {
            "database": "ok",
            "broker": "ok",
            "worker": "ok",
            "beat": "failing",
            "private_storage": "ok",
        }
        beat = Process(
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                f"--pidfile={tmp_path / 'beat.pid'}",
                f"--schedule={tmp_path / 'beat-schedule'}",
            ],  # fmt: skip
            _environment(tmp_path, broker),
            tmp_path / "beat.log",
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            ready = Browser(base).get("/health/ready")
            if ready.status == 200:
                break
            time.sleep(1)
        assert json.loads(ready.body) == {
            "status": "ok",
            "checks": dict.fromkeys(
                ("database", "broker", "worker", "beat", "private_storage"), "ok"
            ),
        }, beat.text()[-2000:]
    finally:
        if server is not None:
            server.stop()
        if beat is not None:
            beat.stop()
        worker.stop()

    web_lines = [
        line for line in server.json_lines() if line.get("request_id") == request_id
    ]
    task_lines = [
        line for line in worker.json_lines() if line.get("request_id") == request_id
    ]
    # (urllib follows the redirect with the same X-Request-ID: a GET line too)
    [request_line] = [
        line
        for line in web_lines
        if line["logger"] == "ecrin.request" and line["method"] == "POST"
    ]
    assert request_line["path"] == action
    assert request_line["user_id"] == officer.pk
    assert request_line["status"] == 302
    assert any("Task core.jobs.run[" in line["message"] for line in task_lines), (
        task_lines
    )
    # no email, phone or name in either process's log
    everything = server.text() + worker.text() + beat.text()
    for secret in ("heloise.v@example.com", "+33199004242", "99004242", "Vantongeren"):
        assert secret not in everything, secret
    # what the note pastes: the request's line and its task's lines
    sys.stdout.write(
        "\n".join(json.dumps(line) for line in [request_line, *task_lines]) + "\n"
    )
