"""Signing in: password, then a second factor, on every path."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.clienteling.factories import BoutiqueFactory, adviser

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
INDEX = "/admin/"


def _code(device, at=None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"


def _staff(**kwargs):
    user = adviser(BoutiqueFactory(), **kwargs)
    user.set_password("correct horse battery")
    user.save()
    return user


def _enrolled(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _password_step(client, user, password="correct horse battery", **extra):
    return client.post(
        LOGIN, {"username": user.username, "password": password}, **extra
    )


def test_password_alone_does_not_open_the_admin(client):
    user = _staff()
    _enrolled(user)

    response = _password_step(client, user)

    assert response.status_code == 302
    assert response.url == reverse("staff-login-verify")
    assert client.get(INDEX).status_code == 302  # back to the login page


def test_password_then_totp_opens_the_admin(client):
    user = _staff()
    device = _enrolled(user)
    _password_step(client, user)

    response = client.post(reverse("staff-login-verify"), {"otp_token": _code(device)})

    assert response.status_code == 302
    assert client.get(INDEX).status_code == 200


def test_a_replayed_totp_code_is_refused(client):
    user = _staff()
    device = _enrolled(user)
    code = _code(device)
    _password_step(client, user)
    client.post(reverse("staff-login-verify"), {"otp_token": code})
    client.logout()

    _password_step(client, user)
    response = client.post(reverse("staff-login-verify"), {"otp_token": code})

    assert response.status_code == 200
    assert "already used" in response.text
    assert client.get(INDEX).status_code == 302


def test_a_wrong_code_is_refused(client):
    user = _staff()
    device = _enrolled(user)
    _password_step(client, user)

    wrong = _code(device, at=time.time() - 3600)
    response = client.post(reverse("staff-login-verify"), {"otp_token": wrong})

    assert "not valid" in response.text
    assert client.get(INDEX).status_code == 302


def test_new_staff_enrol_then_get_single_use_backup_codes(client):
    # given a member of staff with no authenticator yet
    user = _staff()

    # when they sign in, they are sent to enrolment
    response = _password_step(client, user)
    assert response.url == reverse("staff-login-enrol")
    page = client.get(response.url)
    assert 'src="data:image/svg+xml;base64,' in page.text
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    # and confirming with a code signs them in and shows backup codes
    done = client.post(reverse("staff-login-enrol"), {"otp_token": _code(device)})
    codes = re.findall(r"<li><code>([0-9a-f]{8})</code></li>", done.text)
    assert len(codes) == 10
    assert client.get(INDEX).status_code == 200

    # then a backup code works once
    client.logout()
    _password_step(client, user)
    client.post(reverse("staff-login-verify"), {"otp_token": codes[0]})
    assert client.get(INDEX).status_code == 200
    client.logout()
    _password_step(client, user)
    again = client.post(reverse("staff-login-verify"), {"otp_token": codes[0]})
    assert "not valid" in again.text
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_the_second_step_cannot_be_reached_without_the_first(client):
    response = client.get(reverse("staff-login-verify"))

    assert response.status_code == 302
    assert response.url == reverse("admin:login")


def test_password_reset_never_signs_in(client):
    user = _staff(email="staff@example.com")
    _enrolled(user)

    client.post(reverse("admin_password_reset"), {"email": "staff@example.com"})
    link = re.search(r"/admin/reset/[^/]+/[^/\s]+/", mail.outbox[0].body).group(0)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "a new long passphrase 42",
            "new_password2": "a new long passphrase 42",
        },
    )

    assert client.get(INDEX).status_code == 302
    response = _password_step(client, user, password="a new long passphrase 42")
    assert response.url == reverse("staff-login-verify")
    assert client.get(INDEX).status_code == 302


def test_lockout_of_one_user_does_not_lock_out_a_colleague_on_the_same_address(
    client, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    alice, bob = _staff(), _staff()
    shop = {"REMOTE_ADDR": "203.0.113.7"}

    for _ in range(3):
        _password_step(client, alice, password="wrong", **shop)
    locked = _password_step(client, alice, **shop)
    colleague = _password_step(client, bob, **shop)

    assert locked.status_code == 429
    assert colleague.status_code == 302
    assert colleague.url == reverse("staff-login-enrol")


def test_a_forwarded_for_header_from_an_untrusted_peer_is_ignored(rf, settings):
    from config.security import client_ip

    settings.TRUSTED_PROXIES = frozenset({"10.0.0.1"})
    spoofed = rf.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    proxied = rf.get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.20"
    )

    assert client_ip(spoofed) == "198.51.100.9"
    assert client_ip(proxied) == "198.51.100.20"


def test_spoofing_forwarded_for_does_not_escape_a_lockout(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = _staff()
    for n in range(2):
        _password_step(
            client,
            user,
            password="wrong",
            REMOTE_ADDR="203.0.113.8",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )

    response = _password_step(
        client, user, REMOTE_ADDR="203.0.113.8", HTTP_X_FORWARDED_FOR="192.0.2.99"
    )

    assert response.status_code == 429


# --- Sessions -------------------------------------------------------------------


def _signed_in(client):
    user = _staff()
    client.force_login(user)
    assert client.get(INDEX).status_code == 200
    return user


def test_idle_session_ends(client, settings, monkeypatch):
    from config.middleware import SessionLifetimeMiddleware

    _signed_in(client)
    now = time.time()
    monkeypatch.setattr(
        SessionLifetimeMiddleware,
        "clock",
        staticmethod(lambda: now + settings.SESSION_IDLE_TIMEOUT + 1),
    )

    assert client.get(INDEX).status_code == 302


def test_active_session_ends_at_its_absolute_lifetime(client, settings, monkeypatch):
    from config.middleware import SessionLifetimeMiddleware

    _signed_in(client)
    start = time.time()
    # active every 25 minutes: never idle, but past 12 hours it ends
    for step in range(1, 40):
        at = start + step * 25 * 60
        monkeypatch.setattr(
            SessionLifetimeMiddleware, "clock", staticmethod(lambda at=at: at)
        )
        status = client.get(INDEX).status_code
        if at - start > settings.SESSION_ABSOLUTE_LIFETIME:
            assert status == 302
            break
        assert status == 200
    else:
        pytest.fail("the session never ended")


def _session_writes(client, at, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.middleware import SessionLifetimeMiddleware

    monkeypatch.setattr(SessionLifetimeMiddleware, "clock", staticmethod(lambda: at))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INDEX).status_code == 200
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


def test_a_read_within_the_touch_interval_writes_no_session(client, monkeypatch):
    from config.middleware import SESSION_LAST_SEEN, touch_interval

    _signed_in(client)
    seen = client.session[SESSION_LAST_SEEN]

    assert _session_writes(client, seen + touch_interval() - 1, monkeypatch) == []
    assert client.session[SESSION_LAST_SEEN] == seen


def test_a_read_past_the_touch_interval_moves_last_seen(client, monkeypatch):
    from config.middleware import SESSION_LAST_SEEN, touch_interval

    _signed_in(client)
    later = client.session[SESSION_LAST_SEEN] + touch_interval()

    assert len(_session_writes(client, later, monkeypatch)) == 1
    assert client.session[SESSION_LAST_SEEN] == later


def test_idle_time_counts_from_the_last_write(client, settings, monkeypatch):
    """Reads inside the interval never extend the session past the timeout."""
    from config.middleware import SESSION_LAST_SEEN, SessionLifetimeMiddleware

    _signed_in(client)
    seen = client.session[SESSION_LAST_SEEN]
    _session_writes(client, seen + 10, monkeypatch)
    monkeypatch.setattr(
        SessionLifetimeMiddleware,
        "clock",
        staticmethod(lambda: seen + settings.SESSION_IDLE_TIMEOUT + 1),
    )

    assert client.get(INDEX).status_code == 302


def test_deactivating_staff_ends_their_session(client):
    user = _signed_in(client)

    user.is_active = False
    user.save()

    assert client.get(INDEX).status_code == 302
