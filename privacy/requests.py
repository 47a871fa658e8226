"""Data-subject requests: the legal clock, the lifecycle, and their reads.

Every change of a request goes through one function here, which checks the
transition against TRANSITIONS, saves with the acting user recorded in the
request's history, and returns the request. The clock follows GDPR
Art. 12(3): one calendar month from receipt, extendable by up to two
further months when a reason is recorded before the first due date.
"""

import calendar
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clienteling.models import Client
from clienteling.scoping import sees_every_boutique
from consents import services as consent_services
from consents.models import Restriction
from consents.services import scan_validate
from core import data_map
from core.display import day
from core.id_arrays import in_ids
from core.localisation import staff_language
from core.writes import now_or as _now
from core.writes import save_with_author as _save
from privacy import notices
from privacy.models import DataSubjectRequest, RequestEdit

logger = logging.getLogger(__name__)

Status = DataSubjectRequest.Status
Kind = DataSubjectRequest.Kind

# The lifecycle, in one place: from each status, where a request may go.
# A request reaches IN_PROGRESS only through request_verify_identity.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.IN_PROGRESS, Status.REFUSED, Status.WITHDRAWN}),
    Status.IN_PROGRESS: frozenset({Status.COMPLETED, Status.REFUSED, Status.WITHDRAWN}),
    Status.COMPLETED: frozenset(),
    Status.REFUSED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}
OPEN_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS)
MAX_EXTENSION_MONTHS = 2  # Art. 12(3): "by two further months"
SOON_DAYS = 7
FLAG_DAYS = (7, 1)


