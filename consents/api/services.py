"""The writes of the website intake API (decision 0075).

Each function is one endpoint's business rule, all or nothing: a refusal
raises ValidationError naming the field and nothing stays written. The
website is a system caller: acting_user is None and the ledger rows say
channel "website" with the visitor's IP address.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clienteling.models import Client, WebEvent
from clienteling.services import web_events_check, web_events_write
from consents.models import (
    Channel,
    ConsentDecision,
    CookieChoice,
    FormTemplate,
    FormTemplateVersion,
    WebsiteClient,
)
from consents.selectors import current_decisions
from consents.services import (
    _client_from_form,
    consent_record,
    missing_mandatory_fields,
    purpose_get,
)
from core.writes import now_or as _now
from core.writes import save_with_author as _save

Decision = ConsentDecision.Decision
CookieConsent = Client.CookieConsent

# The cookie categories a website asks about, as the client's fields name
# them: navigation preferences, audience statistics, advertising.
COOKIE_CATEGORIES = ("preferences", "statistics", "advertising")

# Which cookie category lets the website collect each kind of event: the
# Selection is a navigation preference; the rest measures the audience.
WEB_EVENT_COOKIE_CATEGORY = {
    WebEvent.Kind.PRODUCT_VIEW: "statistics",
    WebEvent.Kind.ACCOUNT_CREATED: "statistics",
    WebEvent.Kind.LOGIN: "statistics",
    WebEvent.Kind.CONTACT_FORM: "statistics",
    WebEvent.Kind.SELECTION_ADDED: "preferences",
    WebEvent.Kind.SELECTION_REMOVED: "preferences",
}


class ClientNotFound(Exception):
    """No client with this number among the website's boutiques."""


def website_form_version() -> FormTemplateVersion:
    """The latest published website form version."""
    version = (
        FormTemplateVersion.objects.filter(template__kind=FormTemplate.Kind.WEBSITE)
        .select_related("template")
        .order_by("-published_at", "-number")
        .first()
    )
    if version is None:
        raise ValidationError(_("No website form version is published."))
    return version


def website_client_get(*, website_client: WebsiteClient, client_number: str) -> Client:
    """The live client with this number in one of the website's boutiques.

    A client of another website's boutiques is answered as unknown: the
    website learns nothing about clients it did not bring.
    """
    client = (
        Client.objects.live()
        .filter(
            client_number=client_number.strip().upper(),
            home_boutique__in=website_client.boutiques.all(),
        )
        .first()
    )
    if client is None:
        raise ClientNotFound(client_number)
    return client


def _website_match(*, website_client: WebsiteClient, email: str) -> Client | None:
    """The website's live client with this email, if exactly one."""
    matches = list(
        Client.objects.live()
        .filter(
            home_boutique__in=website_client.boutiques.all(),
            emails__address__iexact=email,
        )
        .distinct()[:2]
    )
    return matches[0] if len(matches) == 1 else None


@dataclass
class AccountResult:
    client: Client
    created: bool
    decisions: list[ConsentDecision] = field(default_factory=list)


@transaction.atomic
def website_account_record(
    *,
    website_client: WebsiteClient,
    values: dict,
    services: list[str],
    consents: list[str],
    language: str,
    ip_address: str,
    user_agent: str = "",
    now: datetime | None = None,
) -> AccountResult:
    """Create (or match by email) the client of a website account form.

    The form version's compulsory fields for the services asked for are
    enforced; each purpose the form shows becomes a ledger row: ticked is
    granted, unticked after a grant is withdrawn (the form is the client's
    latest word), unticked and never granted writes nothing.
    """
    now = _now(now)
    version = website_form_version()
    wordings = {
        w.purpose.code: w
        for w in version.wordings.filter(language=language).select_related("purpose")
    }
    errors: dict[str, list] = {}
    if not wordings:
        errors["language"] = [
            _("The website form has no consent sentences in the language %(language)s.")
            % {"language": repr(language)}
        ]
    offered = set(version.services.values_list("code", flat=True))
    for code in services:
        if code not in offered:
            errors.setdefault("services", []).append(
                _("Unknown service %(code)s: the website form does not offer it.")
                % {"code": repr(code)}
            )
    for code in consents:
        if wordings and code not in wordings:
            errors.setdefault("consents", []).append(
                _("Unknown purpose %(code)s: the website form asks no consent for it.")
                % {"code": repr(code)}
            )
    for key, message in missing_mandatory_fields(
        version=version, services=services, values=values
    ).items():
        errors.setdefault(key, []).append(message)
    boutique = website_client.boutiques.order_by("pk").first()
    if boutique is None:
        errors.setdefault("website", []).append(
            _("This website has no boutique to create clients for.")
        )
    if errors:
        raise ValidationError(errors)

    email = (values.get("email") or "").strip()
    match = (
        _website_match(website_client=website_client, email=email) if email else None
    )
    client, created = _client_from_form(
        acting_user=None,
        client=match,
        values=values,
        boutique=boutique,
        source=Client.Source.WEB,
    )
    current = (
        {}
        if created
        else current_decisions(
            client_ids=[client.pk],
            purpose_ids=[w.purpose_id for w in wordings.values()],
        )
    )
    result = AccountResult(client=client, created=created)
    for code, wording in wordings.items():
        state = current.get((client.pk, wording.purpose_id))
        granted = bool(state and state.decision == Decision.GRANT)
        if code in consents and not granted:
            decision = Decision.GRANT
        elif code not in consents and granted:
            decision = Decision.WITHDRAW
        else:
            continue
        result.decisions.append(
            consent_record(
                acting_user=None,
                client=client,
                purpose_code=code,
                decision=decision,
                channel=Channel.WEBSITE,
                wording=wording,
                ip_address=ip_address,
                user_agent=user_agent,
                now=now,
            )
        )
    return result


