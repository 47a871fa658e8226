"""Art. 19 notices to the recipients of a client's data.

After a rectification, an erasure, a restriction or a withdrawal, every
recipient the disclosure records say received the client's data gets a
notice at once (not at the next sharing batch): a row per recipient is
queued inside the change's transaction and a Celery task sends it after
commit. The parent group and the partners get a recall file under their
sharing folder (the batches' writer: CSV and JSON Lines, formula-safe,
pseudonyms only); a recipient without a sharing key would get a letter,
recorded as failed until one is configured. An event organiser gets an
email at its contact address, in its language, naming the guest by the
reference of the guest list it received (decision 0106); without an
address the notice is recorded as failed, saying so, and is sent when one
is added.

Tasks take notice ids; sending is idempotent (a sent notice is skipped),
so a redelivered message or a retried erasure step sends nothing twice.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from consents import registry
from privacy import pseudonyms
from privacy.models import (
    Disclosure,
    OrganiserDisclosure,
    Partner,
    Recipient,
    RecipientNotice,
)
from privacy.pseudonyms import GROUP
from privacy.sharing.eligibility import CROSS_GROUP

logger = logging.getLogger(__name__)

Kind = RecipientNotice.Kind
How = RecipientNotice.How
Outcome = RecipientNotice.Outcome

NOTICE_COLUMNS = ("pseudonym", "key_id", "notice", "noticed_at")
# An event organiser, on a notice: "organiser:<recipient id>"; the guest,
# "guest:G<organiser disclosure id>" (the reference on its guest list).
ORGANISER = "organiser:"
GUEST = "guest:G"
# Sending an email is tried this many times (the jobs' rule, core.jobs).
MAX_ATTEMPTS = 3
# A withdrawal concerns the recipients who received the data under the
# purpose withdrawn; the other kinds every recipient.
_RECIPIENTS_OF_PURPOSE = {
    CROSS_GROUP: "group",
    registry.PARTNER_SHARING: "partners",
}


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def recipients_of(
    client_ids: Iterable[int],
    *,
    purpose_code: str | None = None,
    only: Iterable[str] | None = None,
):
    """(recipient, client id) pairs from the disclosure records (`only`:
    these recipients, not yet recalled)."""
    rows = Disclosure.objects.filter(client_id__in=list(client_ids))
    if only is not None:
        rows = rows.filter(recipient__in=list(only), recalled_in__isnull=True)
    if purpose_code is not None:
        which = _RECIPIENTS_OF_PURPOSE.get(purpose_code)
        if which is None:
            return []
        rows = rows.filter(recalled_in__isnull=True)
        rows = (
            rows.filter(recipient=GROUP)
            if which == "group"
            else rows.exclude(recipient=GROUP)
        )
    return list(
        rows.order_by("recipient", "client_id").values_list("recipient", "client_id")
    )


def organiser_rows_of(client_ids: Iterable[int]) -> list[OrganiserDisclosure]:
    """Each guest list entry of these clients given to an event organiser."""
    return list(
        OrganiserDisclosure.objects.filter(client_id__in=list(client_ids)).order_by(
            "organiser_id", "client_id", "pk"
        )
    )


def recipient_name(code: str) -> str:
    if code == GROUP:
        return str(_("The parent group"))
    if code.startswith(ORGANISER):
        organiser = Recipient.objects.filter(pk=code[len(ORGANISER) :]).first()
        return organiser.name if organiser else code
    partner = Partner.objects.filter(code=code).first()
    return partner.name if partner else code


@transaction.atomic
def notices_queue(
    *,
    acting_user,
    client_ids: Iterable[int],
    kind: str,
    reference: str,
    purpose_code: str | None = None,
    recipients: Iterable[str] | None = None,
    organisers: bool | None = None,
    now: datetime | None = None,
) -> list[RecipientNotice]:
    """Queue one notice per recipient of each client, and their sending
    after commit. Returns the notices created (none twice per cause).
    Event organisers are told of every kind but a withdrawal (a guest list
    is not given under a consent purpose), one notice per guest list entry;
    `recipients` names group and partner codes only, and leaves them out
    unless `organisers` is true (a staff edit of what a guest list carried)."""
    if kind not in Kind.values:
        raise ValueError(f"Unknown notice kind {kind!r}.")
    at = _now(now)
    queued_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    created = []
    if organisers is None:
        organisers = purpose_code is None and recipients is None
    if organisers:
        for row in organiser_rows_of(client_ids):
            notice, made = RecipientNotice.objects.get_or_create(
                recipient=f"{ORGANISER}{row.organiser_id}",
                client_ref=f"{GUEST}{row.pk}",
                kind=kind,
                reference=reference,
                defaults={
                    "client_id": row.client_id,
                    "key_id": "",
                    "how": How.EMAIL,
                    "queued_at": at,
                    "queued_by": queued_by,
                },
            )
            if made:
                created.append(notice)
    pairs = recipients_of(client_ids, purpose_code=purpose_code, only=recipients)
    for recipient, client_id in pairs:
        try:
            key = pseudonyms.keys_for(recipient)[0]
            client_ref, key_id, how = key.pseudonym(client_id), key.key_id, How.FILE
        except pseudonyms.NoSharingKey:
            client_ref, key_id, how = f"client:{client_id}", "", How.LETTER
        notice, made = RecipientNotice.objects.get_or_create(
            recipient=recipient,
            client_ref=client_ref,
            kind=kind,
            reference=reference,
            defaults={
                "client_id": client_id,
                "key_id": key_id,
                "how": how,
                "queued_at": at,
                "queued_by": queued_by,
            },
        )
        if made:
            created.append(notice)
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _enqueue(ids))
    return created


def _enqueue(ids: list[int]) -> None:
    from privacy.tasks.notices import send_recipient_notices

    send_recipient_notices.delay(ids)


def notice_folder(notice: RecipientNotice) -> str:
    base = (
        Path("group")
        if notice.recipient == GROUP
        else Path("partners") / notice.recipient
    )
    return str(
        base / "notices" / f"{notice.queued_at:%Y%m%dT%H%M%S}-notice-{notice.pk}"
    )


def _write_recall_file(notice: RecipientNotice, *, at: datetime) -> str:
    from privacy.sharing.files import _CsvAndJsonLines, export_root

    folder = notice_folder(notice)
    path = export_root() / folder
    path.mkdir(parents=True, exist_ok=True)
    out = _CsvAndJsonLines(lambda name: path / name, "notices", NOTICE_COLUMNS)
    out.write_rows(
        [
            {
                "pseudonym": notice.client_ref,
                "key_id": notice.key_id,
                "notice": notice.kind,
                "noticed_at": at.isoformat(timespec="seconds"),
            }
        ]
    )
    out.close()
    return folder


def notice_send(*, notice_id: int, now: datetime | None = None) -> RecipientNotice:
    """Send one notice (idempotent: a sent notice is left as it is)."""
    with transaction.atomic():
        notice = RecipientNotice.objects.select_for_update().get(pk=notice_id)
        if notice.outcome == Outcome.SENT:
            return notice
        at = _now(now)
        notice.attempts += 1
        if notice.how == How.FILE:
            try:
                notice.folder = _write_recall_file(notice, at=at)
            except OSError as exc:
                notice.outcome = Outcome.FAILED
                notice.detail = f"The recall file could not be written: {exc}"[:300]
            else:
                notice.outcome = Outcome.SENT
                notice.sent_at = at
                notice.detail = ""
        elif notice.how == How.EMAIL:
            _email_organiser(notice, at=at)
        else:
            notice.outcome = Outcome.FAILED
            notice.detail = (
                "No sharing key nor address for this recipient: configure "
                "one, then send the notice again."
            )
        notice.save()
        return notice


# Kind -> what the organiser is asked to do (in the organiser's language).
_ORGANISER_ASKS = {
    Kind.RECTIFICATION: gettext_noop(
        "This guest's data has been corrected. Please replace their entry "
        "with the corrected one below."
    ),
    Kind.ERASURE: gettext_noop(
        "This guest's data has been erased at their request. Please delete "
        "their entry and any copy of it you hold."
    ),
    Kind.RESTRICTION: gettext_noop(
        "This guest has asked that the processing of their data be "
        "restricted. Please keep their entry but do not use it until we tell "
        "you otherwise."
    ),
    Kind.WITHDRAWAL: gettext_noop(
        "This guest has withdrawn their consent. Please stop using their entry."
    ),
}


def _organiser_message(notice: RecipientNotice, row: OrganiserDisclosure) -> str:
    from privacy.organisers import Category

    guest_list = row.guest_list
    lines = [
        _("Hello,"),
        "",
        _(
            "On %(date)s we gave you the guest list of %(event)s. This notice "
            "concerns the guest with the reference %(ref)s on that list."
        )
        % {
            "date": date_format(timezone.localtime(guest_list.disclosed_at)),
            "event": guest_list.event,
            "ref": row.guest_ref,
        },
        "",
        _(_ORGANISER_ASKS[notice.kind]),
    ]
    client = row.client
    if notice.kind == Kind.RECTIFICATION and not client.is_retired:
        given = set(guest_list.categories)
        if Category.NAMES in given:
            lines.append(_("Name: %(name)s") % {"name": client.full_name})
        if Category.EMAIL in given:
            email = client.emails.filter(is_primary=True).first()
            lines.append(_("Email: %(email)s") % {"email": email or "—"})
    lines += [
        "",
        _(
            "We tell you this under Article 19 of the General Data Protection "
            "Regulation. For any question, write to our data protection "
            "officer: %(dpo)s."
        )
        % {"dpo": settings.PRIVACY_DPO.get("email", "")},
        "",
        settings.PRIVACY_CONTROLLER.get("name", ""),
    ]
    return "\n".join(str(line) for line in lines)


def _email_organiser(notice: RecipientNotice, *, at: datetime) -> None:
    """Email the organiser at its contact address, in its language; the
    outcome and why it failed are recorded on the notice."""
    row = (
        OrganiserDisclosure.objects.select_related(
            "organiser", "client", "guest_list__event"
        )
        .filter(pk=notice.client_ref[len(GUEST) :])
        .first()
    )
    if row is None:
        notice.outcome = Outcome.FAILED
        notice.detail = _("The guest list entry this notice concerns is gone.")
        return
    organiser = row.organiser
    if not organiser.contact_email:
        notice.outcome = Outcome.FAILED
        notice.detail = _(
            "%(name)s has no contact email: add one on the recipient and the "
            "notice is sent then."
        ) % {"name": organiser.name}
        return
    with translation.override(organiser.language):
        subject = _("A guest of %(event)s: %(kind)s") % {
            "event": row.guest_list.event,
            "kind": str(Kind(notice.kind).label).lower(),
        }
        body = _organiser_message(notice, row)
    try:
        EmailMessage(subject, body, None, [organiser.contact_email]).send()
    except Exception as exc:  # noqa: BLE001 - any SMTP or connection failure
        notice.retryable = notice.attempts < MAX_ATTEMPTS
        notice.outcome = Outcome.FAILED
        notice.detail = _(
            "The email to %(address)s could not be sent (%(error)s); attempt "
            "%(attempt)s of %(max)s."
        ) % {
            "address": organiser.contact_email,
            "error": type(exc).__name__,
            "attempt": notice.attempts,
            "max": MAX_ATTEMPTS,
        }
        return
    notice.outcome = Outcome.SENT
    notice.sent_at = at
    notice.detail = _("Emailed to %(address)s.") % {"address": organiser.contact_email}


def notices_send(*, notice_ids: Iterable[int], now: datetime | None = None) -> dict:
    """Send the notices; `retry` lists the emails that failed to go and may
    be tried again (fewer than MAX_ATTEMPTS attempts, an address known)."""
    counts = {"sent": 0, "failed": 0, "retry": []}
    for notice_id in notice_ids:
        try:
            notice = notice_send(notice_id=notice_id, now=now)
        except RecipientNotice.DoesNotExist:
            continue
        counts["sent" if notice.outcome == Outcome.SENT else "failed"] += 1
        if getattr(notice, "retryable", False):  # a sending error, not a gap
            counts["retry"].append(notice.pk)
    return counts


def organiser_notices_resend(organiser: Recipient) -> list[int]:
    """The organiser's failed notices, sent again after commit (its contact
    address was just added or changed)."""
    ids = list(
        RecipientNotice.objects.filter(
            recipient=f"{ORGANISER}{organiser.pk}",
            how=How.EMAIL,
            outcome=Outcome.FAILED,
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return ids


# --- Reads ----------------------------------------------------------------


@dataclass(frozen=True)
class NoticeCounts:
    pending: int
    failed: int


def notice_counts() -> NoticeCounts:
    row = RecipientNotice.objects.aggregate(
        pending=Count("id", filter=Q(outcome=Outcome.PENDING)),
        failed=Count("id", filter=Q(outcome=Outcome.FAILED)),
    )
    return NoticeCounts(pending=row["pending"], failed=row["failed"])


@dataclass(frozen=True)
class ClientRecipient:
    name: str
    first_received: datetime
    last_received: datetime
    recalled: bool


def client_recipients(client_ids: Iterable[int]) -> list[ClientRecipient]:
    """Who received the client's data (for the access report, Art. 15(1)(c))."""
    client_ids = list(client_ids)
    rows = (
        Disclosure.objects.filter(client_id__in=client_ids)
        .select_related("first_batch", "last_batch")
        .order_by("recipient")
    )
    found = [
        ClientRecipient(
            name=recipient_name(row.recipient),
            first_received=row.first_batch.created_at,
            last_received=row.last_batch.created_at,
            recalled=row.recalled_in_id is not None,
        )
        for row in rows
    ]
    # Event organisers, from the guest lists they were given (decision 0106).
    given: dict[int, list] = {}
    for row in OrganiserDisclosure.objects.filter(
        client_id__in=list(client_ids)
    ).select_related("organiser"):
        given.setdefault(row.organiser_id, [row.organiser.name, []])[1].append(
            row.disclosed_at
        )
    found += [
        ClientRecipient(
            name=name, first_received=min(at), last_received=max(at), recalled=False
        )
        for name, at in sorted(given.values())
    ]
    return found