# --- The clock ---------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to month end.

    31 January + 1 month is 28 February (29 in a leap year): the deadline
    never spills into the month after.
    """
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def due_date_for(received_on: date) -> date:
    return add_months(received_on, 1)


def days_left(request: DataSubjectRequest, *, today: date) -> int:
    return (request.effective_due_on - today).days


# --- Writes ------------------------------------------------------------------


@transaction.atomic
def request_open(
    *,
    acting_user,
    client: Client | None = None,
    kind: str,
    channel: str,
    received_on: date,
    details: str = "",
    assignee=None,
    person_name: str = "",
    person_email: str = "",
    person_phone: str = "",
    person_address: str = "",
    language: str = "",
    now: datetime | None = None,
) -> DataSubjectRequest:
    """Register a request; the due date follows from the day it arrived.

    Anyone may ask (decision 0054): the request is about a person as they
    gave themselves (name, email, phone, address); their client records,
    if any, are linked later (request_link_clients). A request names a
    client already found, or the person with at least one way to answer
    them.
    """
    today = timezone.localdate(_now(now))
    if received_on > today:
        raise ValidationError(
            {"received_on": _("A request cannot be received in the future.")}
        )
    person = {
        "person_name": person_name.strip(),
        "person_email": person_email.strip(),
        "person_phone": person_phone.strip(),
        "person_address": person_address.strip(),
    }
    if client is None:
        if not person["person_name"]:
            raise ValidationError(
                {
                    "person_name": _(
                        "Give the person's name as they gave it, or choose "
                        "their client record."
                    )
                }
            )
        if not (
            person["person_email"] or person["person_phone"] or person["person_address"]
        ):
            raise ValidationError(
                {
                    "person_email": _(
                        "Give at least one way to answer the person: an email "
                        "address, a phone number or a postal address."
                    )
                }
            )
    request = DataSubjectRequest(
        client=client,
        kind=kind,
        channel=channel,
        received_on=received_on,
        details=details,
        assignee=assignee,
        due_on=due_date_for(received_on),
        language=language,
        **person,
    )
    _save(request, acting_user)
    if client is not None:
        request.clients.add(client)
    return request


def _check_visible(acting_user, clients) -> None:
    """Refuses a client record of a boutique the user cannot see."""
    if acting_user is None or sees_every_boutique(acting_user):
        return
    visible = set(
        Client.objects.visible_to(acting_user)
        .filter(pk__in=[c.pk for c in clients])
        .values_list("pk", flat=True)
    )
    hidden = [c for c in clients if c.pk not in visible]
    if hidden:
        raise ValidationError(
            {
                "clients": ngettext(
                    "%(numbers)s is a client of a boutique you cannot see: "
                    "ask a compliance officer to link it.",
                    "%(numbers)s are clients of boutiques you cannot see: ask "
                    "a compliance officer to link them.",
                    len(hidden),
                )
                % {"numbers": ", ".join(c.client_number for c in hidden)}
            }
        )


@dataclass(frozen=True)
class Candidate:
    """A client record that may be the person's, with what matched and the
    contact details on file, for staff to compare."""

    client: Client
    matched: tuple[str, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    addresses: tuple[str, ...]
    linked: bool


def request_candidates(*, acting_user, request: DataSubjectRequest) -> dict:
    """Client records that may be the person's: a search by the email, the
    phone and the name they gave (clienteling.search), among the clients
    the user may see. Returns {"candidates": [Candidate...], "hidden": n},
    n the matches in boutiques the user cannot see (never named)."""
    from clienteling.search import search_clients

    terms = [
        (_("email"), request.person_email),
        (_("phone"), request.person_phone),
        (_("name"), request.person_name),
    ]
    matched: dict[int, list[str]] = {}
    every = Client.objects.filter(status=Client.Status.ACTIVE)
    for label, term in terms:
        if not term:
            continue
        try:
            found = search_clients(every, term, cap=50)
        except ValidationError:
            continue
        for pk in found.clients.values_list("pk", flat=True):
            matched.setdefault(pk, []).append(str(label))
    for linked in request.clients.all():
        matched.setdefault(linked.pk, [])
    visible = Client.objects.visible_to(acting_user).filter(pk__in=matched)
    visible = visible.prefetch_related("emails", "phones", "addresses").order_by(
        "last_name", "first_name", "pk"
    )
    linked_ids = set(request.clients.values_list("pk", flat=True))
    candidates = [
        Candidate(
            client=c,
            matched=tuple(matched[c.pk]),
            emails=tuple(e.address for e in c.emails.all()),
            phones=tuple(p.number for p in c.phones.all()),
            addresses=tuple(
                ", ".join(filter(None, (a.line1, a.postal_code, a.city)))
                for a in c.addresses.all()
            ),
            linked=c.pk in linked_ids,
        )
        for c in visible
    ]
    return {"candidates": candidates, "hidden": len(matched) - len(candidates)}


@transaction.atomic
def request_link_clients(
    *, acting_user, request: DataSubjectRequest, clients: list[Client]
) -> DataSubjectRequest:
    """Link the person's client records (replacing the earlier choice).

    Refused, nothing written, for a closed request, a request already
    answered "we hold nothing", or a client of a boutique the user cannot
    see. The first record becomes the one the request is answered on.
    """
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError(_("This request is closed."))
    _check_visible(acting_user, clients)
    keeps = request.client_id in {c.pk for c in clients}
    if request.client_id and not keeps and request.reports.exists():
        raise ValidationError(
            {
                "clients": _(
                    "A report was built on %(number)s: keep that record linked."
                )
                % {"number": request.client.client_number}
            }
        )
    request.clients.set(clients)
    if clients and request.client_id not in {c.pk for c in clients}:
        request.client = clients[0]
    elif not clients:
        request.client = None
    _save(request, acting_user)
    return request


# --- Identity evidence (decision 0054) ----------------------------------------


def evidence_folder() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "request-evidence"


def evidence_path(request: DataSubjectRequest) -> Path | None:
    if not request.identity_evidence_name:
        return None
    return evidence_folder() / request.identity_evidence_name


@transaction.atomic
def request_attach_evidence(
    *, acting_user, request: DataSubjectRequest, upload
) -> DataSubjectRequest:
    """Keep the person's proof of identity (a PDF, JPEG or PNG checked by
    its content, as paper-form scans are) until the request closes; a new
    file replaces the earlier one. Refused, nothing written, on a closed
    request or a file that is not a scan."""
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError(
            {"evidence": _("This request is closed: its evidence was deleted.")}
        )
    try:
        content_type, extension = scan_validate(upload)
    except ValidationError as exc:
        raise ValidationError(
            {"evidence": exc.message_dict.get("scan", exc.messages)}
        ) from None
    old = evidence_path(request)
    name = f"{secrets.token_urlsafe(24)}{extension}"
    folder = evidence_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(upload.read())
    transaction.on_commit(lambda: old.unlink(missing_ok=True) if old else None)
    request.identity_evidence_name = name
    request.identity_evidence_type = content_type
    try:
        _save(request, acting_user)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return request


def _evidence_delete(request: DataSubjectRequest, now: datetime) -> None:
    """Delete the request's evidence file (the request closes)."""
    path = evidence_path(request)
    if path is None:
        return
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    request.identity_evidence_name = ""
    request.identity_evidence_deleted_at = now


