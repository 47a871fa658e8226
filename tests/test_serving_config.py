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
