"""Writes and business rules of clienteling.

Every function takes keyword-only arguments and `acting_user` (None only
for system jobs), records who did it in django-simple-history, and returns
what it changed. Admin, views, imports and tasks call these.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import tablib
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.exceptions import ImportRefused
from clienteling.models import (
    Appointment,
    Boutique,
    Client,
    ClientEmail,
    ClientPhone,
    ContactEvent,
    DuplicateFlag,
    FollowUp,
    ImportantDate,
    Invitation,
    MetalAllergy,
    SelectionItem,
    WebEvent,
)
from clienteling.querysets import anniversaries_within, next_occurrence
from core import hooks
from core.display import day, moment
from core.free_text import free_text_refusals
from core.writes import now_or as _now
from core.writes import save_with_author as _save

EARTH_RADIUS_KM = 6371.0088


def _editable_or_refuse(client: Client) -> None:
    """Refuse a change to a client whose processing is restricted (Art. 18).

    The apps above register the gates (privacy: an open restriction).
    """
    refusal = hooks.edit_refusal(client)
    if refusal:
        raise ValidationError(refusal)


# --- Clients ----------------------------------------------------------------


@transaction.atomic
def client_create(
    *,
    acting_user,
    home_boutique: Boutique,
    first_name: str,
    last_name: str,
    source: str = Client.Source.BOUTIQUE,
    email: str = "",
    phone: str = "",
    **fields,
) -> Client:
    """Create a client with an optional primary email and mobile number."""
    client = Client(
        home_boutique=home_boutique,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        source=source,
        primary_adviser=fields.pop("primary_adviser", None)
        or (acting_user if _works_in(acting_user, home_boutique) else None),
        **fields,
    )
    _save(client, acting_user)
    if email:
        _save(ClientEmail(client=client, address=email, is_primary=True), acting_user)
    if phone:
        _save(ClientPhone(client=client, number=phone, is_primary=True), acting_user)
    return client


def _works_in(user, boutique: Boutique) -> bool:
    return bool(user) and user.boutiques.filter(pk=boutique.pk).exists()


# --- Contact history ----------------------------------------------------------


@transaction.atomic
def contact_log(
    *,
    acting_user,
    client: Client,
    channel: str,
    direction: str,
    subject: str,
    summary: str = "",
    outcome: str = "",
    occurred_at: datetime | None = None,
    related: models.Model | None = None,
    boutique: Boutique | None = None,
) -> ContactEvent:
    """Record a contact and keep the client's last-contact dates current.

    A phone call needs its outcome (ContactEvent.clean).
    """
    _editable_or_refuse(client)
    occurred_at = _now(occurred_at)
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("A contact cannot be in the future.")})
    event = ContactEvent(
        client=client,
        channel=channel,
        direction=direction,
        subject=subject.strip(),
        summary=summary.strip(),
        outcome=outcome,
        occurred_at=occurred_at,
        staff=acting_user,
        boutique=boutique,
        related_object=related,
    )
    _save(event, acting_user)
    # Derived values on the client row, so lists never aggregate; update()
    # with Greatest-style guards keeps the newest when contacts arrive late.
    Client.objects.filter(pk=client.pk).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=occurred_at)
    ).update(last_contact_at=occurred_at)
    if direction == ContactEvent.Direction.INBOUND:
        Client.objects.filter(pk=client.pk).filter(
            Q(last_client_initiated_contact_at__isnull=True)
            | Q(last_client_initiated_contact_at__lt=occurred_at)
        ).update(last_client_initiated_contact_at=occurred_at)
    client.refresh_from_db(
        fields=["last_contact_at", "last_client_initiated_contact_at"]
    )
    return event


def client_lifetime_value_add(*, client_id: int, amount: Decimal) -> None:
    """Add a sale (or a negative credit) to the stored lifetime value.

    Called by the orders app when an invoice or credit note is issued.
    """
    Client.objects.filter(pk=client_id).update(
        lifetime_value=models.functions.Greatest(
            F("lifetime_value") + amount, Decimal("0")
        )
    )


# --- Technical data -----------------------------------------------------------


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = (
        math.sin(dphi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def nearest_boutique(*, latitude: float, longitude: float) -> Boutique | None:
    """The active boutique closest to a point (great-circle distance)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError(_("Latitude or longitude out of range."))
    boutiques = Boutique.objects.active().only("id", "latitude", "longitude")
    return min(
        boutiques,
        key=lambda b: _haversine_km(
            latitude, longitude, float(b.latitude), float(b.longitude)
        ),
        default=None,
    )


@transaction.atomic
def client_locate(
    *,
    acting_user,
    client: Client,
    latitude: float,
    longitude: float,
    display_language: str = "",
) -> Client:
    """Keep the nearest boutique (and display language), not the location."""
    _editable_or_refuse(client)
    client.nearest_boutique = nearest_boutique(latitude=latitude, longitude=longitude)
    if display_language:
        client.display_language = display_language
    _save(client, acting_user)
    return client