def evidence_erase(*, client_ids: list[int], identifiers=None) -> int:
    """Delete the evidence files of these clients' requests (erasure)."""
    deleted = 0
    # One statement, the ids as one array (core.id_arrays, decision 0089).
    if client_ids:
        names = (
            DataSubjectRequest.objects.filter(in_ids("client_id", client_ids))
            .exclude(identity_evidence_name="")
            .values_list("identity_evidence_name", flat=True)
        )
        for name in names:
            path = evidence_folder() / name
            if path.is_file():
                path.unlink()
                deleted += 1
    return deleted


NOTHING_HELD_OUTCOME = "We hold no personal data about this person."


@transaction.atomic
def request_nothing_held(
    *, acting_user, request: DataSubjectRequest, now: datetime | None = None
) -> DataSubjectRequest:
    """Complete a request with "we hold nothing about you" (Art. 15(1): the
    answer is that no data is processed). Only after the identity check
    (the lifecycle's one way to "in progress"), and only with no client
    record linked."""
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    linked = request.clients.count()
    if linked:
        raise ValidationError(
            ngettext(
                "This request is linked to %(n)s client record: the house "
                "holds data about this person. Unlink it first if it is not "
                "theirs.",
                "This request is linked to %(n)s client records: the house "
                "holds data about this person. Unlink them first if they are "
                "not theirs.",
                linked,
            )
            % {"n": linked}
        )
    if request.identity_verified_at is None:
        raise ValidationError(
            _("Record the identity check before answering that nothing is held.")
        )
    _move(request, Status.COMPLETED)
    request.outcome = NOTHING_HELD_OUTCOME
    request.nothing_held_at = request.closed_at = _now(now)
    _evidence_delete(request, request.closed_at)
    _save(request, acting_user)
    return request


def _move(request: DataSubjectRequest, to: str) -> None:
    if to not in TRANSITIONS[request.status]:
        raise ValidationError(
            _("A request that is %(status)s cannot become %(target)s.")
            % {
                "status": request.get_status_display().lower(),
                "target": Status(to).label.lower(),
            }
        )
    request.status = to


@transaction.atomic
def request_verify_identity(
    *,
    acting_user,
    request: DataSubjectRequest,
    method: str,
    note: str = "",
    now: datetime | None = None,
) -> DataSubjectRequest:
    """Record who checked the person's identity and how; opens the work."""
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if not method:
        raise ValidationError(
            {"identity_method": _("Say how the identity was checked.")}
        )
    if acting_user is None:
        raise ValidationError(_("An identity check is made by a member of staff."))
    _move(request, Status.IN_PROGRESS)
    request.identity_method = method
    request.identity_note = note
    request.identity_verified_at = _now(now)
    request.identity_verified_by = acting_user
    _save(request, acting_user)
    return request


