"""The website intake API's endpoints (decision 0075).

Each call, in order: the body's declared size (413 before reading it),
the key (401), the key's rate (429 with Retry-After), the JSON (400), the
fields (422), the event id (a replay answers 200 with the first result,
the same id with another body 409), then one service in a transaction.
Every call, refused or not, leaves one access-log row: the website, the
endpoint, the status and a short reason; never the body.
"""

import hashlib
import json
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from consents.api import serializers as s
from consents.api.errors import ApiError
from consents.api.keys import KeyRefused, website_key_authenticate
from consents.api.parsers import CappedJSONParser, too_large
from consents.api.services import (
    ClientNotFound,
    cookie_choice_record,
    website_account_record,
    website_client_get,
    website_consent_record,
    website_event_record,
)
from consents.models import WebsiteApiCall, WebsiteClient
from core.access_log import AccessLogEntry
from core.services import access_log_record


class KeyFailed(exceptions.AuthenticationFailed):
    def __init__(self, refused: KeyRefused):
        super().__init__(detail={"authorization": [refused.message]})
        self.reason = refused.reason


class WebsiteKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`; request.auth is (website, key row)."""

    def authenticate(self, request):
        scheme, _sep, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer":
            key = ""
        try:
            website, row = website_key_authenticate(key=key.strip())
        except KeyRefused as refused:
            raise KeyFailed(refused) from None
        return (None, (website, row))

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class WebsiteKeyScheme(OpenApiAuthenticationExtension):
    target_class = WebsiteKeyAuthentication
    name = "websiteKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


def _unprocessable(errors: dict) -> ApiError:
    exc = ApiError(
        status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
        field="body",
        message="",
        reason="invalid",
    )
    exc.detail = errors
    return exc


# The rate limit's clock (tests set it).
_clock = time.time


def _rate_check(key_id: int) -> None:
    """A fixed one-minute window per key, counted in the website_api cache
    (Redis when configured, shared by every worker)."""
    now = _clock()
    window = int(now // 60)
    cache = caches["website_api"]
    counter = f"rate:{key_id}:{window}"
    cache.add(counter, 0, timeout=120)
    try:
        calls = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=120)
        calls = 1
    if calls > settings.WEBSITE_API_CALLS_PER_MINUTE:
        wait = max(1, int(60 - now % 60))
        exc = exceptions.Throttled(
            wait=wait,
            detail=_("Too many calls with this key: try again in %(wait)s seconds.")
            % {"wait": wait},
        )
        raise exc


ERRORS = {
    code: OpenApiResponse(s.ErrorAnswer, description=what)
    for code, what in {
        400: "Malformed JSON, or a body that is not a JSON object.",
        401: "No key, a wrong key, or a key rotated out.",
        404: "No client with this number among the website's clients.",
        409: "This event id was used with another body.",
        413: "The body is larger than the limit.",
        422: "A field is missing or refused; the error names it.",
        429: "Too many calls with this key; see Retry-After.",
    }.items()
}


class WebsiteApiView(APIView):
    authentication_classes = [WebsiteKeyAuthentication]
    parser_classes = [CappedJSONParser]
    endpoint = ""
    request_serializer: type[s.StrictSerializer]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.website_client: WebsiteClient | None = None
        self.outcome_reason = ""

    def initial(self, request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.WEBSITE_API_MAX_BODY_BYTES:
            raise too_large()
        super().initial(request, *args, **kwargs)
        self.website_client, key_row = request.auth
        _rate_check(key_row.pk)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        access_log_record(
            acting_user=None,
            action=AccessLogEntry.Action.API_CALL,
            target=WebsiteClient,
            object_id=self.website_client.pk if self.website_client else None,
            path=request.path,
            outcome=f"{response.status_code} {self.outcome_reason}".strip(),
        )
        return response

    def post(self, request):
        body = request.data
        # No body at all: DRF has no stream and answers an empty dict.
        if request.stream is None or not isinstance(body, dict):
            raise exceptions.ParseError(_("The body must be a JSON object."))
        serializer = self.request_serializer(data=body)
        if not serializer.is_valid():
            raise _unprocessable(serializer.errors)
        data = serializer.validated_data
        digest = hashlib.sha256(
            json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        replay = self._replay(data["event_id"], digest)
        if replay is not None:
            return replay
        try:
            with transaction.atomic():
                code, answer, client = self.perform(data)
                if client is not None:
                    WebsiteApiCall.objects.create(
                        website_client=self.website_client,
                        event_id=data["event_id"],
                        endpoint=self.endpoint,
                        body_sha256=digest,
                        status_code=code,
                        response=answer,
                        client=client,
                        at=timezone.now(),
                    )
        except DjangoValidationError as exc:
            errors = (
                exc.message_dict
                if hasattr(exc, "error_dict")
                else {"body": exc.messages}
            )
            raise _unprocessable(errors) from None
        except ClientNotFound:
            raise ApiError(
                status_code=status.HTTP_404_NOT_FOUND,
                field="client_number",
                message=_("No client with this number is known to this website."),
                reason="unknown_client",
            ) from None
        except IntegrityError:
            # The same event id sent twice at once: the first one won.
            replay = self._replay(data["event_id"], digest)
            if replay is None:
                raise
            return replay
        self.outcome_reason = self.outcome_reason or "ok"
        return Response(answer, status=code)

    def _replay(self, event_id: str, digest: str) -> Response | None:
        call = WebsiteApiCall.objects.filter(
            website_client=self.website_client, event_id=event_id
        ).first()
        if call is None:
            return None
        if call.endpoint != self.endpoint or call.body_sha256 != digest:
            raise ApiError(
                status_code=status.HTTP_409_CONFLICT,
                field="event_id",
                message=_(
                    "This event id was already used with another body: "
                    "a new call needs a new event id."
                ),
                reason="event_id_reused",
            )
        self.outcome_reason = "replayed"
        return Response(call.response, status=status.HTTP_200_OK)

    def perform(self, data: dict):
        """(status code, answer, client) of the call; client None writes no
        replay row (nothing was stored)."""
        raise NotImplementedError

    def client_of(self, data: dict):
        return website_client_get(
            website_client=self.website_client, client_number=data["client_number"]
        )


class AccountView(WebsiteApiView):
    endpoint = "accounts"
    request_serializer = s.AccountRequest

    @extend_schema(
        operation_id="accounts_create",
        summary="Create or match a client from the website account form",
        request=s.AccountRequest,
        responses={
            201: s.AccountAnswer,
            200: OpenApiResponse(
                s.AccountAnswer, description="Matched by email, or a replay."
            ),
            **ERRORS,
        },
    )
    def post(self, request):
        return super().post(request)

    def perform(self, data):
        values = {k: data[k] for k in s.CLIENT_VALUE_FIELDS if data.get(k)}
        result = website_account_record(
            website_client=self.website_client,
            values=values,
            services=data["services"],
            consents=data["consents"],
            language=data["language"],
            ip_address=data["ip_address"],
            user_agent=data["user_agent"],
        )
        answer = {
            "client_number": result.client.client_number,
            "created": result.created,
            "decisions": [
                {"purpose": d.purpose.code, "decision": d.decision}
                for d in result.decisions
            ],
        }
        self.outcome_reason = "created" if result.created else "matched"
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return code, answer, result.client


class ConsentView(WebsiteApiView):
    endpoint = "consents"
    request_serializer = s.ConsentRequest

    @extend_schema(
        operation_id="consents_create",
        summary="Record a consent granted or withdrawn on the website",
        request=s.ConsentRequest,
        responses={
            201: s.ConsentAnswer,
            200: OpenApiResponse(s.ConsentAnswer, description="A replay."),
            **ERRORS,
        },
    )
    def post(self, request):
        return super().post(request)

    def perform(self, data):
        client = self.client_of(data)
        row = website_consent_record(
            website_client=self.website_client,
            client=client,
            purpose_code=data["purpose"],
            decision=data["decision"],
            language=data["language"],
            ip_address=data["ip_address"],
            user_agent=data["user_agent"],
        )
        answer = {
            "client_number": client.client_number,
            "purpose": data["purpose"],
            "decision": row.decision,
        }
        return status.HTTP_201_CREATED, answer, client


class CookieChoiceView(WebsiteApiView):
    endpoint = "cookie-choices"
    request_serializer = s.CookieChoiceRequest

    @extend_schema(
        operation_id="cookie_choices_create",
        summary="Record the client's cookie and tracker choices",
        request=s.CookieChoiceRequest,
        responses={
            201: s.CookieChoiceAnswer,
            200: OpenApiResponse(s.CookieChoiceAnswer, description="A replay."),
            **ERRORS,
        },
    )
    def post(self, request):
        return super().post(request)

    def perform(self, data):
        client = self.client_of(data)
        choice = cookie_choice_record(
            website_client=self.website_client,
            client=client,
            preferences=data["preferences"],
            statistics=data["statistics"],
            advertising=data["advertising"],
        )
        answer = {
            "client_number": client.client_number,
            "cookie_consent": client.cookie_consent,
            "preferences": choice.preferences,
            "statistics": choice.statistics,
            "advertising": choice.advertising,
        }
        return status.HTTP_201_CREATED, answer, client


NOT_STORED = "not stored: cookie choice"


class WebEventView(WebsiteApiView):
    endpoint = "web-events"
    request_serializer = s.WebEventRequest

    @extend_schema(
        operation_id="web_events_create",
        summary="Record a web event, if the client's cookie choice allows it",
        request=s.WebEventRequest,
        responses={
            201: s.WebEventAnswer,
            200: OpenApiResponse(s.WebEventAnswer, description="A replay."),
            202: OpenApiResponse(
                s.WebEventAnswer,
                description="Not stored: the client's cookie choice does not "
                "allow this kind of event. Nothing was written.",
            ),
            **ERRORS,
        },
    )
    def post(self, request):
        return super().post(request)

    def perform(self, data):
        client = self.client_of(data)
        event = website_event_record(
            website_client=self.website_client,
            client=client,
            event_id=data["event_id"],
            kind=data["kind"],
            product_reference=data["product_reference"],
            occurred_at=data["occurred_at"],
        )
        if event is None:
            self.outcome_reason = "not_stored_cookie_choice"
            return (
                status.HTTP_202_ACCEPTED,
                {"stored": False, "reason": NOT_STORED},
                None,
            )
        return status.HTTP_201_CREATED, {"stored": True}, client
