"""Password-reset mail goes out through SMTP, as EMAIL_URL configures.

tests/test_settings.py checks what EMAIL_URL turns into; this test sends a
real password-reset mail through Django's SMTP backend to a small SMTP
server on a free localhost port and reads what arrived.
"""

import socket
import socketserver
import threading

import pytest
from django.urls import reverse

from tests.clienteling.factories import UserFactory

pytestmark = pytest.mark.django_db


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self._say("220 test SMTP")
        envelope = {"to": [], "data": b""}
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 test")
            elif verb == "MAIL":
                envelope["from"] = line.decode().strip()
                self._say("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(line.decode().strip())
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                envelope["data"] = data
                self.server.received.append(envelope)
                envelope = {"to": [], "data": b""}
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 OK")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_password_reset_is_sent_through_the_smtp_server(
    client, settings, smtp_server
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.server_address
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    UserFactory(email="reset.me@staff.example.com")

    response = client.post(
        reverse("admin_password_reset"), {"email": "reset.me@staff.example.com"}
    )

    assert response.status_code == 302
    [mail] = smtp_server.received
    assert [to.lower() for to in mail["to"]] == ["rcpt to:<reset.me@staff.example.com>"]
    assert f"from:<{settings.DEFAULT_FROM_EMAIL}>" in mail["from"].lower()
    assert b"/admin/reset/" in mail["data"]


def test_an_unreachable_smtp_server_is_logged_not_shown(client, settings, caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_TIMEOUT = 2
    user = UserFactory(email="reset.me@staff.example.com")

    response = client.post(
        reverse("admin_password_reset"), {"email": "reset.me@staff.example.com"}
    )

    # the page answers as for any address (no way to probe who has an
    # account), and the failure is in the log, by user id
    assert response.status_code == 302
    [failure] = [r for r in caplog.records if r.name == "django.contrib.auth"]
    assert failure.getMessage() == f"Failed to send password reset email to {user.pk}"
    assert failure.exc_info[0] is ConnectionRefusedError
