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