@transaction.atomic
def request_extend(
    *,
    acting_user,
    request: DataSubjectRequest,
    months: int,
    reason: str,
    now: datetime | None = None,
) -> DataSubjectRequest:
    """Extend the deadline (Art. 12(3)): before the first due date, with a
    reason, by at most two further months in total.
    """
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    moment = _now(now)
    today = timezone.localdate(moment)
    if not request.is_open:
        raise ValidationError(_("Only an open request can be extended."))
    if not reason.strip():
        raise ValidationError(
            {"extension_reason": _("An extension must record its reason.")}
        )
    if today > request.due_on:
        raise ValidationError(
            _(
                "The first due date (%(due_on)s) has passed: an extension must be "
                "recorded before it."
            )
            % {"due_on": day(request.due_on)}
        )
    already = 0
    if request.extended_due_on:
        already = next(
            n
            for n in range(1, MAX_EXTENSION_MONTHS + 1)
            if add_months(request.received_on, 1 + n) == request.extended_due_on
        )
    if months < 1 or already + months > MAX_EXTENSION_MONTHS:
        raise ValidationError(
            {
                "months": (
                    _(
                        "A deadline may be extended by at most "
                        "%(max_extension_months)s "
                        "further months in total (%(already)s already granted)."
                    )
                    % {"max_extension_months": MAX_EXTENSION_MONTHS, "already": already}
                )
            }
        )
    request.extended_due_on = add_months(request.received_on, 1 + already + months)
    request.extension_reason = "\n".join(
        r for r in (request.extension_reason, reason.strip()) if r
    )
    request.extended_at = moment
    _save(request, acting_user)
    return request


@transaction.atomic
def request_assign(
    *, acting_user, request: DataSubjectRequest, assignee
) -> DataSubjectRequest:
    request.assignee = assignee
    _save(request, acting_user)
    return request


@transaction.atomic
def request_close(
    *,
    acting_user,
    request: DataSubjectRequest,
    status: str,
    outcome: str = "",
    now: datetime | None = None,
) -> DataSubjectRequest:
    """Complete, refuse or record the withdrawal of a request.

    A request is fulfilled only for a verified person; an access or
    portability request only once a report was built and released; an
    erasure request only once an erasure linked to it is done
    (erasure_completion_error).
    """
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if status == Status.COMPLETED:
        if request.identity_verified_at is None:
            raise ValidationError(
                _("A request without identity verification cannot be fulfilled.")
            )
        if request.kind in (Kind.ACCESS, Kind.PORTABILITY) and not (
            # a report built and not yet deleted (its job done)
            request.reports.filter(
                job__status="done", file_deleted_at__isnull=True
            ).exists()
        ):
            raise ValidationError(_("Build the report before completing the request."))
        if request.kind == Kind.ERASURE:
            error = erasure_completion_error(request, outcome=outcome)
            if error:
                raise ValidationError(error)
    if status == Status.REFUSED and not outcome.strip():
        raise ValidationError({"outcome": _("A refusal states its reason.")})
    _move(request, status)
    request.outcome = outcome
    request.closed_at = _now(now)
    _evidence_delete(request, request.closed_at)
    _save(request, acting_user)
    return request


def erasure_completion_error(request: DataSubjectRequest, *, outcome: str) -> str:
    """Why this erasure request cannot be completed yet, or "".

    Completed only once an erasure linked to it (ErasureJob.request) is
    done. A partial one (data under legal hold kept, Art. 17(3)) completes
    it too, but the outcome must tell the person what was kept. An erasure
    refused for a legal hold erased nothing: the request is then refused
    (stating the hold), or a partial erasure started from it; a cancelled
    one is started again.
    """
    jobs = list(request.erasures.order_by("-requested_at", "-id"))
    done = [job for job in jobs if job.status == job.Status.DONE]
    if done:
        if all(job.partial for job in done) and not outcome.strip():
            return _(
                "Erasure #%(pk)s was partial: data under legal hold was kept. Say "
                "what was kept, and why, in the outcome."
            ) % {"pk": done[0].pk}
        return ""
    if not jobs:
        return _(
            "Start the erasure of this client from this request (Start the "
            "erasure), and complete the request once it is done."
        )
    latest = jobs[0]
    if latest.status == latest.Status.REFUSED:
        return _(
            "Erasure #%(pk)s was refused (legal hold): nothing was erased. "
            "Refuse the request, stating the hold, or start a partial erasure "
            "from it."
        ) % {"pk": latest.pk}
    if latest.status == latest.Status.CANCELLED:
        return _(
            "Erasure #%(pk)s was cancelled: start the erasure again from this "
            "request, or refuse the request."
        ) % {"pk": latest.pk}
    return _("Erasure #%(pk)s is %(status)s: complete the request once it is done.") % {
        "pk": latest.pk,
        "status": latest.get_status_display().lower(),
    }