def client_notices(client_ids: Iterable[int]) -> list[RecipientNotice]:
    return list(
        RecipientNotice.objects.filter(client_id__in=list(client_ids)).order_by(
            "queued_at", "id"
        )
    )


# --- Hooks --------------------------------------------------------------------


def on_consent_ended(*, acting_user, client, purpose_code, decision, reference):
    """core.hooks consent_ended: a withdrawal or objection in the ledger."""
    notices_queue(
        acting_user=acting_user,
        client_ids=[client.pk],
        kind=Kind.WITHDRAWAL,
        reference=reference,
        purpose_code=purpose_code,
    )


# --- Edits outside a rectification request (decision 0096) ---------------------

# What each recipient receives of a client's own record, by model label and
# field: the partners' client file (privacy.sharing.exports.PARTNER_COLUMNS)
# carries the names, the primary email, the language and the shop-in-shop;
# the group receives purchases under a pseudonym, none of these fields.
PARTNER_FIELDS = {
    "clienteling.client": (
        "first_name",
        "last_name",
        "preferred_language",
        "home_boutique_id",
    ),
    "clienteling.clientemail": ("address", "is_primary"),
}


def _client_id_of(instance) -> int | None:
    if instance._meta.label_lower == "clienteling.client":
        return instance.pk
    return getattr(instance, "client_id", None)


