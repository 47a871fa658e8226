"""The website intake API (consents.api, decision 0075).

Every bad input of the issue answers its status code and a JSON error
naming the field, and writes nothing (row counts before and after); every
call, refused or not, leaves one access-log row.
"""

import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Client, ClientEmail, WebEvent
from consents import registry
from consents.api import views
from consents.api.errors import BodyTooLarge
from consents.api.keys import website_key_issue
from consents.api.parsers import CappedJSONParser
from consents.models import (
    Channel,
    ConsentDecision,
    CookieChoice,
    WebsiteApiCall,
    WebsiteApiKey,
)
from core.access_log import AccessLogEntry
from tests.clienteling.factories import BoutiqueFactory, ClientFactory
from tests.consents.factories import website_with_key

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"


def url(name: str) -> str:
    return reverse(f"website-api:{name}")


def call(client, name: str, body, key: str | None = None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        url(name), raw, content_type="application/json", **headers, **extra
    )


def written() -> dict[str, int]:
    """The rows a call may write, counted."""
    return {
        "clients": Client.objects.count(),
        "emails": ClientEmail.objects.count(),
        "decisions": ConsentDecision.objects.count(),
        "cookie_choices": CookieChoice.objects.count(),
        "web_events": WebEvent.objects.count(),
        "calls": WebsiteApiCall.objects.count(),
        "client_history": Client.history.count(),
    }


def api_log():
    return AccessLogEntry.objects.filter(action=AccessLogEntry.Action.API_CALL)


def account_body(**overrides):
    body = {
        "event_id": "acc-1",
        "services": ["my_account"],
        "consents": [registry.NEWSLETTERS],
        "first_name": "Camille",
        "last_name": "Exemple",
        "email": "camille@example.com",
        "language": "en",
        "ip_address": IP,
        "user_agent": "Mozilla/5.0 (test)",
    }
    body.update(overrides)
    return body


@pytest.fixture
def site():
    boutique = BoutiqueFactory()
    website, key = website_with_key(boutique)
    return website, key, boutique


@pytest.fixture
def known(site):
    website, key, boutique = site
    return ClientFactory(home_boutique=boutique)


# --- Keys -----------------------------------------------------------------------


def test_no_key_is_401_naming_authorization_and_writes_nothing(client):
    before = written()

    response = call(client, "accounts", account_body())

    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["authorization"]
    assert "No API key" in response.json()["errors"]["authorization"][0]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert written() == before
    entry = api_log().get()
    assert entry.outcome == "401 no_key"
    assert entry.object_id == ""


def test_wrong_key_is_401_and_writes_nothing(client, site):
    _website, key, _boutique = site
    before = written()

    response = call(client, "accounts", account_body(), key=key[:-3] + "abc")

    assert response.status_code == 401
    assert response.json()["errors"]["authorization"] == ["This API key is not valid."]
    assert written() == before
    assert api_log().get().outcome == "401 wrong_key"


def test_a_website_switched_off_is_401(client, site):
    website, key, _boutique = site
    website.is_active = False
    website.save()
    before = written()

    response = call(client, "accounts", account_body(), key=key)

    assert response.status_code == 401
    assert "switched off" in response.json()["errors"]["authorization"][0]
    assert written() == before


def test_key_is_stored_as_a_digest_with_a_prefix(site):
    website, key, _boutique = site
    row = WebsiteApiKey.objects.get(website_client=website)
    assert key.startswith(f"ecr_{row.prefix}_")
    assert key not in (row.digest, row.prefix)
    assert len(row.digest) == 64


def test_rotated_key_works_in_its_grace_period_then_is_401(client, site, settings):
    website, old_key, _boutique = site
    settings.WEBSITE_API_KEY_GRACE_HOURS = 24
    new_key = website_key_issue(acting_user=None, website_client=website).key

    # within the grace period both keys work
    assert call(client, "accounts", account_body(), key=old_key).status_code == 201
    assert (
        call(
            client,
            "accounts",
            account_body(event_id="acc-2", email="b@example.com"),
            key=new_key,
        ).status_code
        == 201
    )

    # after it the old key is refused, naming why, and writes nothing
    WebsiteApiKey.objects.filter(valid_until__isnull=False).update(
        valid_until=timezone.now() - timedelta(seconds=1)
    )
    before = written()
    response = call(
        client,
        "accounts",
        account_body(event_id="acc-3", email="c@example.com"),
        key=old_key,
    )
    assert response.status_code == 401
    assert "replaced by a newer one" in response.json()["errors"]["authorization"][0]
    assert written() == before
    assert api_log().order_by("-id").first().outcome == "401 rotated_out"
    # and the new key still works
    assert (
        call(
            client,
            "accounts",
            account_body(event_id="acc-3", email="c@example.com"),
            key=new_key,
        ).status_code
        == 201
    )