# --- Health data --------------------------------------------------------------


@transaction.atomic
def allergy_record(
    *,
    acting_user,
    client: Client,
    metal: str,
    severity: str = MetalAllergy.Severity.MILD,
    notes: str = "",
) -> MetalAllergy:
    """Record a metal allergy; refused unless every consent gate allows it.

    The client row is locked first: the metal is encrypted, so "one row per
    metal" is checked in Python (MetalAllergy.validate_constraints), not by
    a database constraint, and two concurrent saves must not both pass it.
    """
    Client.objects.select_for_update().filter(pk=client.pk).exists()
    _editable_or_refuse(client)
    hooks.check_allergy_allowed(client)
    allergy = MetalAllergy(
        client=client,
        metal=metal,
        severity=severity,
        notes=notes,
        recorded_by=acting_user,
    )
    _save(allergy, acting_user)
    return allergy


# --- Events -------------------------------------------------------------------


def invitation_capacity_check(
    *, event, new_status: str, previous_status: str | None = None
) -> None:
    """Refuse a status that takes a seat the event no longer has.

    The one capacity rule: the admin form calls it to send the user back
    with the message, the services call it again under the event's lock.
    """
    if new_status not in Invitation.SEAT_HOLDING:
        return
    if previous_status in Invitation.SEAT_HOLDING:
        return  # the invitation already holds its seat
    taken = event.invitations.filter(status__in=Invitation.SEAT_HOLDING).count()
    if taken >= event.capacity:
        raise ValidationError(
            {
                "status": (
                    _("The event is full (%(capacity)s places).")
                    % {"capacity": event.capacity}
                )
            }
        )


def _locked_event(event_id: int):
    from clienteling.models import HouseEvent

    return HouseEvent.objects.select_for_update().get(pk=event_id)


@transaction.atomic
def invitation_create(
    *,
    acting_user,
    event,
    client: Client,
    status: str = Invitation.Status.INVITED,
    now: datetime | None = None,
) -> Invitation:
    """Invite a client to an event, refusing to overbook it."""
    _editable_or_refuse(client)
    event = _locked_event(event.pk)
    invitation_capacity_check(event=event, new_status=status)
    invitation = Invitation(
        event=event, client=client, status=status, invited_by=acting_user
    )
    if status != Invitation.Status.INVITED:
        invitation.responded_at = _now(now)
    _save(invitation, acting_user)
    return invitation


@transaction.atomic
def invitation_set_status(
    *, acting_user, invitation: Invitation, status: str, now: datetime | None = None
) -> Invitation:
    """Record an RSVP or attendance, refusing to overbook the event."""
    event = _locked_event(invitation.event_id)
    # The stored status, not the instance's: a form may already have set the
    # new one on it.
    previous = (
        Invitation.objects.filter(pk=invitation.pk)
        .values_list("status", flat=True)
        .first()
    )
    invitation_capacity_check(event=event, new_status=status, previous_status=previous)
    invitation.status = status
    invitation.responded_at = _now(now)
    _save(invitation, acting_user)
    return invitation


# --- Follow-ups ---------------------------------------------------------------

ANNIVERSARY_HORIZON_DAYS = 14
LAPSING_AFTER_DAYS = 540  # 18 months without any contact


@dataclass
class FollowUpRun:
    created: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.created.values())