def _shared_field_changed(label: str, history_instance, shared=PARTNER_FIELDS) -> bool:
    """The edit changed a field of `shared` (what partners, or event
    organisers, received)."""
    kind = history_instance.history_type
    if label == "clienteling.clientemail" and kind in ("+", "-"):
        # A primary address added or removed changes what the file carries.
        return bool(history_instance.is_primary)
    if kind != "~":
        return False
    before = history_instance.prev_record
    if before is None:
        return False
    return any(
        getattr(before, name) != getattr(history_instance, name)
        for name in shared[label]
    )


# What a guest list carries (decision 0106): names and the primary email.
ORGANISER_FIELDS = {
    "clienteling.client": ("first_name", "last_name"),
    "clienteling.clientemail": ("address", "is_primary"),
}


def _edit_needs_no_notice(client_id: int) -> bool:
    """An erased or merged record (the erasure and the merge tell the
    recipients themselves), or a rectification request in progress (its
    linked edits are notified under the request, once)."""
    from clienteling.models import Client
    from privacy.models import DataSubjectRequest

    client = Client.objects.filter(pk=client_id).first()
    if client is None or client.is_retired:
        return True
    return DataSubjectRequest.objects.filter(
        client_id=client_id,
        kind=DataSubjectRequest.Kind.RECTIFICATION,
        status=DataSubjectRequest.Status.IN_PROGRESS,
    ).exists()


