"""The request log and request ids (config.middleware, config.logging)."""

import json
import logging

import pytest

from config.celery import carry_the_request_id
from config.logging import (
    TASK_HEADER,
    JsonFormatter,
    PersonalDataFilter,
    RequestIdFilter,
    request_id_var,
)
from tests.clienteling.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request_lines(caplog):
    return [r for r in caplog.records if r.name == "ecrin.request"]


def test_one_line_per_request_with_id_method_path_status_duration_user(client, caplog):
    user = UserFactory(is_staff=True, email="alice@example.com")
    client.force_login(user)

    with caplog.at_level("INFO", logger="ecrin.request"):
        response = client.get("/admin/?q=alice%40example.com")

    [line] = _request_lines(caplog)
    assert line.method == "GET"
    assert line.path == "/admin/"  # no query string
    assert line.status == response.status_code == 200
    assert line.user_id == user.pk
    assert isinstance(line.duration_ms, float)
    assert line.request_id == response["X-Request-ID"]
    assert len(line.request_id) == 32


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("lb-7f3a9c21-0001", True),
        ("short", False),  # under 8 characters
        ("has spaces in it ok", False),
        ("x" * 200, False),
        ("<script>alert(1)</script>", False),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_well_formed(
    client, caplog, incoming, kept
):
    with caplog.at_level("INFO", logger="ecrin.request"):
        response = client.get("/health/live", HTTP_X_REQUEST_ID=incoming)

    assert (response["X-Request-ID"] == incoming) is kept
    if not kept:
        assert len(response["X-Request-ID"]) == 32


def _format(record: logging.LogRecord) -> dict:
    PersonalDataFilter().filter(record)
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_a_json_line_masks_the_message_and_every_extra_field():
    record = logging.LogRecord(
        "clienteling",
        logging.WARNING,
        __file__,
        1,
        "no client %s",
        ("a@b.example",),
        None,
    )
    record.path = "/admin/?q=alice@example.com"
    record.phone = "+33 1 99 00 42 42"
    record.request = object()  # objects are left out, not guessed at
    token = request_id_var.set("req-12345678")
    try:
        line = _format(record)
    finally:
        request_id_var.reset(token)

    assert line["message"] == "no client [email]"
    assert line["path"] == "/admin/?q=[email]"
    assert line["phone"] == "[phone]"
    assert "request" not in line
    assert line["request_id"] == "req-12345678"
    assert line["level"] == "WARNING"
    assert line["logger"] == "clienteling"


def test_a_line_outside_any_request_has_no_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "started", (), None)

    assert _format(record)["request_id"] is None


def test_a_task_enqueued_during_a_request_carries_its_id():
    headers = {}
    token = request_id_var.set("req-abcdef12")
    try:
        carry_the_request_id(headers=headers)
    finally:
        request_id_var.reset(token)
    outside = {}
    carry_the_request_id(headers=outside)

    assert headers == {TASK_HEADER: "req-abcdef12"}
    assert outside == {}


def test_a_password_reset_link_is_logged_without_its_token(client, caplog):
    user = UserFactory()
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)

    with caplog.at_level("INFO", logger="ecrin.request"):
        client.get(f"/admin/reset/{uid}/{token}/")

    [line] = _request_lines(caplog)
    assert line.path == "/admin/reset/<uidb64>/<token>/"
    assert token not in caplog.text