@transaction.atomic
def follow_ups_generate(
    *,
    today: date | None = None,
    horizon_days: int = ANNIVERSARY_HORIZON_DAYS,
    lapsing_after_days: int = LAPSING_AFTER_DAYS,
    client_ids: list[int] | None = None,
    id_range: tuple[int, int] | None = None,
) -> FollowUpRun:
    """Create the follow-ups due from dates and activity; idempotent.

    Each generated follow-up has a source_key naming what produced it (the
    date and the year, or the lapsing period), and a unique constraint on
    that key, so a re-run creates nothing twice. A system job: no
    acting_user.
    """
    today = today or timezone.localdate()
    run = FollowUpRun()
    clients = Client.objects.active()
    if client_ids is not None:
        clients = clients.filter(pk__in=client_ids)
    if id_range is not None:
        clients = clients.filter(pk__gte=id_range[0], pk__lt=id_range[1])
    # A restricted client's data may only be stored (Art. 18), and a client
    # who objected is not to be approached (Art. 21): no call is planned.
    clients = hooks.contactable_clients(clients)

    dates = (
        ImportantDate.objects.filter(recurring=True, client__in=clients)
        .filter(anniversaries_within("date", today, horizon_days))
        .select_related("client")
    )
    pending = []
    for important in dates:
        occurrence = next_occurrence(important.date, today)
        pending.append(
            FollowUp(
                client=important.client,
                adviser_id=important.client.primary_adviser_id,
                due_date=occurrence - timedelta(days=7)
                if occurrence - timedelta(days=7) >= today
                else today,
                reason=FollowUp.Reason.ANNIVERSARY,
                note=(
                    _("%(kind)s on %(occurrence)s")
                    % {
                        "kind": important.get_kind_display(),
                        "occurrence": format(occurrence, "%d %B"),
                    }
                ),
                source_key=f"anniversary:{important.pk}:{occurrence.year}",
            )
        )
    run.created["anniversary"] = _create_new(pending)

    lapsing_since = today - timedelta(days=lapsing_after_days)
    cutoff = timezone.make_aware(datetime.combine(lapsing_since, datetime.min.time()))
    # A client never contacted lapses from the day the record was created.
    lapsing = (
        clients.annotate(last_seen=Coalesce("last_contact_at", "created_at"))
        .filter(last_seen__lt=cutoff)
        .only("id", "primary_adviser_id")
    )
    pending = [
        FollowUp(
            client=client,
            adviser_id=client.primary_adviser_id,
            due_date=today,
            reason=FollowUp.Reason.LAPSING,
            note=_("No contact for 18 months"),
            # One per lapse: a new contact starts a new period.
            source_key=f"lapsing:{client.pk}:{client.last_seen:%Y%m%d}",
        )
        for client in lapsing.iterator(chunk_size=2000)
    ]
    run.created["lapsing"] = _create_new(pending)
    return run


def _create_new(follow_ups: list[FollowUp]) -> int:
    """Insert the follow-ups whose source_key is new; return how many."""
    if not follow_ups:
        return 0
    keys = [f.source_key for f in follow_ups]
    existing = set(
        FollowUp.objects.filter(source_key__in=keys).values_list(
            "source_key", flat=True
        )
    )
    new = [f for f in follow_ups if f.source_key not in existing]
    # bulk_create writes no history row: generated follow-ups are created by
    # the system job, and their later edits are tracked as usual.
    FollowUp.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def follow_up_create(
    *,
    acting_user,
    client: Client,
    due_date: date,
    reason: str = FollowUp.Reason.MANUAL,
    note: str = "",
    adviser=None,
    source_key: str | None = None,
) -> FollowUp | None:
    """Create one follow-up (None if source_key was already generated).

    Refused for a client whose processing is restricted (Art. 18): their
    data may only be stored, and a call to plan is a use of it.
    """
    refusal = hooks.edit_refusal(client)
    if refusal:
        raise ValidationError({"client": refusal})
    if source_key and FollowUp.objects.filter(source_key=source_key).exists():
        return None
    follow_up = FollowUp(
        client=client,
        adviser=adviser or client.primary_adviser or acting_user,
        due_date=due_date,
        reason=reason,
        note=note,
        source_key=source_key,
    )
    try:
        # A concurrent run may insert the same key between check and save.
        with transaction.atomic():
            _save(follow_up, acting_user)
    except (IntegrityError, ValidationError) as exc:
        if source_key and FollowUp.objects.filter(source_key=source_key).exists():
            return None
        raise exc from None
    return follow_up


@transaction.atomic
def follow_up_complete(
    *,
    acting_user,
    follow_up: FollowUp,
    outcome: str,
    now: datetime | None = None,
) -> FollowUp:
    """Mark a follow-up done with what came of it."""
    locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if locked.status != FollowUp.Status.OPEN:
        raise ValidationError(
            {
                "status": _("This follow-up is already %(status)s.")
                % {"status": locked.get_status_display().lower()}
            }
        )
    locked.status = FollowUp.Status.DONE
    locked.done_outcome = outcome
    locked.done_at = _now(now)
    _save(locked, acting_user)
    return locked


# --- Duplicates and merge -----------------------------------------------------


@transaction.atomic
def duplicates_detect(*, client_ids: list[int] | None = None) -> int:
    """Flag pairs of active clients sharing an email or a phone number.

    Set-based: one grouped query per kind. Returns the number of new flags.
    """
    created = 0
    for model, key, reason in (
        (
            ClientEmail,
            models.functions.Lower("address"),
            DuplicateFlag.Reason.SAME_EMAIL,
        ),
        (ClientPhone, F("number"), DuplicateFlag.Reason.SAME_PHONE),
    ):
        rows = model.objects.filter(client__status=Client.Status.ACTIVE)
        shared = (
            rows.annotate(key=key)
            .values("key")
            .annotate(n=Count("client", distinct=True))
            .filter(n__gt=1)
            .values("key")
        )
        groups: dict[str, set[int]] = {}
        for value, client_id in (
            rows.annotate(key=key)
            .filter(key__in=shared)
            .values_list("key", "client_id")
        ):
            groups.setdefault(value, set()).add(client_id)
        pairs = set()
        for ids in groups.values():
            if client_ids is not None and not ids & set(client_ids):
                continue
            # A star, not a clique: N records sharing a value give N-1 flags,
            # each against the oldest record.
            first, *others = sorted(ids)
            pairs |= {(first, other) for other in others}
        existing = set(
            DuplicateFlag.objects.filter(reason=reason).values_list("client", "other")
        )
        new = [
            DuplicateFlag(client_id=a, other_id=b, reason=reason)
            for a, b in sorted(pairs - existing)
        ]
        DuplicateFlag.objects.bulk_create(new, ignore_conflicts=True)
        created += len(new)
    return created