def on_history_record(sender, instance, history_instance, **kwargs):
    """simple_history's post_create_historical_record, for the client and
    their emails: a staff edit (a history row with a user) of a field a
    partner received, on a client disclosed to that partner and not
    recalled, queues a rectification notice to it (Art. 19), with the
    history row as the cause. Edits by the system (no user) and of
    fields nobody received tell nobody."""
    label = instance._meta.label_lower
    if label not in PARTNER_FIELDS or history_instance.history_user_id is None:
        return
    client_id = _client_id_of(instance)
    if client_id is None:
        return
    receivers = list(
        Disclosure.objects.filter(client_id=client_id, recalled_in__isnull=True)
        .exclude(recipient=GROUP)
        .values_list("recipient", flat=True)
    )
    # Event organisers received names and, on some lists, the email address
    # (decision 0106): an edit of those tells them too.
    organisers = (
        _shared_field_changed(label, history_instance, ORGANISER_FIELDS)
        and OrganiserDisclosure.objects.filter(client_id=client_id).exists()
    )
    if not (receivers and _shared_field_changed(label, history_instance)):
        receivers = []
    if not receivers and not organisers:
        return
    if _edit_needs_no_notice(client_id):
        return
    model = label.split(".")[1]
    notices_queue(
        acting_user=history_instance.history_user,
        client_ids=[client_id],
        kind=Kind.RECTIFICATION,
        reference=f"edit:{model}#{history_instance.history_id}",
        recipients=receivers,
        organisers=organisers,
        now=history_instance.history_date,
    )