# --- Bodies ---------------------------------------------------------------------


def test_malformed_json_is_400_naming_the_body(client, site):
    _website, key, _boutique = site
    before = written()

    response = call(client, "accounts", '{"event_id": "x",', key=key)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body"]
    assert "not valid JSON" in response.json()["errors"]["body"][0]
    assert written() == before


def test_a_json_list_is_400(client, site):
    _website, key, _boutique = site
    response = call(client, "accounts", "[1, 2]", key=key)
    assert response.status_code == 400
    assert response.json()["errors"]["body"] == ["The body must be a JSON object."]


def test_no_body_is_400_and_an_empty_object_names_the_missing_fields(client, site):
    _website, key, _boutique = site

    nothing = call(client, "accounts", "", key=key)
    empty = call(client, "accounts", {}, key=key)

    assert nothing.status_code == 400
    assert nothing.json()["errors"] == {"body": ["The body must be a JSON object."]}
    assert empty.status_code == 422
    assert {"event_id", "services", "ip_address"} <= set(empty.json()["errors"])


def test_a_form_encoded_body_is_415_naming_the_content_type(client, site):
    _website, key, _boutique = site

    response = client.post(
        url("accounts"), {"event_id": "x"}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )

    assert response.status_code == 415
    assert list(response.json()["errors"]) == ["content_type"]


def test_a_10_mb_body_is_413_and_writes_nothing(client, site):
    _website, key, _boutique = site
    before = written()
    big = json.dumps(account_body(user_agent="x" * (10 * 1024 * 1024)))

    response = call(client, "accounts", big, key=key)

    assert response.status_code == 413
    assert response.json() == {"errors": {"body": ["The body is larger than 64 KB."]}}
    assert written() == before
    assert api_log().get().outcome == "413 too_large"


def test_the_parser_reads_no_further_than_the_limit(settings):
    settings.WEBSITE_API_MAX_BODY_BYTES = 65536
    stream = io.BytesIO(b"{" + b" " * (10 * 1024 * 1024))

    with pytest.raises(BodyTooLarge):
        CappedJSONParser().parse(stream)

    assert stream.tell() == 65536 + 1


def test_an_unknown_field_is_422_naming_it(client, site):
    _website, key, _boutique = site
    before = written()

    response = call(client, "accounts", account_body(favourite_colour="red"), key=key)

    assert response.status_code == 422
    assert response.json()["errors"] == {"favourite_colour": ["Unknown field."]}
    assert written() == before


# --- Accounts -------------------------------------------------------------------


def test_account_creates_a_web_client_with_its_ledger_rows(client, site):
    website, key, boutique = site

    response = call(client, "accounts", account_body(), key=key)

    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["created"] is True
    assert answer["decisions"] == [
        {"purpose": registry.NEWSLETTERS, "decision": "grant"}
    ]
    created = Client.objects.get(client_number=answer["client_number"])
    assert created.source == Client.Source.WEB
    assert created.home_boutique == boutique
    assert created.emails.get().address == "camille@example.com"
    row = ConsentDecision.objects.get(client=created)
    assert row.channel == Channel.WEBSITE
    assert row.ip_address == IP
    assert row.wording.version.template.kind == "website"
    entry = api_log().get()
    assert entry.object_id == str(website.pk)
    assert entry.path == url("accounts")
    assert entry.outcome == "201 created"


def test_account_enforces_the_website_forms_mandatory_fields(client, site):
    _website, key, _boutique = site
    before = written()

    response = call(client, "accounts", account_body(email="", last_name=""), key=key)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"email", "last_name"}
    assert "compulsory" in errors["email"][0]
    assert written() == before


