"""Start-up refuses bad configuration with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _check(**env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in env_overrides}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "mysql//nope", "DATABASE_URL is malformed"),
        ("DATABASE_URL", "oracle://u@h/db", "DATABASE_URL is malformed"),
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("ECRIN_ENVIRONMENT", "prod", "ECRIN_ENVIRONMENT='prod' is not allowed"),
        ("HOUSE_PRIMARY_COLOUR", "blue", "HOUSE_PRIMARY_COLOUR='blue' is not a colour"),
        ("CELERY_BROKER_URL", "amqp:/x", "CELERY_BROKER_URL is malformed"),
        ("ADMIN_LIST_PER_PAGE", "lots", "ADMIN_LIST_PER_PAGE='lots' is not a whole"),
        ("DATABASE_CONN_MAX_AGE", "forever", "DATABASE_CONN_MAX_AGE='forever' is not"),
        ("DATABASE_CONN_MAX_AGE", "-1", "DATABASE_CONN_MAX_AGE=-1 must be at least 0"),
        (
            "BUDGET_RATES_EUR",
            "GBP=abc",
            "BUDGET_RATES_EUR: 'GBP=abc' is not a currency",
        ),
        ("BUDGET_RATES_EUR", "GBP=-1", "BUDGET_RATES_EUR: 'GBP=-1' is not a currency"),
        ("BUDGET_RATES_EUR", "POUND=1.1", "'POUND=1.1' is not a currency rate"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(variable, value, message):
    result = _check(**{variable: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_database_url_error_does_not_echo_the_password():
    result = _check(DATABASE_URL="mssql://user:hunter2secret@host/db")

    assert result.returncode != 0
    assert "DATABASE_URL is malformed" in result.stderr
    assert "hunter2secret" not in result.stderr


def test_production_without_secret_key_stops_start_up():
    result = _check(ECRIN_ENVIRONMENT="production", SECRET_KEY=None)

    assert result.returncode != 0
    assert "SECRET_KEY is required when ECRIN_ENVIRONMENT=production" in result.stderr


def test_demo_defaults_start_cleanly():
    result = _check(
        ECRIN_ENVIRONMENT=None, DEBUG=None, DATABASE_URL=None, CELERY_BROKER_URL=None
    )

    assert result.returncode == 0, result.stderr


# --- Database connections (decision 0109) ------------------------------------


def _database_settings(**env_overrides) -> str:
    env = {k: v for k, v in os.environ.items() if k not in env_overrides}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], "
        "d.get('DISABLE_SERVER_SIDE_CURSORS', False))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # Direct to PostgreSQL: a web thread keeps its connection a minute.
        ({"DATABASE_CONN_MAX_AGE": None}, "60 True False"),
        ({"DATABASE_CONN_MAX_AGE": "0"}, "0 True False"),
        ({"DATABASE_CONN_MAX_AGE": "300"}, "300 True False"),
        # Through PgBouncer in transaction mode: a connection per request.
        (
            {"DATABASE_PGBOUNCER_TRANSACTION": "true", "DATABASE_CONN_MAX_AGE": None},
            "0 True True",
        ),
    ],
)
def test_connections_persist_unless_behind_a_transaction_pool(overrides, expected):
    env = {"DATABASE_PGBOUNCER_TRANSACTION": None, **overrides}
    assert _database_settings(**env) == expected


@pytest.mark.parametrize(
    ("pgbouncer", "expected"),
    [
        # Direct: every connection starts with JIT off (decision 0122).
        (None, "-c jit=off"),
        # A transaction pool may refuse startup options: set on the role.
        ("true", ""),
    ],
)
def test_postgresql_connections_start_with_jit_off(pgbouncer, expected):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = "postgres://someone@127.0.0.1:5432/somewhere"
    env.pop("DATABASE_PGBOUNCER_TRANSACTION", None)
    if pgbouncer:
        env["DATABASE_PGBOUNCER_TRANSACTION"] = pgbouncer
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default'].get('OPTIONS', {}).get('options', ''))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


# --- Mail (EMAIL_URL) ---------------------------------------------------------

DEPLOYED = {
    "SECRET_KEY": "a-long-production-secret-for-this-test-only-123456",
    "FIELD_ENCRYPTION_KEYS": "x0u3C0fhI7n8yC1bxtqkE2HGqkYHcKxYpRhbb2d0Z9c=",
    "SUPPRESSION_HASH_KEY": "another-long-random-value-for-this-test-only",
    "SHARING_KEYS": "group:2026a:" + "k" * 40,
    "ALLOWED_HOSTS": "ecrin.example.com",
    "EMAIL_BACKEND": None,
}
SMTP_URL = "smtp+tls://mailer:s3cret-mail-pass@smtp.example.com:587"


def _mail_settings(**env_overrides) -> subprocess.CompletedProcess:
    """What the settings module made of the environment, as text."""
    env = {k: v for k, v in os.environ.items() if k not in env_overrides}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
        "s.EMAIL_USE_TLS)"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_a_deployment_without_email_url_stops_start_up(environment):
    result = _check(ECRIN_ENVIRONMENT=environment, EMAIL_URL=None, **DEPLOYED)

    assert result.returncode != 0
    assert f"EMAIL_URL is required when ECRIN_ENVIRONMENT={environment}" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("consolemail://", "EMAIL_URL has scheme 'consolemail', not allowed"),
        ("memorymail://", "EMAIL_URL has scheme 'memorymail', not allowed"),
        ("smtp.example.com", "EMAIL_URL has scheme 'missing', not allowed"),
        ("smtp+tls://mailer:pw@:587", "EMAIL_URL is malformed: no SMTP host"),
    ],
)
def test_a_deployment_refuses_mail_that_goes_nowhere(value, message):
    result = _check(ECRIN_ENVIRONMENT="production", EMAIL_URL=value, **DEPLOYED)

    assert result.returncode != 0
    assert message in result.stderr


def test_an_email_url_error_does_not_echo_the_password():
    result = _check(
        ECRIN_ENVIRONMENT="production",
        EMAIL_URL="http://mailer:hunter2secret@smtp.example.com",
        **DEPLOYED,
    )

    assert result.returncode != 0
    assert "EMAIL_URL has scheme 'http'" in result.stderr
    assert "hunter2secret" not in result.stderr


def test_a_deployment_sends_mail_through_the_smtp_server_of_email_url():
    result = _mail_settings(
        ECRIN_ENVIRONMENT="production", EMAIL_URL=SMTP_URL, **DEPLOYED
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
        "587",
        "mailer",
        "True",
    ]


def test_the_demo_prints_mail_to_the_console_without_email_url():
    result = _mail_settings(
        ECRIN_ENVIRONMENT="demo", EMAIL_URL=None, EMAIL_BACKEND=None
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.core.mail.backends.console.EmailBackend"


def test_the_old_email_backend_variable_is_refused_rather_than_ignored():
    result = _check(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend")

    assert result.returncode != 0
    assert "EMAIL_BACKEND is no longer read: set EMAIL_URL instead" in result.stderr
