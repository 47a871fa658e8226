"""SHARING_KEYS: strict parsing, required in production."""

import pytest

from tests.test_settings import _check

PRODUCTION = {
    "ECRIN_ENVIRONMENT": "production",
    "SECRET_KEY": "a-long-production-secret-for-this-test-only-123456",
    "FIELD_ENCRYPTION_KEYS": "x0u3C0fhI7n8yC1bxtqkE2HGqkYHcKxYpRhbb2d0Z9c=",
    "SUPPRESSION_HASH_KEY": "another-long-random-value-for-this-test-only",
    "ALLOWED_HOSTS": "ecrin.example.com",
    "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.com:587",
}


def test_production_without_a_group_key_stops_start_up():
    result = _check(**PRODUCTION, SHARING_KEYS=None)

    assert result.returncode != 0
    assert "SHARING_KEYS is required when ECRIN_ENVIRONMENT=production" in (
        result.stderr
    )


def test_production_with_a_group_key_starts():
    result = _check(**PRODUCTION, SHARING_KEYS="group:2026a:" + "k" * 40)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("group:" + "k" * 40, "not recipient:key_id:secret"),
        ("group:2026a:short", "shorter than 32 characters"),
        ("Group!:2026a:" + "k" * 40, "recipient 'Group!'"),
        (f"group:a:{'k' * 40},group:a:{'j' * 40}", "key id 'a' appears twice"),
    ],
)
def test_a_malformed_key_stops_start_up_naming_the_variable(value, message):
    result = _check(SHARING_KEYS=value)

    assert result.returncode != 0
    assert "SHARING_KEYS" in result.stderr
    assert message in result.stderr
    assert "k" * 40 not in result.stderr  # the secret is never echoed