def test_account_matches_the_websites_client_by_email(client, site):
    _website, key, boutique = site
    existing = ClientFactory(home_boutique=boutique)
    ClientEmail.objects.create(client=existing, address="camille@example.com")
    clients = Client.objects.count()

    response = call(client, "accounts", account_body(), key=key)

    assert response.status_code == 200
    assert response.json()["created"] is False
    assert response.json()["client_number"] == existing.client_number
    assert Client.objects.count() == clients


def test_account_of_an_email_known_to_another_website_creates_a_client(client, site):
    _website, key, _boutique = site
    elsewhere = ClientFactory()  # another boutique
    ClientEmail.objects.create(client=elsewhere, address="camille@example.com")

    response = call(client, "accounts", account_body(), key=key)

    assert response.status_code == 201
    assert response.json()["client_number"] != elsewhere.client_number


# --- Idempotency ----------------------------------------------------------------


def test_a_replayed_event_id_answers_the_first_result_and_writes_nothing(client, site):
    _website, key, _boutique = site
    first = call(client, "accounts", account_body(), key=key)
    assert first.status_code == 201
    before = written()

    again = call(client, "accounts", account_body(), key=key)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert written() == before
    assert api_log().order_by("-id").first().outcome == "200 replayed"


def test_an_event_id_reused_with_another_body_is_409(client, site):
    _website, key, _boutique = site
    assert call(client, "accounts", account_body(), key=key).status_code == 201
    before = written()

    response = call(
        client, "accounts", account_body(email="other@example.com"), key=key
    )

    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["event_id"]
    assert written() == before


def test_event_ids_are_per_website(client, site):
    _website, key, boutique = site
    _other, other_key = website_with_key(boutique)
    assert call(client, "accounts", account_body(), key=key).status_code == 201

    response = call(
        client, "accounts", account_body(email="b@example.com"), key=other_key
    )

    assert response.status_code == 201


# --- Consents -------------------------------------------------------------------


def consent_body(client_number: str, **overrides):
    body = {
        "event_id": "con-1",
        "client_number": client_number,
        "purpose": registry.NEWSLETTERS,
        "decision": "grant",
        "language": "en",
        "ip_address": IP,
    }
    body.update(overrides)
    return body


def test_consent_grant_then_withdraw(client, site, known):
    _website, key, _boutique = site

    granted = call(client, "consents", consent_body(known.client_number), key=key)
    withdrawn = call(
        client,
        "consents",
        consent_body(known.client_number, event_id="con-2", decision="withdraw"),
        key=key,
    )

    assert granted.status_code == 201, granted.json()
    assert withdrawn.status_code == 201, withdrawn.json()
    rows = list(
        ConsentDecision.objects.filter(client=known)
        .order_by("id")
        .values_list("decision", "channel", "ip_address")
    )
    assert rows == [("grant", "website", IP), ("withdraw", "website", IP)]