@transaction.atomic
def duplicates_flag_client(*, client: Client) -> int:
    """Flag, now, the live clients sharing an email or a phone with `client`
    (a record saved with "create anyway" at entry); the nightly
    duplicates_detect would flag the same pairs: each value's records
    paired with the oldest of them. Returns the number of new flags."""
    created = 0
    live = Client.objects.live()
    for model, key, reason in (
        (
            ClientEmail,
            models.functions.Lower("address"),
            DuplicateFlag.Reason.SAME_EMAIL,
        ),
        (ClientPhone, F("number"), DuplicateFlag.Reason.SAME_PHONE),
    ):
        rows = model.objects.annotate(key=key)
        own = rows.filter(client=client).values_list("key", flat=True)
        groups: dict[str, set[int]] = {}
        for value, client_id in rows.filter(
            key__in=list(own), client__in=live
        ).values_list("key", "client_id"):
            groups.setdefault(value, {client.pk}).add(client_id)
        pairs = set()
        for ids in groups.values():
            first = min(ids)
            if first == client.pk:
                pairs |= {(first, other) for other in ids - {first}}
            else:
                pairs.add((first, client.pk))
        existing = set(
            DuplicateFlag.objects.filter(reason=reason)
            .filter(Q(client=client) | Q(other=client))
            .values_list("client", "other")
        )
        new = [
            DuplicateFlag(client_id=a, other_id=b, reason=reason)
            for a, b in sorted(pairs - existing)
        ]
        DuplicateFlag.objects.bulk_create(new, ignore_conflicts=True)
        created += len(new)
    return created


