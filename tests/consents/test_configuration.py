from tests.test_settings import _check


def test_production_without_suppression_hash_key_stops_start_up():
    result = _check(
        ECRIN_ENVIRONMENT="production",
        SECRET_KEY="a-long-production-secret-for-this-test-only-123456",
        FIELD_ENCRYPTION_KEYS="x0u3C0fhI7n8yC1bxtqkE2HGqkYHcKxYpRhbb2d0Z9c=",
        SUPPRESSION_HASH_KEY=None,
    )

    assert result.returncode != 0
    assert "SUPPRESSION_HASH_KEY is required" in result.stderr


def test_bad_scan_size_limit_stops_start_up_naming_the_variable():
    result = _check(CONSENT_SCAN_MAX_BYTES="ten megabytes")

    assert result.returncode != 0
    assert "CONSENT_SCAN_MAX_BYTES='ten megabytes' is not a whole" in result.stderr


def test_production_with_the_key_starts(settings):
    result = _check(
        ECRIN_ENVIRONMENT="production",
        SECRET_KEY="a-long-production-secret-for-this-test-only-123456",
        SUPPRESSION_HASH_KEY="another-long-random-value-for-this-test-only",
        FIELD_ENCRYPTION_KEYS="x0u3C0fhI7n8yC1bxtqkE2HGqkYHcKxYpRhbb2d0Z9c=",
        ALLOWED_HOSTS="ecrin.example.com",
        SHARING_KEYS="group:2026a:" + "k" * 40,
        EMAIL_URL="smtp+tls://mailer:pw@smtp.example.com:587",
    )

    assert result.returncode == 0, result.stderr
