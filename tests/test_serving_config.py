"""Serving configuration: private files never static, proxy header, logs."""

import pytest

from config.checks import private_files_are_not_static
from tests.test_settings import _check


def test_private_storage_under_static_root_is_an_error(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "public"
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "public" / "private"

    errors = private_files_are_not_static()

    assert [e.id for e in errors] == ["ecrin.E031"]
    assert "PRIVATE_STORAGE_ROOT" in errors[0].msg
    assert "STATIC_ROOT" in errors[0].msg


def test_the_project_folder_under_static_root_is_an_error(settings):
    settings.STATIC_ROOT = settings.BASE_DIR.parent

    messages = [e.msg for e in private_files_are_not_static()]

    assert any("the project folder (.env, keys)" in m for m in messages), messages


def test_the_default_layout_is_clean():
    assert private_files_are_not_static() == []


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LOG_FORMAT", "xml", "LOG_FORMAT='xml' is not allowed"),
        (
            "SECURE_PROXY_SSL_HEADER",
            "X-Forwarded-Proto: https",
            "SECURE_PROXY_SSL_HEADER='X-Forwarded-Proto: https' is not a header",
        ),
        ("WEB_WORKERS", "0", "WEB_WORKERS=0 must be at least 1"),
        ("STATIC_MANIFEST", "maybe", "STATIC_MANIFEST='maybe' is not a boolean"),
    ],
)
def test_bad_serving_values_stop_start_up(variable, value, message):
    result = _check(**{variable: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_the_start_up_path_says_what_is_off_and_where_mail_goes(settings):
    from config.serve import notices

    settings.SESSION_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.STATIC_MANIFEST = True
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

    said = notices(settings)

    assert said == [
        "Plain HTTP: secure cookies (SECURE_COOKIES), the HTTPS redirect "
        "(SECURE_SSL_REDIRECT), HSTS (SECURE_HSTS_SECONDS) OFF. Fine on "
        "localhost; never behind a public address.",
        "Mail (password-reset links) is printed to this terminal: set "
        "EMAIL_URL to send it through an SMTP server.",
    ]


def test_a_production_configuration_starts_without_notices(settings):
    from config.serve import notices

    settings.SESSION_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.STATIC_MANIFEST = True
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

    assert notices(settings) == []