@dataclass
class MergeResult:
    survivor: Client
    merged: Client
    moved: dict[str, int] = field(default_factory=dict)
    kept_on_merged: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def client_merge(*, acting_user, survivor: Client, duplicate: Client) -> MergeResult:
    """Merge `duplicate` into `survivor`.

    Both rows are locked and re-read first, so a stale object or a
    concurrent merge cannot merge a record twice. Every row that points at
    the duplicate (contact history, selections, sizes, orders, consents:
    any model of any app with a foreign key to Client) moves to the
    survivor, one save at a time so each move writes a history row naming
    the merge. A row that would break a uniqueness rule on the survivor
    (the same email twice, a second website account) stays on the merged
    record and is counted. The duplicate is kept as a merged record
    (status "merged", merged_into the survivor), so both provenances
    remain in history.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A client cannot be merged into itself."))
    locked = {
        c.pk: c
        for c in Client.objects.select_for_update()
        .filter(pk__in=[survivor.pk, duplicate.pk])
        .order_by("pk")
    }
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    for client in (survivor, duplicate):
        if client.status != Client.Status.ACTIVE:
            raise ValidationError(
                _("%(client)s is already merged into another record.")
                % {"client": client}
            )
    result = MergeResult(survivor=survivor, merged=duplicate)
    reason = f"merged {duplicate.client_number} into {survivor.client_number}"

    for model, fk in _client_foreign_keys():
        if getattr(model, "merge_policy", "move") == "keep":
            continue
        has_primary = any(f.name == "is_primary" for f in model._meta.fields)
        survivor_has_primary = (
            has_primary
            and model._default_manager.filter(
                **{fk: survivor, "is_primary": True}
            ).exists()
        )
        for row in model._default_manager.filter(**{fk: duplicate}):
            setattr(row, fk, survivor)
            if has_primary and row.is_primary and survivor_has_primary:
                row.is_primary = False
            moved = _move_row(row, acting_user=acting_user, reason=reason)
            tally = result.moved if moved else result.kept_on_merged
            label = model._meta.label
            tally[label] = tally.get(label, 0) + 1
            if moved and has_primary and row.is_primary:
                survivor_has_primary = True
    for handler in hooks.merge_handlers():
        for label, count in handler(
            survivor=survivor, duplicate=duplicate, acting_user=acting_user
        ).items():
            result.moved[label] = result.moved.get(label, 0) + count

    Client.objects.filter(pk=survivor.pk).update(
        lifetime_value=F("lifetime_value") + duplicate.lifetime_value
    )
    survivor.refresh_from_db()
    for field_name in ("last_contact_at", "last_client_initiated_contact_at"):
        theirs = getattr(duplicate, field_name)
        ours = getattr(survivor, field_name)
        if theirs and (ours is None or theirs > ours):
            setattr(survivor, field_name, theirs)
    survivor._change_reason = reason
    _save(survivor, acting_user)

    duplicate.status = Client.Status.MERGED
    duplicate.merged_into = survivor
    duplicate.lifetime_value = Decimal("0")
    duplicate._change_reason = reason
    _save(duplicate, acting_user)

    DuplicateFlag.objects.filter(
        Q(client__in=[survivor, duplicate]) | Q(other__in=[survivor, duplicate]),
        status=DuplicateFlag.Status.OPEN,
    ).filter(Q(client=duplicate) | Q(other=duplicate)).update(
        status=DuplicateFlag.Status.MERGED,
        resolved_at=timezone.now(),
        resolved_by=acting_user,
    )
    return result


@dataclass
class MergePreview:
    """What client_merge would do: rows that move, rows that stay behind."""

    survivor: Client
    duplicate: Client
    moves: list[tuple[str, int]] = field(default_factory=list)
    stays: list[tuple[str, int]] = field(default_factory=list)


def client_merge_preview(*, survivor: Client, duplicate: Client) -> MergePreview:
    """Count, by kind of record, what a merge of `duplicate` into `survivor`
    would move, from the same list of foreign keys client_merge walks.

    Rows of "keep" models stay on the merged record (evidence, legal
    documents); merge handlers may copy them over (the consent history is).
    One COUNT per model, so the confirmation page stays cheap.
    """
    preview = MergePreview(survivor=survivor, duplicate=duplicate)
    for model, fk in _client_foreign_keys():
        if model is DuplicateFlag:
            continue
        count = model._default_manager.filter(**{fk: duplicate}).count()
        if not count:
            continue
        label = str(
            model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
        )
        if getattr(model, "merge_policy", "move") == "keep":
            preview.stays.append((label, count))
        else:
            preview.moves.append((label, count))
    return preview


def _client_foreign_keys() -> list[tuple[type[models.Model], str]]:
    """Every (model, field) pointing at Client, hidden relations included.

    Client._meta.related_objects leaves out foreign keys declared with
    related_name="+", which the apps above use; a merge must see them all.
    A model sets `merge_policy = "keep"` when its rows stay with the merged
    record (evidence, legal documents) or are carried over by a merge
    handler (core.hooks).
    """
    from django.apps import apps as django_apps

    return [
        (model, field.name)
        for model in django_apps.get_models()
        for field in model._meta.fields
        if field.is_relation
        and field.related_model is Client
        and (field.many_to_one or field.one_to_one)
        and not (model is Client and field.name == "merged_into")
        and not model._meta.model_name.startswith("historical")
    ]


def _move_row(row: models.Model, *, acting_user, reason: str) -> bool:
    """Save a re-pointed row unless it breaks a constraint; True if moved."""
    try:
        row.validate_unique()
        row.validate_constraints()
        with transaction.atomic():
            row._history_user = acting_user
            row._change_reason = reason
            row.save()
    except (ValidationError, IntegrityError):
        return False
    return True


# --- Import -------------------------------------------------------------------


def clients_import(
    *, acting_user, data: bytes | str | tablib.Dataset, now: datetime | None = None
) -> list[Client]:
    """Import clients from CSV (or an already read dataset), all or nothing.

    The whole file is checked first (columns, duplicate client numbers, the
    boutiques the importer may import into), then every row; any problem
    refuses the file and nothing is written. Problems name the row (1 = the
    first row under the header), the column and the reason. A valid file
    is written by the set-based engine (clienteling.imports): COPY and
    INSERT ... SELECT on PostgreSQL, one history row per created client,
    email and phone. The admin's import screens confirm through here too.
    """
    from clienteling import csv_files, imports

    dataset = data if isinstance(data, tablib.Dataset) else csv_files.read_dataset(data)
    return imports.import_set_based(dataset, acting_user=acting_user, now=now)


def import_upload_store(*, acting_user, data: bytes) -> str:
    """Keep a file uploaded for import until its preview is confirmed.

    Returns the opaque token the confirm step sends back; the file is
    bound to `acting_user` and expires (clienteling.import_uploads).
    """
    from clienteling import import_uploads

    return import_uploads.upload_store(acting_user=acting_user, data=data)


def import_upload_take(*, acting_user, token: str) -> bytes:
    """The pending upload behind `token`, deleted as it is read.

    ValidationError, with no file read or deleted, unless the token is one
    `acting_user` was given for a file still pending and not expired.
    """
    from clienteling import import_uploads

    return import_uploads.upload_take(acting_user=acting_user, token=token)


def import_uploads_sweep(*, now: datetime | None = None) -> int:
    """Delete pending uploads older than their expiry (previews abandoned)."""
    from clienteling import import_uploads

    return import_uploads.uploads_sweep(now=now)


def import_start(*, acting_user, what: str, data: bytes):
    """Upload an import file: it is stored and its check job queued.

    Nothing is read in the request: the check (a job) names every problem
    by row and column; the file is written only once `import_confirm`'s
    job runs (clienteling.staged_imports).
    """
    from clienteling import staged_imports

    return staged_imports.start(acting_user=acting_user, what=what, data=data)


def import_confirm(*, acting_user, staged):
    """Queue the write of the uploader's own checked file, once."""
    from clienteling import staged_imports

    return staged_imports.confirm(acting_user=acting_user, staged=staged)