def test_consent_for_a_contract_purpose_is_422_naming_purpose(client, site, known):
    _website, key, _boutique = site
    before = written()

    response = call(
        client,
        "consents",
        consent_body(known.client_number, purpose="my_account"),
        key=key,
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == ["purpose"]
    assert "not consent" in errors["purpose"][0]
    assert written() == before


def test_consent_for_a_client_of_another_website_is_404(client, site):
    _website, key, _boutique = site
    stranger = ClientFactory()  # a boutique the website does not serve
    before = written()

    response = call(client, "consents", consent_body(stranger.client_number), key=key)

    assert response.status_code == 404
    assert list(response.json()["errors"]) == ["client_number"]
    assert written() == before
    assert api_log().get().outcome == "404 unknown_client"


def test_allergy_consent_is_never_taken_from_the_website(client, site, known):
    _website, key, _boutique = site
    before = written()

    response = call(
        client,
        "consents",
        consent_body(known.client_number, purpose=registry.ALLERGY_AWARE_SERVICE),
        key=key,
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["purpose"]
    assert written() == before


# --- Cookie choices and web events ----------------------------------------------


def cookie_body(client_number, **choices):
    return {
        "event_id": "cookie-1",
        "client_number": client_number,
        "preferences": False,
        "statistics": False,
        "advertising": False,
        **choices,
    }


def event_body(client_number, **overrides):
    body = {
        "event_id": "ev-1",
        "client_number": client_number,
        "kind": "product_view",
        "product_reference": "RING-001",
        "occurred_at": "2026-12-01T10:00:00+01:00",
    }
    body.update(overrides)
    return body


def test_cookie_choice_sets_the_clients_fields_with_history(client, site, known):
    _website, key, _boutique = site
    history = known.history.count()

    response = call(
        client,
        "cookie-choices",
        cookie_body(known.client_number, statistics=True),
        key=key,
    )

    assert response.status_code == 201, response.json()
    known.refresh_from_db()
    assert known.cookie_consent == Client.CookieConsent.CUSTOMISED
    assert known.cookie_consent_at is not None
    assert known.history.count() == history + 1
    choice = CookieChoice.objects.get(client=known)
    assert (choice.preferences, choice.statistics, choice.advertising) == (
        False,
        True,
        False,
    )


def test_web_event_without_a_cookie_choice_is_202_and_not_stored(client, site, known):
    _website, key, _boutique = site
    before = written()

    response = call(client, "web-events", event_body(known.client_number), key=key)

    assert response.status_code == 202
    assert response.json() == {"stored": False, "reason": "not stored: cookie choice"}
    assert written() == before
    assert api_log().get().outcome == "202 not_stored_cookie_choice"


def test_web_event_is_stored_when_its_category_is_allowed(client, site, known):
    _website, key, _boutique = site
    call(
        client,
        "cookie-choices",
        cookie_body(known.client_number, statistics=True),
        key=key,
    )

    viewed = call(client, "web-events", event_body(known.client_number), key=key)
    selected = call(
        client,
        "web-events",
        event_body(known.client_number, event_id="ev-2", kind="selection_added"),
        key=key,
    )

    assert viewed.status_code == 201
    assert viewed.json() == {"stored": True}
    # the Selection needs navigation preferences, refused here
    assert selected.status_code == 202
    assert list(
        WebEvent.objects.filter(client=known).values_list("kind", flat=True)
    ) == ["product_view"]


def test_refusing_all_cookies_stops_storing_events(client, site, known):
    _website, key, _boutique = site
    call(
        client,
        "cookie-choices",
        cookie_body(
            known.client_number, preferences=True, statistics=True, advertising=True
        ),
        key=key,
    )
    assert (
        call(client, "web-events", event_body(known.client_number), key=key).status_code
        == 201
    )
    call(
        client,
        "cookie-choices",
        cookie_body(known.client_number, event_id="cookie-2"),
        key=key,
    )
    before = written()

    response = call(
        client, "web-events", event_body(known.client_number, event_id="ev-2"), key=key
    )

    assert response.status_code == 202
    assert written() == before


# --- Rate limit and the access log ------------------------------------------------


def test_too_many_calls_are_429_with_retry_after(client, site, settings, monkeypatch):
    _website, key, _boutique = site
    settings.WEBSITE_API_CALLS_PER_MINUTE = 2
    # A fixed clock 15 s into a minute: the window cannot turn mid-test.
    monkeypatch.setattr(views, "_clock", lambda: 1_800_000_015.0)
    call(client, "accounts", "{", key=key)
    call(client, "accounts", "{", key=key)
    before = written()

    response = call(client, "accounts", account_body(), key=key)

    assert response.status_code == 429
    assert list(response.json()["errors"]) == ["rate"]
    assert response.headers["Retry-After"] == "45"
    assert written() == before


def test_every_call_leaves_one_access_log_row_without_personal_data(client, site):
    _website, key, _boutique = site
    call(client, "accounts", account_body(), key=key)
    call(client, "accounts", account_body(), key=key)
    call(client, "accounts", "{", key=key)
    call(client, "accounts", account_body())

    rows = list(api_log().values_list("path", "outcome", "user"))

    assert len(rows) == 4
    assert all(user is None for _path, _outcome, user in rows)
    logged = repr(rows)
    assert "camille" not in logged.lower()
    assert IP not in logged


# --- OpenAPI ----------------------------------------------------------------------


def test_openapi_schema_is_served_and_valid(client):
    from openapi_spec_validator import validate

    response = client.get(url("openapi"))

    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    assert set(schema["paths"]) == {
        "/api/v1/accounts",
        "/api/v1/consents",
        "/api/v1/cookie-choices",
        "/api/v1/web-events",
    }
    assert schema["components"]["securitySchemes"]["websiteKey"]["scheme"] == "bearer"
    accounts = schema["paths"]["/api/v1/accounts"]["post"]
    assert {"201", "401", "409", "413", "422", "429"} <= set(accounts["responses"])
