"""Guest lists given to event organisers, and who received which guest
(decision 0106).

Giving a house event's guest list to its organiser records one
`GuestListDisclosure` (the event, the organiser, the data given, when and
by whom) and one `OrganiserDisclosure` per guest (ids only). The list the
organiser gets is built from the client records when it is downloaded:
each guest carries the reference `G<id>` of their disclosure row, by which
the Art. 19 notices (privacy.notices) name the guest to the organiser, even
after the client's erasure.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clienteling.models import Client, ClientEmail, HouseEvent, Invitation
from clienteling.querysets import TOMBSTONE_PREFIX
from privacy.models import GuestListDisclosure, OrganiserDisclosure, Recipient

Category = GuestListDisclosure.Category


def organisers():
    """The recipients a guest list can be given to."""
    return Recipient.objects.filter(
        kind=Recipient.Kind.EVENT_ORGANISER, is_active=True
    ).order_by("name")


def guests_of(event: HouseEvent):
    """The clients who hold a seat at the event (accepted or attended),
    erased and merged records left out."""
    return (
        Client.objects.filter(
            invitations__event=event,
            invitations__status__in=Invitation.SEAT_HOLDING,
            status=Client.Status.ACTIVE,
        )
        .exclude(client_number__startswith=TOMBSTONE_PREFIX)
        .order_by("last_name", "first_name", "pk")
    )


def guest_list_check(*, event, organiser, categories) -> list[int]:
    """The guests' ids, or a ValidationError saying what is wrong."""
    errors = {}
    if organiser is None or organiser.kind != Recipient.Kind.EVENT_ORGANISER:
        errors["organiser"] = _(
            "Choose an event organiser from the recipients: only they receive "
            "guest lists."
        )
    elif not organiser.is_active:
        errors["organiser"] = _(
            "%(name)s is no longer active: a guest list cannot be given to it."
        ) % {"name": organiser.name}
    unknown = [c for c in categories if c not in Category.values]
    if not categories or unknown:
        errors["categories"] = _("Choose the data the guest list gives.")
    ids = list(guests_of(event).values_list("pk", flat=True)) if event else []
    if event is not None and not ids:
        errors["event"] = _(
            "No guest of %(event)s has accepted: there is no guest list to give."
        ) % {"event": event}
    if errors:
        raise ValidationError(errors)
    return ids


@transaction.atomic
def guest_list_give(
    *,
    acting_user,
    event: HouseEvent,
    organiser: Recipient,
    categories: list[str],
    now: datetime | None = None,
) -> GuestListDisclosure:
    """Record that the event's guest list is given to its organiser: one row
    for the list, one per guest (who received what, for Art. 15 and 19)."""
    ids = guest_list_check(event=event, organiser=organiser, categories=categories)
    at = now or timezone.now()
    guest_list = GuestListDisclosure.objects.create(
        event=event,
        organiser=organiser,
        categories=[c for c in Category.values if c in categories],
        disclosed_at=at,
        disclosed_by=acting_user
        if getattr(acting_user, "is_authenticated", False)
        else None,
        guest_count=len(ids),
    )
    OrganiserDisclosure.objects.bulk_create(
        OrganiserDisclosure(
            guest_list=guest_list,
            organiser=organiser,
            client_id=client_id,
            disclosed_at=at,
        )
        for client_id in ids
    )
    return guest_list


GUEST_LIST_COLUMNS = ("guest_ref", "first_name", "last_name", "email", "answer")


def guest_list_rows(guest_list: GuestListDisclosure) -> list[dict]:
    """The guest list as the organiser gets it: the reference of each guest
    and the data given, read now from the client records (an erased or
    merged guest is left out)."""
    rows = list(
        OrganiserDisclosure.objects.filter(guest_list=guest_list)
        .select_related("client")
        .order_by("client__last_name", "client__first_name", "pk")
    )
    ids = [r.client_id for r in rows]
    emails = dict(
        ClientEmail.objects.filter(client_id__in=ids, is_primary=True).values_list(
            "client_id", "address"
        )
    )
    answers = dict(
        Invitation.objects.filter(
            event_id=guest_list.event_id, client_id__in=ids
        ).values_list("client_id", "status")
    )
    labels = dict(Invitation.Status.choices)
    given = set(guest_list.categories)
    out = []
    for row in rows:
        if row.client.is_retired:
            continue
        line = {"guest_ref": row.guest_ref}
        if Category.NAMES in given:
            line["first_name"] = row.client.first_name
            line["last_name"] = row.client.last_name
        if Category.EMAIL in given:
            line["email"] = emails.get(row.client_id, "")
        if Category.ANSWER in given:
            status = answers.get(row.client_id, "")
            line["answer"] = str(labels.get(status, status))
        out.append(line)
    return out


def guest_list_columns(guest_list: GuestListDisclosure) -> list[str]:
    given = set(guest_list.categories)
    columns = ["guest_ref"]
    if Category.NAMES in given:
        columns += ["first_name", "last_name"]
    if Category.EMAIL in given:
        columns.append("email")
    if Category.ANSWER in given:
        columns.append("answer")
    return columns