def import_abandon(*, acting_user, staged):
    """Drop the uploader's own unconfirmed import; its file is deleted."""
    from clienteling import staged_imports

    return staged_imports.abandon(acting_user=acting_user, staged=staged)


# --- Website activity -------------------------------------------------------------

WEB_EVENT_FIELDS = {
    "external_id",
    "client_number",
    "kind",
    "product_reference",
    "occurred_at",
}


@dataclass
class WebEventImport:
    created: int = 0
    already_known: int = 0
    # Left out because the client's cookie choices do not allow them.
    not_allowed: int = 0


@transaction.atomic
def web_events_import(*, rows: list[dict]) -> WebEventImport:
    """Record website activity events, all or nothing; idempotent.

    Each row names the website's own event id (`external_id`): an event seen
    before is skipped, so a re-sent file creates nothing twice. Selection
    changes also update the client's Selection. A system job: no
    acting_user. Problems are reported as "Row N: ..." and nothing is
    written.
    """
    parsed, problems = web_events_check(rows=rows)
    if problems:
        raise ImportRefused(problems)
    return web_events_write(events=parsed)


def web_events_check(*, rows: list[dict], progress=None) -> tuple[list, list[str]]:
    """The events of `rows` (unsaved) and every problem, "Row N: ...".

    `progress(done, total)`, when given, is called every 500 rows.
    """
    problems = []
    parsed = []
    numbers = {str(r.get("client_number", "")).strip().upper() for r in rows}
    clients = dict(
        Client.objects.filter(client_number__in=numbers).values_list(
            "client_number", "pk"
        )
    )
    kinds = set(WebEvent.Kind.values)
    total = len(rows)
    for n, row in enumerate(rows, start=1):
        if progress is not None and (n % 500 == 0 or n == total):
            progress(n, total)
        unknown = set(row) - WEB_EVENT_FIELDS
        if unknown:
            problems.append(
                _("Row %(n)s: unknown field(s) %(items)s.")
                % {"n": n, "items": ", ".join(sorted(unknown))}
            )
            continue
        number = str(row.get("client_number", "")).strip().upper()
        external_id = str(row.get("external_id", "")).strip()
        try:
            occurred_at = datetime.fromisoformat(str(row.get("occurred_at", "")))
        except ValueError:
            problems.append(
                _("Row %(n)s: occurred_at is not an ISO 8601 date-time.") % {"n": n}
            )
            continue
        if timezone.is_naive(occurred_at):
            problems.append(_("Row %(n)s: occurred_at has no time zone.") % {"n": n})
            continue
        if not external_id:
            problems.append(_("Row %(n)s: external_id is missing.") % {"n": n})
        elif number not in clients:
            problems.append(
                _("Row %(n)s: no client has the number %(client_number)s.")
                % {"n": n, "client_number": number or "(empty)"}
            )
        elif row.get("kind") not in kinds:
            problems.append(
                _("Row %(n)s: kind %(get)s is not one of %(items)s.")
                % {
                    "n": n,
                    "get": repr(row.get("kind")),
                    "items": ", ".join(sorted(kinds)),
                }
            )
        else:
            event = WebEvent(
                client_id=clients[number],
                kind=row["kind"],
                product_reference=str(row.get("product_reference", ""))[:40],
                occurred_at=occurred_at,
                external_id=external_id,
            )
            # bulk_create below skips full_clean() and save(): the free-text
            # rule is applied here.
            problems.extend(free_text_refusals(event, prefix=f"Row {n}: "))
            parsed.append(event)
    return parsed, problems


