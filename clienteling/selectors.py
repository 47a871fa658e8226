"""Use-case reads of clienteling."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.utils import timezone

from clienteling.models import Client, FollowUp
from clienteling.querysets import next_occurrence


@dataclass
class Client360:
    selection: list
    invitations: list
    follow_ups: list
    web_events: list
    ip_addresses: list
    web_account: object


def client_360(*, client: Client) -> Client360:
    """What the client page shows beyond the form: constant query count."""
    web_account = getattr(client, "web_account", None) if client.pk else None
    # The contact history is the card's paginated timeline
    # (client_timeline), not read here.
    return Client360(
        selection=list(client.selection.all()[:30]),
        invitations=list(
            client.invitations.select_related("event", "event__boutique").order_by(
                "-event__starts_at"
            )[:20]
        ),
        follow_ups=list(
            client.follow_ups.filter(status=FollowUp.Status.OPEN).select_related(
                "adviser"
            )
        ),
        web_events=list(client.web_events.all()[:20]),
        ip_addresses=list(client.ip_addresses.order_by("-last_seen_at")[:10]),
        web_account=web_account,
    )


# --- The client card ----------------------------------------------------------

TIMELINE_PAGE = 25


@dataclass
class RingSizeFact:
    finger: str
    size: str
    system: str
    conversions: dict


@dataclass
class ClientCard:
    """The header of the client's page: what an adviser reads first."""

    allergies: list  # [(metal, severity)], only for staff who see health data
    ring_sizes: list
    next_date: tuple | None  # (label, date)
    channels: list  # preferred contact channels, in the client's order
    advisers: list


def client_card(*, client: Client, user) -> ClientCard:
    """Four queries, whatever the client's history."""
    from core.classification import sees_health_data

    allergies = []
    if sees_health_data(user):
        allergies = [
            (a.get_metal_display(), a.get_severity_display())
            for a in client.allergies.all()
        ]
    ring_sizes = [
        RingSizeFact(
            finger=r.get_finger_display(),
            size=r.size,
            system=r.get_system_display(),
            conversions=_safe_conversions(r),
        )
        for r in client.ring_sizes.all()
    ]
    today = timezone.localdate()
    upcoming = []
    for important in client.important_dates.all():
        label = important.label or important.get_kind_display()
        if important.recurring:
            upcoming.append((next_occurrence(important.date, today), label))
        elif important.date >= today:
            upcoming.append((important.date, label))
    next_date = min(upcoming) if upcoming else None
    channels = [p.get_channel_display() for p in client.contact_preferences.all()]
    advisers = [a for a in (client.primary_adviser, client.secondary_adviser) if a]
    return ClientCard(
        allergies=allergies,
        ring_sizes=ring_sizes,
        next_date=(next_date[1], next_date[0]) if next_date else None,
        channels=channels,
        advisers=advisers,
    )


def _safe_conversions(ring_size) -> dict:
    try:
        return ring_size.conversions
    except ValueError:
        return {}


def client_timeline(*, client: Client, page: int = 1):
    """One page of the contact history, newest first: a count and a slice."""
    contacts = client.contacts.select_related("staff", "boutique")
    return Paginator(contacts, TIMELINE_PAGE).get_page(page)


# --- Duplicates at entry ----------------------------------------------------------


@dataclass(frozen=True)
class DuplicateMatch:
    """Another live client holding an email or phone number being typed.

    `client` is None when the user may not see that client (another
    boutique's): the warning then does not name them.
    """

    kind: str  # "email" or "phone"
    value: str
    client_id: int
    client: Client | None


def duplicate_matches(
    *,
    user,
    emails: list[str] = (),
    phones: list[str] = (),
    exclude_client_id: int | None = None,
) -> list[DuplicateMatch]:
    """Live clients other than `exclude_client_id` holding one of these
    emails (case-insensitive) or E.164 phone numbers.

    At most three queries whatever the number of values: one per kind (the
    lower(address) index and the number index serve them) and one for the
    matches the user may see.
    """
    from django.db.models.functions import Lower

    from clienteling.models import ClientEmail, ClientPhone

    found: list[tuple[str, str, int]] = []
    wanted_emails = sorted({e.strip().lower() for e in emails if e})
    wanted_phones = sorted({p for p in phones if p})
    if wanted_emails:
        rows = (
            ClientEmail.objects.annotate(key=Lower("address"))
            .filter(key__in=wanted_emails, client__in=Client.objects.live())
            .order_by("key", "client_id")
            .values_list("key", "client_id")
        )
        found += [("email", key, cid) for key, cid in rows]
    if wanted_phones:
        rows = (
            ClientPhone.objects.filter(
                number__in=wanted_phones, client__in=Client.objects.live()
            )
            .order_by("number", "client_id")
            .values_list("number", "client_id")
        )
        found += [
            ("phone", getattr(number, "as_e164", None) or str(number), cid)
            for number, cid in rows
        ]
    found = [row for row in found if row[2] != exclude_client_id]
    if not found:
        return []
    visible = Client.objects.visible_to(user).in_bulk({cid for _k, _v, cid in found})
    return [
        DuplicateMatch(kind=kind, value=value, client_id=cid, client=visible.get(cid))
        for kind, value, cid in found
    ]