@transaction.atomic
def website_consent_record(
    *,
    website_client: WebsiteClient,
    client: Client,
    purpose_code: str,
    decision: str,
    language: str,
    ip_address: str,
    user_agent: str = "",
    now: datetime | None = None,
) -> ConsentDecision:
    """A grant or a withdrawal the client made on the website.

    Only consent-based purposes: a purpose based on a contract, a legal
    obligation or a legitimate interest has no consent to give or take
    back. A special-category purpose (allergies) is never taken from the
    website. A grant names the sentence the website form shows.
    """
    purpose = purpose_get(purpose_code)
    if not purpose.needs_consent:
        raise ValidationError(
            {
                "purpose": _(
                    "“%(purpose)s” is based on %(legal_basis)s, not consent: "
                    "there is no consent to record."
                )
                % {
                    "purpose": purpose,
                    "legal_basis": purpose.get_legal_basis_display().lower(),
                }
            }
        )
    if purpose.special_category:
        raise ValidationError(
            {
                "purpose": _(
                    "“%(purpose)s” is recorded in a boutique only, never from "
                    "the website."
                )
                % {"purpose": purpose}
            }
        )
    wording = None
    if decision == Decision.GRANT:
        wording = (
            website_form_version()
            .wordings.filter(purpose=purpose, language=language)
            .first()
        )
        if wording is None:
            raise ValidationError(
                {
                    "purpose": _(
                        "The website form shows no consent sentence for "
                        "“%(purpose)s” in the language %(language)s."
                    )
                    % {"purpose": purpose, "language": repr(language)}
                }
            )
    return consent_record(
        acting_user=None,
        client=client,
        purpose_code=purpose_code,
        decision=decision,
        channel=Channel.WEBSITE,
        wording=wording,
        ip_address=ip_address,
        user_agent=user_agent,
        now=now,
    )


def _summary(*, preferences: bool, statistics: bool, advertising: bool) -> str:
    chosen = {preferences, statistics, advertising}
    if chosen == {True}:
        return CookieConsent.ACCEPTED
    if chosen == {False}:
        return CookieConsent.REFUSED
    return CookieConsent.CUSTOMISED


@transaction.atomic
def cookie_choice_record(
    *,
    website_client: WebsiteClient,
    client: Client,
    preferences: bool,
    statistics: bool,
    advertising: bool,
    now: datetime | None = None,
) -> CookieChoice:
    """Append the client's cookie choice and set its summary on the client
    (cookie_consent, cookie_consent_at, with a history row)."""
    now = _now(now)
    choice = CookieChoice(
        client=client,
        website_client=website_client,
        preferences=preferences,
        statistics=statistics,
        advertising=advertising,
        decided_at=now,
    )
    choice.full_clean()
    choice.save()
    client.cookie_consent = _summary(
        preferences=preferences, statistics=statistics, advertising=advertising
    )
    client.cookie_consent_at = now
    _save(client, None)
    return choice


def cookie_allowed_events(events: list) -> list:
    """The web events (unsaved) that their clients' cookie choices allow:
    core.hooks' web-event filter, so the file import and the management
    command obey the choices as the API does (decision 0076). Two queries
    whatever the number of events: the clients' summaries, then the latest
    detailed choice of those who customised."""
    client_ids = {event.client_id for event in events}
    if not client_ids:
        return []
    summaries = dict(
        Client.objects.filter(pk__in=client_ids).values_list("pk", "cookie_consent")
    )
    customised = [
        pk for pk, value in summaries.items() if value == CookieConsent.CUSTOMISED
    ]
    latest: dict[int, CookieChoice] = {}
    for choice in CookieChoice.objects.filter(client_id__in=customised).order_by(
        "client_id", "-decided_at", "-id"
    ):
        latest.setdefault(choice.client_id, choice)

    def allowed(event) -> bool:
        summary = summaries.get(event.client_id)
        if summary == CookieConsent.ACCEPTED:
            return True
        choice = latest.get(event.client_id)
        category = WEB_EVENT_COOKIE_CATEGORY.get(event.kind)
        return bool(
            summary == CookieConsent.CUSTOMISED
            and choice is not None
            and category
            and getattr(choice, category)
        )

    return [event for event in events if allowed(event)]


@transaction.atomic
def website_event_record(
    *,
    website_client: WebsiteClient,
    client: Client,
    event_id: str,
    kind: str,
    product_reference: str,
    occurred_at: datetime,
) -> WebEvent | None:
    """Store a web event if the client's cookie choice allows its category;
    None (nothing written) otherwise: web_events_write applies the choices
    (cookie_allowed_events, the one filter every import path goes through)."""
    # The website's event ids are its own: prefixed with the website so two
    # websites (or the file import) never collide.
    external_id = f"w{website_client.pk}-{event_id}"
    events, problems = web_events_check(
        rows=[
            {
                "external_id": external_id,
                "client_number": client.client_number,
                "kind": kind,
                "product_reference": product_reference,
                "occurred_at": occurred_at.isoformat(),
            }
        ]
    )
    if problems:
        raise ValidationError({"body": problems})
    if web_events_write(events=events).not_allowed:
        return None
    return WebEvent.objects.get(external_id=external_id)