def web_events_write(*, events: list) -> WebEventImport:
    """Write checked events (web_events_check) in the caller's transaction;
    an event already known (its external_id) is skipped, and one the
    client's cookie choices do not allow is not stored (core.hooks'
    web-event filters, decision 0076)."""
    parsed = hooks.web_events_allowed(list(events))
    not_allowed = len(events) - len(parsed)
    known = set(
        WebEvent.objects.filter(
            external_id__in=[e.external_id for e in parsed]
        ).values_list("external_id", flat=True)
    )
    new = [e for e in parsed if e.external_id not in known]
    # bulk_create writes no history rows: these are imported facts, never
    # edited afterwards.
    WebEvent.objects.bulk_create(new, ignore_conflicts=True)
    for event in new:
        if event.kind == WebEvent.Kind.SELECTION_ADDED and event.product_reference:
            SelectionItem.objects.get_or_create(
                client_id=event.client_id,
                product_reference=event.product_reference,
                defaults={
                    "product_name": event.product_reference,
                    "added_at": event.occurred_at,
                },
            )
        elif event.kind == WebEvent.Kind.SELECTION_REMOVED:
            SelectionItem.objects.filter(
                client_id=event.client_id, product_reference=event.product_reference
            ).delete()
    return WebEventImport(
        created=len(new),
        already_known=len(parsed) - len(new),
        not_allowed=not_allowed,
    )


# --- Appointments -----------------------------------------------------------

# How the client asked for the appointment, for the timeline entry.
BOOKING_CHANNELS = (
    ContactEvent.Channel.PHONE,
    ContactEvent.Channel.BOUTIQUE_VISIT,
    ContactEvent.Channel.EMAIL,
    ContactEvent.Channel.INSTANT_MESSAGING,
    ContactEvent.Channel.WEB_FORM,
)


def appointment_check(
    *,
    acting_user,
    client: Client,
    adviser,
    starts_at: datetime,
    ends_at: datetime,
    appointment: Appointment | None = None,
    now: datetime | None = None,
) -> None:
    """Raise a ValidationError naming the field for an appointment that may
    not be booked (or moved) there: a restricted client, a time in the
    past, an end before the start, an adviser already booked then.

    The admin form runs it to send the user back; the services run it
    again under the adviser's lock.
    """
    errors: dict[str, list[str]] = {}
    refusal = hooks.edit_refusal(client) if client is not None else None
    if refusal:
        errors["client"] = [refusal]
    if starts_at and starts_at < _now(now):
        errors.setdefault("starts_at", []).append(
            _("The start (%(start)s) is in the past: an appointment is booked ahead.")
            % {"start": moment(starts_at)}
        )
    if starts_at and ends_at and ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(
            _("The end must be after the start (%(start)s).")
            % {"start": moment(starts_at)}
        )
    elif starts_at and ends_at and adviser is not None:
        clash = (
            Appointment.objects.booked()
            .filter(adviser=adviser)
            .overlapping(starts_at, ends_at)
            .exclude(pk=getattr(appointment, "pk", None))
            .select_related("client")
            .first()
        )
        if clash is not None:
            errors.setdefault("starts_at", []).append(
                _double_booking_message(clash, adviser=adviser, viewer=acting_user)
            )
    if errors:
        raise ValidationError(errors)


def _double_booking_message(clash: Appointment, *, adviser, viewer) -> str:
    """Names the other appointment's time; its client only when the user
    may see that client."""
    local_start = timezone.localtime(clash.starts_at)
    local_end = timezone.localtime(clash.ends_at)
    values = {
        "adviser": adviser.get_full_name() or adviser.get_username(),
        "day": day(local_start),
        "start": f"{local_start:%H:%M}",
        "end": f"{local_end:%H:%M}",
    }
    sees_client = viewer is not None and (
        Client.objects.visible_to(viewer).filter(pk=clash.client_id).exists()
    )
    if sees_client:
        values["client"] = clash.client.full_name
        return (
            _(
                "%(adviser)s already has an appointment on %(day)s from "
                "%(start)s to %(end)s, with %(client)s. Choose another time "
                "or another adviser."
            )
            % values
        )
    return (
        _(
            "%(adviser)s already has an appointment on %(day)s from %(start)s "
            "to %(end)s. Choose another time or another adviser."
        )
        % values
    )


def _lock_adviser(adviser) -> None:
    """Two bookings of one adviser at once wait for each other, so the
    second sees the first and is refused."""
    type(adviser).objects.select_for_update().filter(pk=adviser.pk).exists()


@transaction.atomic
def appointment_book(
    *,
    acting_user,
    client: Client,
    boutique: Boutique,
    adviser,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    notes: str = "",
    booked_via: str = ContactEvent.Channel.PHONE,
    now: datetime | None = None,
) -> Appointment:
    """Book an appointment; the client's timeline records the booking."""
    now = _now(now)
    _lock_adviser(adviser)
    appointment_check(
        acting_user=acting_user,
        client=client,
        adviser=adviser,
        starts_at=starts_at,
        ends_at=ends_at,
        now=now,
    )
    appointment = Appointment(
        client=client,
        boutique=boutique,
        adviser=adviser,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose,
        notes=notes.strip(),
        booked_by=acting_user,
    )
    _save(appointment, acting_user)
    contact_log(
        acting_user=acting_user,
        client=client,
        channel=booked_via,
        direction=ContactEvent.Direction.INBOUND,
        subject=_("Appointment booked: %(what)s with %(adviser)s")
        % {
            "what": str(appointment),
            "adviser": adviser.get_full_name() or adviser.get_username(),
        },
        outcome=ContactEvent.Outcome.APPOINTMENT_BOOKED,
        occurred_at=now,
        related=appointment,
        boutique=boutique,
    )
    return appointment


