"""Every API error as `{"errors": {"field": ["message"]}}`.

DRF's handler sets the status code and headers (Retry-After for 429,
WWW-Authenticate for 401); this reshapes its body so each message names
the field it is about. An error about no one field names the part of the
request it is about: "authorization", "body", "content_type", "rate".
"""

from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

# The part of the request an error that names no field is about.
_PART = {
    exceptions.NotAuthenticated: "authorization",
    exceptions.AuthenticationFailed: "authorization",
    exceptions.ParseError: "body",
    exceptions.UnsupportedMediaType: "content_type",
    exceptions.Throttled: "rate",
    exceptions.MethodNotAllowed: "method",
}


class ApiError(exceptions.APIException):
    """An error about one field, with a short reason for the access log."""

    def __init__(self, *, status_code: int, field: str, message, reason: str):
        super().__init__(detail={field: [message]})
        self.status_code = status_code
        self.reason = reason


class BodyTooLarge(ApiError):
    def __init__(self, message):
        super().__init__(
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            field="body",
            message=message,
            reason="too_large",
        )


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "body" if key == "non_field_errors" else str(key)
            flat.update(
                _flatten(value, f"{prefix}{name}" if not prefix else f"{prefix}.{name}")
            )
        return flat
    if isinstance(detail, list):
        if detail and all(isinstance(d, dict | list) for d in detail):
            flat = {}
            for n, item in enumerate(detail):
                flat.update(_flatten(item, f"{prefix}.{n}"))
            return flat
        return {prefix or "body": [str(d) for d in detail]}
    return {prefix or "body": [str(detail)]}


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = getattr(exc, "detail", response.data)
    if not isinstance(detail, dict):
        part = next((p for t, p in _PART.items() if isinstance(exc, t)), "body")
        detail = {part: detail if isinstance(detail, list) else [detail]}
    response.data = {"errors": _flatten(detail)}
    view = context.get("view")
    if view is not None:
        view.outcome_reason = getattr(exc, "reason", None) or _reason(exc)
    return response


def _reason(exc) -> str:
    return {
        exceptions.NotAuthenticated: "no_key",
        exceptions.AuthenticationFailed: "wrong_key",
        exceptions.ParseError: "malformed",
        exceptions.UnsupportedMediaType: "media_type",
        exceptions.Throttled: "rate_limited",
        exceptions.MethodNotAllowed: "method",
        exceptions.ValidationError: "invalid",
    }.get(type(exc), "error")