def erasure_link_check(*, request: DataSubjectRequest, client: Client) -> None:
    """Raise ValidationError unless an erasure of `client` may answer `request`:
    the client's own erasure request, identity verified, still open."""
    if request.kind != Kind.ERASURE:
        raise ValidationError(
            _(
                "%(request)s is not an erasure request: only an erasure request "
                "(Art. 17) is answered by an erasure."
            )
            % {"request": request}
        )
    if request.client_id != client.pk:
        raise ValidationError(
            _(
                "%(request)s is about another client: start the erasure of the "
                "client who made the request."
            )
            % {"request": request}
        )
    if request.status == Status.RECEIVED:
        raise ValidationError(
            _("Verify the identity of the person behind %(request)s before erasing.")
            % {"request": request}
        )
    if not request.is_open:
        raise ValidationError(
            _("%(request)s is %(status)s: no erasure can answer it any more.")
            % {"request": request, "status": request.get_status_display().lower()}
        )


@transaction.atomic
def request_restrict(
    *,
    acting_user,
    request: DataSubjectRequest,
    reason: str,
    now: datetime | None = None,
) -> DataSubjectRequest:
    """Restrict processing of the client (Art. 18) under this request."""
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if request.kind != Kind.RESTRICTION:
        raise ValidationError(_("Only a restriction request restricts processing."))
    if request.status != Status.IN_PROGRESS:
        raise ValidationError(_("Verify the identity before restricting processing."))
    if (
        request.restriction_id
        and Restriction.objects.in_force(_now(now))
        .filter(pk=request.restriction_id)
        .exists()
    ):
        raise ValidationError(_("Processing is already restricted under this request."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why processing is restricted.")})
    request.restriction = consent_services.restriction_start(
        acting_user=acting_user, client=request.client, reason=reason, now=now
    )
    _save(request, acting_user)
    notices.notices_queue(
        acting_user=acting_user,
        client_ids=[request.client_id],
        kind=notices.Kind.RESTRICTION,
        reference=f"restriction#{request.restriction.pk}",
        now=now,
    )
    return request


@transaction.atomic
def request_lift_restriction(
    *, acting_user, request: DataSubjectRequest, now: datetime | None = None
) -> Restriction:
    restriction = (
        Restriction.objects.in_force(_now(now))
        .select_for_update()
        .filter(pk=request.restriction_id)
        .first()
    )
    if restriction is None:
        raise ValidationError(_("No restriction is in force under this request."))
    return consent_services.restriction_lift(
        acting_user=acting_user, restriction=restriction, now=now
    )


def client_is_restricted(client_id: int, *, at: datetime | None = None) -> bool:
    return Restriction.objects.in_force(at).filter(client_id=client_id).exists()


def unrestricted(queryset, *, at: datetime | None = None):
    """Registered with core.hooks: clients without a restriction in
    force now (Restriction.objects.in_force)."""
    return queryset.exclude(pk__in=Restriction.objects.in_force(at).values("client_id"))


def restriction_gate(client) -> None:
    """Registered with core.hooks: refuse edits while restricted."""
    if client is not None and client.pk and client_is_restricted(client.pk):
        raise ValidationError(
            _(
                "Processing of this client is restricted (GDPR Art. 18): the "
                "record cannot be changed until the restriction is lifted."
            )
        )


def history_models_of_client():
    """(model, history model, client path) for client models with history.

    privacy's own models (the requests themselves) are the record of the
    handling, not data being rectified.
    """
    for model, entry in data_map.client_models():
        if model._meta.app_label == "privacy":
            continue
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "model"):
            yield model, history.model, entry.client_path


@transaction.atomic
def rectification_link_edits(
    *, acting_user, request: DataSubjectRequest, now: datetime | None = None
) -> list[RequestEdit]:
    """Link the staff edits to the client's records since the request
    arrived (history rows not yet linked to any request) to this request.
    """
    if request.kind != Kind.RECTIFICATION:
        raise ValidationError(_("Only a rectification request links edits."))
    if request.status != Status.IN_PROGRESS:
        raise ValidationError(_("Verify the identity before rectifying anything."))
    since = request.identity_verified_at
    linked = []
    for model, history_model, path in history_models_of_client():
        label = model._meta.label_lower
        taken = RequestEdit.objects.filter(object_type=label).values("history_id")
        lookup = f"{path}" if path else "id"
        rows = history_model.objects.filter(
            **{lookup: request.client_id},
            history_date__gte=since,
            history_date__lte=_now(now),
            history_user__isnull=False,
        ).exclude(history_id__in=taken)
        for row in rows:
            edit = RequestEdit(
                request=request,
                object_type=label,
                object_id=str(row.id),
                history_id=row.history_id,
                history_type=row.history_type,
                edited_at=row.history_date,
                edited_by_id=row.history_user_id,
            )
            edit.full_clean()
            edit.save()
            linked.append(edit)
    if linked:
        # Art. 19: the recipients are told of the rectification (one
        # notice per request and recipient, however many edits).
        notices.notices_queue(
            acting_user=acting_user,
            client_ids=[request.client_id],
            kind=notices.Kind.RECTIFICATION,
            reference=f"request#{request.pk}",
            now=now,
        )
    return linked


# --- Reads -------------------------------------------------------------------


@dataclass
class DashboardRow:
    request: DataSubjectRequest
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def due_soon(self) -> bool:
        return 0 <= self.days_left <= SOON_DAYS


def open_requests():
    return DataSubjectRequest.objects.filter(status__in=OPEN_STATUSES)


def compliance_dashboard(*, user, today: date | None = None) -> list[DashboardRow]:
    """Open requests of visible clients, soonest (or most overdue) first."""
    today = today or timezone.localdate()
    requests = (
        open_requests()
        .filter(client__in=Client.objects.visible_to(user))
        .select_related("client", "assignee")
    )
    rows = [DashboardRow(r, days_left(r, today=today)) for r in requests]
    rows.sort(key=lambda row: (row.request.effective_due_on, row.request.pk))
    return rows


def edits_of(request: DataSubjectRequest) -> list[tuple[RequestEdit, object]]:
    """Each linked edit with its history row (None if erased since)."""
    out = []
    for edit in request.edits.select_related("edited_by"):
        model = apps.get_model(edit.object_type)
        row = model.history.model.objects.filter(history_id=edit.history_id).first()
        out.append((edit, row))
    return out


# --- The D-7 / D-1 flags -------------------------------------------------------


@transaction.atomic
def requests_flag_due(*, now: datetime | None = None) -> dict[int, list[int]]:
    """Flag open requests 7 and 1 days before their due date, once each.

    A request already closer than the threshold when first seen (beat was
    down, or it arrived late) is flagged at once. The assignee, if any, is
    emailed the request number and date only, never the client's data.
    """
    moment = _now(now)
    today = timezone.localdate(moment)
    flagged: dict[int, list[int]] = {days: [] for days in FLAG_DAYS}
    for request in (
        open_requests().select_for_update(of=("self",)).select_related("assignee")
    ):
        left = days_left(request, today=today)
        for days, field in ((7, "flagged_d7_at"), (1, "flagged_d1_at")):
            if left <= days and getattr(request, field) is None:
                setattr(request, field, moment)
                _save(request, None)
                flagged[days].append(request.pk)
                if request.assignee and request.assignee.email:
                    _remind(request, left)
    if any(flagged.values()):
        logger.info("Data-subject requests flagged: %s", flagged)
    return flagged


def _remind(request, left: int) -> None:
    """The assignee's reminder, in their language: the number and date only."""
    assignee = request.assignee
    with translation.override(staff_language(assignee) or settings.LANGUAGE_CODE):
        send_mail(
            _("%(request)s: due on %(due_on)s")
            % {"request": request, "due_on": day(request.effective_due_on)},
            ngettext(
                "%(request)s is due in %(days)s day. Open the privacy dashboard "
                "in Écrin.",
                "%(request)s is due in %(days)s days. Open the privacy dashboard "
                "in Écrin.",
                left,
            )
            % {"request": request, "days": left},
            None,
            [assignee.email],
            fail_silently=True,
        )


def due_soon_cutoff(today: date) -> date:
    return today + timedelta(days=SOON_DAYS)
