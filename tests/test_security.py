"""Deployment settings, headers, logs, encryption at rest."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.urls import reverse

from clienteling.models import MetalAllergy
from config.logging import PersonalDataFilter, mask
from core import hooks
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, adviser

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_under_production_settings():
    env = {
        **os.environ,
        "ECRIN_ENVIRONMENT": "production",
        "SECRET_KEY": "x7#" + "k9Lp2vQ8" * 8,
        "ALLOWED_HOSTS": "ecrin.example.com",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SUPPRESSION_HASH_KEY": "s" * 50,
        "SHARING_KEYS": "group:2026a:" + "g" * 40,
        "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.com:587",
    }
    # Set by the test suite for Playwright only; never in a deployment.
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_field_encryption_keys_stops_start_up():
    env = {
        **os.environ,
        "ECRIN_ENVIRONMENT": "production",
        "SECRET_KEY": "y" * 60,
        "SUPPRESSION_HASH_KEY": "s" * 50,
    }
    env.pop("FIELD_ENCRYPTION_KEYS", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is required" in result.stderr


@pytest.mark.django_db
def test_security_headers_on_an_authenticated_client_page(client):
    boutique = BoutiqueFactory()
    target = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))

    response = client.get(reverse("admin:clienteling_client_change", args=[target.pk]))

    csp = response["Content-Security-Policy"]
    script_src = next(p for p in csp.split("; ") if p.startswith("script-src"))
    assert script_src == "script-src 'self'"
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_session_cookie_is_httponly_and_both_cookies_are_samesite_lax(client):
    # The cookies as the browser receives them from the real sign-in, not
    # the settings that are meant to shape them.
    user = adviser(BoutiqueFactory())
    user.set_password("correct horse battery")
    user.save()

    login_page = client.get("/admin/login/")
    signed_in = client.post(
        "/admin/login/",
        {"username": user.username, "password": "correct horse battery"},
    )

    csrf = login_page.cookies["csrftoken"]
    session = signed_in.cookies["sessionid"]
    assert session.value
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert csrf["samesite"] == "Lax"


def test_logs_mask_emails_phones_cards_and_ibans(caplog):
    logger = logging.getLogger("ecrin.test")
    logger.addFilter(PersonalDataFilter())
    try:
        with caplog.at_level(logging.INFO, logger="ecrin.test"):
            logger.info(
                "client %s called from %s paying with %s into %s",
                "ada@example.com",
                "+33 1 99 00 12 34",
                "4111 1111 1111 1111",
                "FR76 3000 6000 0112 3456 7890 189",
            )
    finally:
        logger.filters.clear()

    text = caplog.records[0].getMessage()
    for secret in ("ada@example.com", "99 00 12 34", "4111", "FR76"):
        assert secret not in text
    assert "[email]" in text


def test_mask_leaves_ordinary_numbers_alone():
    assert mask("order 12345 for 3 rings") == "order 12345 for 3 rings"


@pytest.mark.django_db
def test_allergy_notes_are_encrypted_at_rest_including_history():
    from clienteling import services

    with hooks.override("allergy_gate", lambda client: None):
        allergy = services.allergy_record(
            acting_user=None,
            client=ClientFactory(),
            metal="nickel",
            notes="MARKER-RASH",
        )

    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM clienteling_metalallergy")
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT notes FROM clienteling_historicalmetalallergy")
        history = [row[0] for row in cursor.fetchall()]

    assert "MARKER-RASH" not in stored
    assert stored.startswith("fernet:")
    assert history
    assert all("MARKER-RASH" not in h for h in history)
    assert MetalAllergy.objects.get(pk=allergy.pk).notes == "MARKER-RASH"


@pytest.mark.django_db
def test_rotated_keys_still_read_old_values(settings):
    from clienteling import services

    with hooks.override("allergy_gate", lambda client: None):
        allergy = services.allergy_record(
            acting_user=None, client=ClientFactory(), metal="cobalt", notes="old key"
        )
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]

    assert MetalAllergy.objects.get(pk=allergy.pk).notes == "old key"


@pytest.mark.django_db
def test_rotate_field_keys_re_encrypts_under_the_new_key(settings):
    from django.core.management import call_command

    from clienteling import services

    with hooks.override("allergy_gate", lambda client: None):
        services.allergy_record(
            acting_user=None, client=ClientFactory(), metal="cobalt", notes="rotate me"
        )
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, *old]

    call_command("rotate_field_keys")

    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key is gone
    assert MetalAllergy.objects.get().notes == "rotate me"
    assert MetalAllergy.history.get().notes == "rotate me"
