"""The client's own pages, outside /admin/ and without login
(docs/decisions/0068): the one-click unsubscribe (RFC 8058) and the
preference page.

Both read a signed token (consents.unsubscribe). Whatever is wrong with it
(forged, expired, for another purpose, a client no longer on file) the
answer is the same page with the same status, read before the database is
touched for anything else, so these pages never tell whether a client
exists. Every visit is a line in the access log without personal data (no
token, no client id); the request log shows the route, not the token
(config.middleware.SECRET_PATH_NAMES). Pages are never cached.
"""

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from consents import unsubscribe
from consents.documents import purpose_name, texts
from consents.documents.languages import document_language
from consents.models import ConsentDecision
from core import hooks

ONE_CLICK_FIELD = "List-Unsubscribe"
ONE_CLICK_VALUE = "One-Click"


class _Values(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _texts(language: str, **values) -> dict:
    filled = _Values(house=settings.HOUSE_NAME, **values)
    return {
        key: text.format_map(filled)
        for key, text in texts(language).TEXTS.items()
        if key.startswith("public_") or key in ("yes", "no")
    }


def _log(request, route: str, *, refused: bool) -> None:
    hooks.record_access(
        user=None,
        action="denied" if refused else "view",
        target=ConsentDecision,
        path=route,
    )


def _page(request, language: str, template: str, status: int = 200, **context):
    with translation.override(language):
        response = render(
            request,
            f"consents/public/{template}",
            {"language": language, "house": settings.HOUSE_NAME, **context},
            status=status,
        )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _invalid(request, route: str):
    """The one answer to any token that cannot be used."""
    _log(request, route, refused=True)
    language = document_language(getattr(request, "LANGUAGE_CODE", "en")).code
    return _page(request, language, "invalid.html", status=404, t=_texts(language))


@csrf_exempt  # RFC 8058: the mail provider POSTs without a session
@never_cache
def unsubscribe_view(request, token: str):
    """GET: a page asking to confirm (mail scanners follow links: a GET
    changes nothing). POST with List-Unsubscribe=One-Click (the mail
    provider's one click, or this page's button): the withdrawal is in the
    ledger at once. A second POST writes nothing and answers the same."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    route = "/u/<token>/"
    claim = unsubscribe.read_unsubscribe_token(token)
    if claim is None:
        return _invalid(request, route)
    client, purpose = claim.client, claim.purpose
    language = document_language(client.preferred_language).code
    t = _texts(language, purpose=purpose_name(purpose.code, purpose.name, language))
    preferences_url = unsubscribe.preferences_path(
        client_id=client.pk, campaign_id=claim.campaign_id
    )
    _log(request, route, refused=False)
    if (
        request.method == "POST"
        and request.POST.get(ONE_CLICK_FIELD) == ONE_CLICK_VALUE
    ):
        unsubscribe.unsubscribe(claim=claim)
        return _page(
            request, language, "unsubscribed.html", t=t, preferences_url=preferences_url
        )
    return _page(
        request,
        language,
        "unsubscribe.html",
        t=t,
        field=ONE_CLICK_FIELD,
        value=ONE_CLICK_VALUE,
        preferences_url=preferences_url,
    )


@never_cache
def preferences_view(request, token: str):
    """The client's choices per outreach purpose, in their language; a
    POST records each change (a ledger row naming the wording shown)."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    route = "/p/<token>/"
    claim = unsubscribe.read_preferences_token(token)
    if claim is None:
        return _invalid(request, route)
    _log(request, route, refused=False)
    client = claim.client
    language = document_language(client.preferred_language).code
    t = _texts(language)
    message = ""
    if request.method == "POST":
        wanted = {
            choice.purpose.code: request.POST.get(choice.field_name) == "yes"
            for choice in unsubscribe.preference_choices(client)
        }
        rows = unsubscribe.preferences_save(client=client, wanted=wanted)
        message = t[
            "public_preferences_saved" if rows else "public_preferences_unchanged"
        ]
    choices = [
        {
            "field": choice.field_name,
            "name": purpose_name(choice.purpose.code, choice.purpose.name, language),
            "granted": choice.granted,
            "wording": choice.wording.text if choice.wording else "",
        }
        for choice in unsubscribe.preference_choices(client)
        if choice.wording is not None or choice.granted
    ]
    return _page(
        request, language, "preferences.html", t=t, choices=choices, message=message
    )
