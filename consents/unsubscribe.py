"""The client's own links in an outreach message: one-click unsubscribe and
the preference page (docs/decisions/0068).

Both are signed with django.core.signing (SECRET_KEY), never stored:

- an unsubscribe token is per client and per purpose: its salt names the
  purpose, its payload carries the client id, the purpose code again and
  the campaign that sent it, its timestamp the issue date. It works for
  OUTREACH_UNSUBSCRIBE_DAYS;
- a preference token is per client: its own salt, the client id and the
  campaign; it works for OUTREACH_PREFERENCES_DAYS.

A token that is forged, expired, signed for another purpose or kind, or
names a client no longer active reads as None: the public pages give one
neutral answer for all of them, so they never tell whether a client
exists. A token used twice writes nothing the second time (the consent is
no longer granted), and answers as the first time did.

The ledger rows these links write have no staff user: their channel
(unsubscribe link, preference page) says where they came from.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from clienteling.models import Client
from consents import registry
from consents.documents.languages import document_language
from consents.models import (
    Channel,
    ConsentDecision,
    FormTemplate,
    Purpose,
    PurposeWording,
    SoftOptIn,
)
from consents.selectors import current_decisions
from consents.services import consent_record

Decision = ConsentDecision.Decision

UNSUBSCRIBE_SALT = "consents.unsubscribe:"
PREFERENCES_SALT = "consents.preferences"
DAY = 24 * 60 * 60


@dataclass(frozen=True)
class Claim:
    """What a valid token says: the client, the purpose (unsubscribe only)
    and the campaign that sent it (0 when none)."""

    client: Client
    purpose: Purpose | None
    campaign_id: int


def outreach_purpose_codes() -> list[str]:
    return sorted(registry.OUTREACH_PURPOSE_CODES)


# --- Making tokens ---------------------------------------------------------------


def unsubscribe_token(
    *, client_id: int, purpose_code: str, campaign_id: int = 0
) -> str:
    if purpose_code not in registry.OUTREACH_PURPOSE_CODES:
        raise ValueError(f"{purpose_code!r} is not an outreach purpose.")
    return signing.dumps(
        {"c": client_id, "p": purpose_code, "k": campaign_id},
        salt=UNSUBSCRIBE_SALT + purpose_code,
    )


def preferences_token(*, client_id: int, campaign_id: int = 0) -> str:
    return signing.dumps({"c": client_id, "k": campaign_id}, salt=PREFERENCES_SALT)


def public_url(path: str) -> str:
    """An absolute URL on the public site (PUBLIC_BASE_URL): for messages."""
    return settings.PUBLIC_BASE_URL + path


def unsubscribe_path(*, client_id: int, purpose_code: str, campaign_id: int = 0) -> str:
    token = unsubscribe_token(
        client_id=client_id, purpose_code=purpose_code, campaign_id=campaign_id
    )
    return reverse("consents-unsubscribe", args=[token])


def preferences_path(*, client_id: int, campaign_id: int = 0) -> str:
    token = preferences_token(client_id=client_id, campaign_id=campaign_id)
    return reverse("consents-preferences", args=[token])


# --- Reading tokens ---------------------------------------------------------------


def _active_client(payload) -> Client | None:
    client_id = payload.get("c") if isinstance(payload, dict) else None
    if not isinstance(client_id, int) or isinstance(client_id, bool):
        return None
    return Client.objects.filter(pk=client_id, status=Client.Status.ACTIVE).first()


def _campaign_id(payload) -> int:
    value = payload.get("k", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def read_unsubscribe_token(token: str) -> Claim | None:
    """The claim of a valid unsubscribe token, or None (see the module)."""
    token = (token or "")[:1000]
    max_age = settings.OUTREACH_UNSUBSCRIBE_DAYS * DAY
    for code in outreach_purpose_codes():
        try:
            payload = signing.loads(
                token, salt=UNSUBSCRIBE_SALT + code, max_age=max_age
            )
        except signing.BadSignature:  # forged, other purpose, or expired
            continue
        if not isinstance(payload, dict) or payload.get("p") != code:
            return None
        purpose = Purpose.objects.filter(code=code, is_active=True).first()
        client = _active_client(payload)
        if purpose is None or client is None:
            return None
        return Claim(client=client, purpose=purpose, campaign_id=_campaign_id(payload))
    return None


def read_preferences_token(token: str) -> Claim | None:
    token = (token or "")[:1000]
    try:
        payload = signing.loads(
            token,
            salt=PREFERENCES_SALT,
            max_age=settings.OUTREACH_PREFERENCES_DAYS * DAY,
        )
    except signing.BadSignature:
        return None
    client = _active_client(payload)
    if client is None:
        return None
    return Claim(client=client, purpose=None, campaign_id=_campaign_id(payload))


# --- One-click unsubscribe -----------------------------------------------------------

WITHDRAWN = "withdrawn"
OBJECTED = "objected"
NOTHING_TO_DO = "nothing_to_do"


@transaction.atomic
def unsubscribe(*, claim: Claim, now: datetime | None = None) -> str:
    """Stop this purpose's messages to the claim's client, at once.

    A current consent is withdrawn; a client written to under soft opt-in
    (no consent) objects to the purpose, which puts their addresses on the
    suppression list. Anything else (already withdrawn: a token used
    again) writes nothing. Returns WITHDRAWN, OBJECTED or NOTHING_TO_DO.
    """
    client, purpose = claim.client, claim.purpose
    Client.objects.select_for_update().filter(pk=client.pk).exists()
    latest = current_decisions(client_ids=[client.pk], purpose_ids=[purpose.pk])
    current = latest.get((client.pk, purpose.pk))
    state = current.decision if current else None
    if state == Decision.GRANT:
        decision = Decision.WITHDRAW
    elif (
        state is None
        and purpose.can_object
        and SoftOptIn.objects.filter(client_id=client.pk).exists()
    ):
        decision = Decision.OBJECT
    else:
        return NOTHING_TO_DO
    consent_record(
        acting_user=None,
        client=client,
        purpose_code=purpose.code,
        decision=decision,
        channel=Channel.UNSUBSCRIBE_LINK,
        now=now,
    )
    return WITHDRAWN if decision == Decision.WITHDRAW else OBJECTED


# --- Preference page ---------------------------------------------------------------


@dataclass
class Choice:
    purpose: Purpose
    granted: bool
    # The sentence shown beside the box: the evidence of a consent given here.
    wording: PurposeWording | None

    @property
    def field_name(self) -> str:
        return f"purpose_{self.purpose.code}"


def _wording(purpose: Purpose, language: str) -> PurposeWording | None:
    """The latest published wording of the purpose in this language, the
    website form's first."""
    wordings = PurposeWording.objects.filter(
        purpose=purpose, language=language, version__published_at__isnull=False
    ).select_related("version__template")
    website = wordings.filter(version__template__kind=FormTemplate.Kind.WEBSITE)
    order = ("-version__published_at", "-version__number")
    return website.order_by(*order).first() or wordings.order_by(*order).first()