def _locked_booked(appointment: Appointment) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not locked.is_booked:
        raise ValidationError(
            {
                "status": _("This appointment is already %(status)s.")
                % {"status": locked.get_status_display().lower()}
            }
        )
    return locked


@transaction.atomic
def appointment_reschedule(
    *,
    acting_user,
    appointment: Appointment,
    starts_at: datetime,
    ends_at: datetime,
    adviser=None,
    now: datetime | None = None,
) -> Appointment:
    """Move a booked appointment; its history keeps the times it had."""
    adviser = adviser or appointment.adviser
    _lock_adviser(adviser)
    locked = _locked_booked(appointment)
    appointment_check(
        acting_user=acting_user,
        client=locked.client,
        adviser=adviser,
        starts_at=starts_at,
        ends_at=ends_at,
        appointment=locked,
        now=now,
    )
    locked.starts_at, locked.ends_at, locked.adviser = starts_at, ends_at, adviser
    locked._change_reason = "rescheduled"
    _save(locked, acting_user)
    return locked


@transaction.atomic
def appointment_cancel(
    *, acting_user, appointment: Appointment, now: datetime | None = None
) -> Appointment:
    """Cancel a booked appointment (not undone: book again instead)."""
    locked = _locked_booked(appointment)
    locked.status = Appointment.Status.CANCELLED
    locked._change_reason = "cancelled"
    _save(locked, acting_user)
    return locked


@transaction.atomic
def appointment_mark(
    *,
    acting_user,
    appointment: Appointment,
    status: str,
    now: datetime | None = None,
) -> Appointment:
    """Mark a booked appointment attended or missed, once it has begun.

    An attended appointment is a boutique visit on the client's timeline.
    """
    if status not in (Appointment.Status.ATTENDED, Appointment.Status.NO_SHOW):
        raise ValidationError({"status": _("Choose attended or did not come.")})
    now = _now(now)
    locked = _locked_booked(appointment)
    if locked.starts_at > now:
        raise ValidationError(
            {
                "status": _(
                    "This appointment starts on %(start)s: it can be marked "
                    "once it has begun."
                )
                % {"start": moment(locked.starts_at)}
            }
        )
    locked.status = status
    _save(locked, acting_user)
    if status == Appointment.Status.ATTENDED:
        contact_log(
            acting_user=acting_user,
            client=locked.client,
            channel=ContactEvent.Channel.BOUTIQUE_VISIT,
            direction=ContactEvent.Direction.INBOUND,
            subject=_("Appointment attended: %(what)s") % {"what": str(locked)},
            outcome=ContactEvent.Outcome.REACHED,
            occurred_at=locked.starts_at,
            related=locked,
            boutique=locked.boutique,
        )
    return locked


def appointments_to_remind(*, now: datetime | None = None):
    """Booked appointments of tomorrow (local day) not yet reminded."""
    tomorrow = timezone.localtime(_now(now)).date() + timedelta(days=1)
    return (
        Appointment.objects.booked()
        .on_day(tomorrow)
        .filter(reminded_at__isnull=True, adviser__is_active=True)
    )


def appointment_reminders_send(*, now: datetime | None = None) -> int:
    """Email each adviser a reminder of tomorrow's appointments, once each.

    Each appointment is claimed (reminded_at set where it was empty) in its
    own transaction with the sending: a second run, or two at once, claims
    nothing twice; a failed send rolls its claim back for the next run.
    """
    now = _now(now)
    sent = 0
    for pk in list(appointments_to_remind(now=now).values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                pk=pk, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            appointment = Appointment.objects.select_related(
                "client", "boutique", "adviser"
            ).get(pk=pk)
            if appointment.adviser.email:
                _send_reminder(appointment)
                sent += 1
    return sent


def _send_reminder(appointment: Appointment) -> None:
    start = timezone.localtime(appointment.starts_at)
    end = timezone.localtime(appointment.ends_at)
    values = {
        "purpose": appointment.get_purpose_display(),
        "day": day(start),
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
        "client": appointment.client.full_name,
        "boutique": appointment.boutique.name,
    }
    send_mail(
        subject=_("Tomorrow %(start)s: %(purpose)s with %(client)s") % values,
        message=_(
            "A reminder of your appointment tomorrow, %(day)s, from %(start)s "
            "to %(end)s at %(boutique)s: %(purpose)s with %(client)s."
        )
        % values,
        from_email=None,
        recipient_list=[appointment.adviser.email],
    )
