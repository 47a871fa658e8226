"""Reads of consents: current state, eligibility, panels.

The current consent is derived from the ledger: the latest decision per
client and purpose (decided_at, then id, breaks ties). One query answers it
for any list of clients (a window function; see
docs/decisions/0200-current-consent-derived-by-window.md).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_noop

from clienteling.models import (
    Client,
    ClientAddress,
    ClientEmail,
    ClientPhone,
    ContactPreference,
    SocialIdentifier,
)
from consents import suppression
from consents.documents.languages import document_language
from consents.models import (
    ConsentDecision,
    Purpose,
    Restriction,
    SoftOptIn,
    SuppressionEntry,
)
from consents.parental import minors_without_parental_consent
from consents.registry import CUSTOMER_RELATIONS
from core.classification import sees_health_data

GRANT = ConsentDecision.Decision.GRANT
WITHDRAW = ConsentDecision.Decision.WITHDRAW
OBJECT = ConsentDecision.Decision.OBJECT


def current_decisions(
    *, client_ids: Iterable[int], purpose_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], ConsentDecision]:
    """The latest decision per (client id, purpose id), in one query."""
    decisions = ConsentDecision.objects.for_clients(list(client_ids))
    if purpose_ids is not None:
        decisions = decisions.filter(purpose_id__in=list(purpose_ids))
    latest = decisions.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("client_id"), F("purpose_id")],
            order_by=[F("decided_at").desc(), F("id").desc()],
        )
    ).filter(rank=1)
    return {(d.client_id, d.purpose_id): d for d in latest}


def grants_since(since: datetime):
    """Consents given at or after `since` (retention filters it by client)."""
    return ConsentDecision.objects.grants().filter(decided_at__gte=since)


def without_objection_to_contact(clients):
    """Registered with core.hooks: leave out the clients who object
    (Art. 21) to being approached by the house unprompted, that is to
    customer relations or to any direct-marketing purpose."""
    purposes = Purpose.objects.filter(
        Q(code=CUSTOMER_RELATIONS) | Q(direct_marketing=True)
    )
    objecting = ConsentDecision.objects.current_objections().filter(
        purpose__in=purposes
    )
    return clients.exclude(pk__in=objecting.values("client_id"))


def has_current_grant(*, client_id: int, purpose_code: str) -> bool:
    purpose = Purpose.objects.get(code=purpose_code)
    latest = current_decisions(client_ids=[client_id], purpose_ids=[purpose.pk])
    decision = latest.get((client_id, purpose.pk))
    return bool(decision and decision.decision == GRANT)


# --- Client panel --------------------------------------------------------------


@dataclass
class PurposeState:
    purpose: Purpose
    decision: ConsentDecision | None

    @property
    def granted(self) -> bool:
        return bool(self.decision and self.decision.decision == GRANT)


def sees_special_categories(user) -> bool:
    """A consent to process health data is itself health data (Art. 9)."""
    return sees_health_data(user)


def client_consent_states(*, client: Client, user=None) -> list[PurposeState]:
    """Every purpose that takes a decision, with the client's current one.

    Special-category purposes are left out for staff who may not see
    health data. Two queries whatever the length of the client's ledger.
    """
    purposes = Purpose.objects.filter(is_active=True).exclude(
        legal_basis=Purpose.LegalBasis.CONTRACT
    )
    if not sees_special_categories(user):
        purposes = purposes.exclude(special_category=True)
    purposes = list(purposes)
    latest = current_decisions(client_ids=[client.pk])
    return [PurposeState(p, latest.get((client.pk, p.pk))) for p in purposes]


# --- Outreach eligibility --------------------------------------------------------


class Reason:
    """Why a client is left out of a list: stored in English in the job's
    result (evidence), marked here and translated where staff read them
    (OutreachList.excluded_by_reason_shown)."""

    NO_CONSENT = gettext_noop("No consent for this purpose")
    WITHDRAWN = gettext_noop("Consent withdrawn")
    OBJECTED = gettext_noop("Objected to this purpose")
    CHANNEL_NOT_PREFERRED = gettext_noop("Channel not among the client's preferences")
    NO_ADDRESS = gettext_noop("No address for this channel")
    SUPPRESSED = gettext_noop("On the suppression list")
    RESTRICTED = gettext_noop("Processing restricted")
    NOT_ACTIVE = gettext_noop("Record merged into another client")
    UNKNOWN_CLIENT = gettext_noop("Unknown client")
    MINOR = gettext_noop("Minor without parental consent")


# Outreach channels are clienteling's contact-preference channels.
OUTREACH_CHANNELS = ContactPreference.Channel


@dataclass
class Eligibility:
    eligible: list[int] = field(default_factory=list)
    excluded: dict[int, str] = field(default_factory=dict)
    # Eligible only through soft opt-in: each message must offer an opt-out.
    soft_opt_in: set[int] = field(default_factory=set)


def _with_address(channel: str, ids: list[int]) -> set[int]:
    if channel == OUTREACH_CHANNELS.EMAIL:
        rows = ClientEmail.objects.filter(client_id__in=ids)
    elif channel == OUTREACH_CHANNELS.SMS:
        rows = ClientPhone.objects.filter(
            client_id__in=ids, kind=ClientPhone.Kind.MOBILE
        )
    elif channel == OUTREACH_CHANNELS.PHONE:
        rows = ClientPhone.objects.filter(client_id__in=ids)
    elif channel == OUTREACH_CHANNELS.POST:
        rows = ClientAddress.objects.filter(client_id__in=ids)
    elif channel == OUTREACH_CHANNELS.INSTANT_MESSAGING:
        rows = SocialIdentifier.objects.filter(client_id__in=ids)
    else:  # in the boutique: no address needed
        return set(ids)
    return set(rows.values_list("client_id", flat=True))


def _unhashed_suppressed() -> set[int]:
    """Clients with an email or phone row carrying no digest (written
    around the ORM) that is on the suppression list: hashed here. Normally
    none: every save and bulk_create fills the digest (decision 0086)."""
    by_digest: dict[tuple[str, str], set[int]] = {}
    for client_id, address in ClientEmail.objects.filter(
        digest__isnull=True
    ).values_list("client_id", "address"):
        digest = suppression.email_digest(address)
        if digest:
            by_digest.setdefault(("email", digest), set()).add(client_id)
    for client_id, number in ClientPhone.objects.filter(
        digest__isnull=True
    ).values_list("client_id", "number"):
        digest = suppression.phone_digest(str(number))
        if digest:
            by_digest.setdefault(("phone", digest), set()).add(client_id)
    if not by_digest:
        return set()
    hits = SuppressionEntry.objects.filter(
        digest__in={digest for _, digest in by_digest}, lifted_at__isnull=True
    ).values_list("kind", "digest")
    return set().union(*(by_digest.get(hit, set()) for hit in hits))


def _suppressed_rows():
    """The email and phone rows whose digest is on the suppression list
    (entries not lifted)."""
    emails = ClientEmail.objects.filter(
        digest__in=SuppressionEntry.objects.filter(
            kind=SuppressionEntry.Kind.EMAIL, lifted_at__isnull=True
        ).values("digest")
    )
    phones = ClientPhone.objects.filter(
        digest__in=SuppressionEntry.objects.filter(
            kind=SuppressionEntry.Kind.PHONE, lifted_at__isnull=True
        ).values("digest")
    )
    return emails, phones


def suppressed_client_sources() -> tuple[list, list[int]]:
    """The suppressed clients, as sources to combine: the values
    querysets of the client ids of the suppressed email and phone rows,
    and the ids of the clients found in Python (rows not yet hashed).
    For a reader that starts from the few suppressed clients (a UNION of
    small id sets) rather than testing every client."""
    emails, phones = _suppressed_rows()
    return (
        [emails.values("client_id").order_by(), phones.values("client_id").order_by()],
        sorted(_unhashed_suppressed()),
    )


def suppressed_condition() -> Q:
    """A filter on a few clients: an email or phone of theirs is on the
    suppression list, by EXISTS per client over the contact rows' digest
    index (decision 0086). A whole segment reads the suppressed clients
    once instead (segments.selectors.exclusions, decision 0122). An entry
    a later explicit consent lifted (decision 0073) no longer counts."""
    emails, phones = _suppressed_rows()
    condition = Exists(emails.filter(client_id=OuterRef("pk"))) | Exists(
        phones.filter(client_id=OuterRef("pk"))
    )
    unhashed = _unhashed_suppressed()
    if unhashed:
        condition |= Q(pk__in=sorted(unhashed))
    return condition


def _suppressed(ids: list[int]) -> set[int]:
    """Clients among `ids` any of whose emails or phones is on the
    suppression list."""
    if not ids:
        return set()
    return set(
        Client.objects.filter(pk__in=ids)
        .filter(suppressed_condition())
        .values_list("pk", flat=True)
    )


def suppressed_clients(ids: list[int]) -> set[int]:
    """The clients among `ids` with an email or phone on the suppression
    list (segments leave them out too)."""
    return _suppressed(list(ids))


def outreach_eligibility(
    *,
    purpose_code: str,
    channel: str,
    client_ids: Iterable[int],
    now: datetime | None = None,
) -> Eligibility:
    """Who may be contacted for this purpose on this channel, and why not.

    A constant number of queries for any list size (callers pass chunks of
    a few thousand ids). Checks in order, the first failing one is the
    reason: record active, restriction, suppression (direct marketing),
    a minor (under 15) without a parent's consent recorded (consents.parental),
    consent or soft opt-in, channel preference, address for the channel.
    """
    now = now or timezone.now()
    purpose = Purpose.objects.get(code=purpose_code)
    if channel not in OUTREACH_CHANNELS.values:
        raise ValueError(f"Unknown outreach channel {channel!r}.")
    ids = list(dict.fromkeys(client_ids))
    result = Eligibility()

    statuses = dict(Client.objects.filter(pk__in=ids).values_list("pk", "status"))
    restricted = set(
        Restriction.objects.in_force(now)
        .filter(client_id__in=ids)
        .values_list("client_id", flat=True)
    )
    suppressed = _suppressed(ids) if purpose.direct_marketing else set()
    latest = current_decisions(client_ids=ids, purpose_ids=[purpose.pk])
    soft = (
        set(
            SoftOptIn.objects.filter(client_id__in=ids).values_list(
                "client_id", flat=True
            )
        )
        if purpose.soft_opt_in and channel == OUTREACH_CHANNELS.EMAIL
        else set()
    )
    preferences: dict[int, set[str]] = {}
    for client_id, preferred in ContactPreference.objects.filter(
        client_id__in=ids
    ).values_list("client_id", "channel"):
        preferences.setdefault(client_id, set()).add(preferred)
    reachable = _with_address(channel, ids)
    minors = minors_without_parental_consent(ids, now=now)

    for client_id in ids:
        decision = latest.get((client_id, purpose.pk))
        state = decision.decision if decision else None
        checks = (
            (client_id not in statuses, Reason.UNKNOWN_CLIENT),
            (statuses.get(client_id) != Client.Status.ACTIVE, Reason.NOT_ACTIVE),
            (client_id in restricted, Reason.RESTRICTED),
            (client_id in suppressed, Reason.SUPPRESSED),
            (client_id in minors, Reason.MINOR),
            (state == OBJECT, Reason.OBJECTED),
            (state == WITHDRAW, Reason.WITHDRAWN),
            (
                state != GRANT and purpose.needs_consent and client_id not in soft,
                Reason.NO_CONSENT,
            ),
            (
                client_id in preferences and channel not in preferences[client_id],
                Reason.CHANNEL_NOT_PREFERRED,
            ),
            (client_id not in reachable, Reason.NO_ADDRESS),
        )
        reason = next((why for failed, why in checks if failed), None)
        if reason:
            result.excluded[client_id] = reason
            continue
        result.eligible.append(client_id)
        if state != GRANT and client_id in soft:
            result.soft_opt_in.add(client_id)
    return result


def paper_form_initial(client: Client) -> dict:
    """What a paper form for an existing client starts with: its record.

    Dates stay date objects (the date input renders them as YYYY-MM-DD);
    the mobile is the primary mobile, else any mobile, in international
    form; the address is the primary one.
    """
    email = client.emails.filter(is_primary=True).first()
    mobile = (
        client.phones.filter(kind=ClientPhone.Kind.MOBILE)
        .order_by("-is_primary", "pk")
        .first()
    )
    address = client.addresses.order_by("-is_primary", "pk").first()
    initial = {
        "boutique": client.home_boutique_id,
        "title": client.title,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "birth_date": client.birth_date,
        "nationality": client.nationality.code or "",
        "preferred_language": client.preferred_language,
        # The form printed for them is in their language (or English).
        "language": document_language(client.preferred_language).code,
        "email": email.address if email else "",
        "phone": mobile.number.as_international if mobile else "",
    }
    if address is not None:
        initial |= {
            "address_line1": address.line1,
            "postal_code": address.postal_code,
            "city": address.city,
            "country": address.country.code or "",
        }
    return initial