def preference_choices(client: Client) -> list[Choice]:
    """The client's current choice per outreach purpose, with the wording
    in their language (decision 0030: the document language)."""
    language = document_language(client.preferred_language).code
    purposes = list(
        Purpose.objects.filter(
            is_active=True, code__in=registry.OUTREACH_PURPOSE_CODES
        ).order_by("display_order", "code")
    )
    latest = current_decisions(
        client_ids=[client.pk], purpose_ids=[p.pk for p in purposes]
    )
    choices = []
    for purpose in purposes:
        decision = latest.get((client.pk, purpose.pk))
        choices.append(
            Choice(
                purpose=purpose,
                granted=bool(decision and decision.decision == Decision.GRANT),
                wording=_wording(purpose, language),
            )
        )
    return choices


@transaction.atomic
def preferences_save(
    *, client: Client, wanted: dict[str, bool], now: datetime | None = None
) -> list[ConsentDecision]:
    """Record the changes the client made on the preference page: a box
    ticked that was not granted is a consent naming the wording shown, a
    box cleared that was granted a withdrawal. One ledger row per change;
    a purpose left as it was writes nothing."""
    Client.objects.select_for_update().filter(pk=client.pk).exists()
    rows = []
    for choice in preference_choices(client):
        want = wanted.get(choice.purpose.code)
        if want is None or want == choice.granted:
            continue
        if want and choice.wording is None:
            continue  # no sentence to show: no consent can be given here
        rows.append(
            consent_record(
                acting_user=None,
                client=client,
                purpose_code=choice.purpose.code,
                decision=Decision.GRANT if want else Decision.WITHDRAW,
                channel=Channel.PREFERENCE_PAGE,
                wording=choice.wording,
                now=now,
            )
        )
    return rows
