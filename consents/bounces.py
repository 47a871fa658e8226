"""Hard bounces and complaints sent back by the email provider
(decision 0074).

A CSV file (email, kind, date, provider_reference) uploaded by compliance
is checked whole, shown as a preview with its counts, then applied in one
transaction when confirmed: all or nothing, like every import of the
project. The confirmed file is applied by a job (kind
consents.bounce_import, consents/jobs.py; docs/decisions/0120): the page
starts it and follows it, a second click finds the same job. A hard
bounce suppresses the address (keyed hash); a complaint
also withdraws the client's current consents to the purposes the house
emails (newsletters, events), dated at the complaint. Addresses of no
client on file are suppressed all the same, and counted.
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from clienteling import import_uploads
from clienteling.models import Client, ClientEmail
from consents import registry, services, suppression
from consents.models import (
    BounceImport,
    Channel,
    ConsentDecision,
    Purpose,
    SuppressionEntry,
)
from consents.selectors import current_decisions
from core import jobs
from core.models import Job
from core.writes import now_or as _now

HARD_BOUNCE = "hard_bounce"
COMPLAINT = "complaint"
KINDS = (HARD_BOUNCE, COMPLAINT)
COLUMNS = ("email", "kind", "date", "provider_reference")

# A provider's export for one campaign is a few thousand rows; the check
# and preview run in the request (no write), the import in its job (a few
# queries per complaint, set-based otherwise, in one transaction), so a
# larger file is refused and split rather than holding one long transaction.
MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
# Errors listed at most, so a wholly wrong file does not fill the page.
MAX_ERRORS_SHOWN = 50


@dataclass
class BounceRow:
    line: int
    address: str  # normalised (trimmed, lower case)
    kind: str
    at: datetime
    reference: str


@dataclass
class BounceFile:
    rows: list[BounceRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def hard_bounces(self) -> int:
        return sum(1 for row in self.rows if row.kind == HARD_BOUNCE)

    @property
    def complaints(self) -> int:
        return sum(1 for row in self.rows if row.kind == COMPLAINT)


def _parse_when(text: str) -> datetime | None:
    text = text.strip()
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                return None
            moment = datetime.combine(day, time.min)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def bounce_file_parse(data: bytes, *, now: datetime | None = None) -> BounceFile:
    """Read and check every row; errors name the line (the header is 1)."""
    result = BounceFile()
    if len(data) > MAX_BYTES:
        result.errors.append(
            (
                0,
                _("The file is %(size)s KB; the limit is %(limit)s KB.")
                % {"size": len(data) // 1024, "limit": MAX_BYTES // 1024},
            )
        )
        return result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append(
            (0, _("The file is not UTF-8 text: save it as CSV UTF-8."))
        )
        return result
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        result.errors.append(
            (
                1,
                _("Missing column(s): %(columns)s. Expected: %(expected)s.")
                % {"columns": ", ".join(missing), "expected": ", ".join(COLUMNS)},
            )
        )
        return result
    where = {name: header.index(name) for name in COLUMNS}
    today = timezone.localdate(_now(now))
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.errors.append(
                (
                    line,
                    _("More than %(limit)s rows: split the file.")
                    % {"limit": MAX_ROWS},
                )
            )
            break
        error = _row(cells, where, line, today, result)
        if error:
            result.errors.append((line, error))
    if not result.rows and not result.errors:
        result.errors.append((0, _("The file has no rows.")))
    return result


def _row(cells, where, line, today: date, result: BounceFile) -> str | None:
    """Check one row, append it when valid; the error otherwise."""

    def cell(name: str) -> str:
        index = where[name]
        return cells[index].strip() if index < len(cells) else ""

    address = suppression.normalise_email(cell("email"))
    try:
        validate_email(address)
    except ValidationError:
        return _("%(value)s is not an email address.") % {"value": repr(cell("email"))}
    kind = cell("kind").lower()
    if kind not in KINDS:
        return _("Unknown kind %(kind)s: hard_bounce or complaint.") % {
            "kind": repr(cell("kind"))
        }
    at = _parse_when(cell("date"))
    if at is None:
        return _("%(value)s is not a date (YYYY-MM-DD).") % {
            "value": repr(cell("date"))
        }
    if timezone.localdate(at) > today:
        return _("The date %(value)s is in the future.") % {"value": cell("date")}
    reference = cell("provider_reference")
    if len(reference) > 100:
        return _("The provider reference is longer than 100 characters.")
    result.rows.append(BounceRow(line, address, kind, at, reference))
    return None


def emailed_purposes() -> list[Purpose]:
    """The consent-based purposes the house emails about (outreach)."""
    codes = [
        spec.code
        for spec in registry.PURPOSES
        if spec.outreach and spec.legal_basis == registry.CONSENT
    ]
    return list(Purpose.objects.filter(code__in=codes, is_active=True))


def _clients_by_address(addresses: set[str]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for client_id, address in (
        ClientEmail.objects.annotate(normalised=Lower("address"))
        .filter(normalised__in=addresses)
        .values_list("client_id", "normalised")
    ):
        found.setdefault(address.strip(), set()).add(client_id)
    return found


@transaction.atomic
def bounces_import(
    *, acting_user, data: bytes, now: datetime | None = None, job: Job | None = None
) -> BounceImport:
    """Apply a checked file: suppression, withdrawals, the import row.

    Raises ValidationError listing the bad lines, and writes nothing, if
    any row is refused.
    """
    now = _now(now)
    parsed = bounce_file_parse(data, now=now)
    _refuse_errors(parsed)
    known = _clients_by_address({row.address for row in parsed.rows})
    record = BounceImport.objects.create(
        uploaded_by=acting_user,
        uploaded_at=now,
        file_sha256=hashlib.sha256(data).hexdigest(),
        rows=len(parsed.rows),
        hard_bounces=parsed.hard_bounces,
        complaints=parsed.complaints,
        unknown_addresses=len({r.address for r in parsed.rows} - set(known)),
        newly_suppressed=0,
        withdrawals=0,
        job=job,
    )
    added = 0
    for kind, reason in ((HARD_BOUNCE, "hard bounce"), (COMPLAINT, "complaint")):
        entries = [
            ("email", suppression.email_digest(row.address))
            for row in parsed.rows
            if row.kind == kind
        ]
        added += services.suppression_add(
            entries=entries,
            reason=f"{reason} (file {record.pk})",
            acting_user=acting_user,
            bounce_import=record,
            now=now,
        )
    withdrawals = _withdraw_after_complaints(
        acting_user=acting_user,
        complaints=[row for row in parsed.rows if row.kind == COMPLAINT],
        known=known,
    )
    record.newly_suppressed = added
    record.withdrawals = withdrawals
    record.save(update_fields=["newly_suppressed", "withdrawals"])
    return record


def _refuse_errors(parsed: BounceFile) -> None:
    if parsed.errors:
        raise ValidationError(
            [
                _("Line %(line)s: %(error)s") % {"line": line, "error": error}
                if line
                else error
                for line, error in parsed.errors[:MAX_ERRORS_SHOWN]
            ]
        )


# --- The import as a job ------------------------------------------------------

# The job kind (consents/jobs.py); never renamed: stored on job rows.
IMPORT_KIND = "consents.bounce_import"

FILE_GONE = _(
    "The file is no longer kept (uploaded files are deleted after two hours): "
    "upload it again. Nothing was imported."
)


def _dedupe_key(file_id: str) -> str:
    return f"bounce-import:{file_id}"


def bounces_import_start(
    *, acting_user, token: str, now: datetime | None = None
) -> tuple[Job, bool]:
    """Queue the job that imports a checked upload; (job, started).

    The token is the one the preview page was given. A second confirmation
    of the same upload (a double click, the back button) starts nothing and
    returns the job the first one started (started False). The file is
    checked again first: ValidationError naming the lines, nothing queued.
    """
    file_id = import_uploads.token_file(acting_user=acting_user, token=token)
    if file_id:
        earlier = (
            Job.objects.filter(
                kind=IMPORT_KIND, owner=acting_user, dedupe_key=_dedupe_key(file_id)
            )
            .order_by("-pk")
            .first()
        )
        if earlier is not None:
            return earlier, False
    file_id = import_uploads.upload_keep(acting_user=acting_user, token=token)
    data = import_uploads.read(file_id)
    if data is None:
        raise ValidationError(FILE_GONE)
    parsed = bounce_file_parse(data, now=now)
    if parsed.errors:
        import_uploads.remove(file_id)
    _refuse_errors(parsed)
    try:
        with transaction.atomic():
            job = jobs.enqueue(
                kind=IMPORT_KIND,
                label=str(
                    _("Bounces and complaints: %(rows)s rows")
                    % {"rows": len(parsed.rows)}
                ),
                acting_user=acting_user,
                params={"file": file_id, "rows": len(parsed.rows)},
                dedupe_key=_dedupe_key(file_id),
                now=now,
            )
    except jobs.AlreadyQueued as exc:  # two confirmations at the same moment
        return exc.job, False
    return job, True


def _import_counts(record: BounceImport) -> dict:
    return {
        "bounce_import": record.pk,
        "rows": record.rows,
        "newly_suppressed": record.newly_suppressed,
        "unknown_addresses": record.unknown_addresses,
        "withdrawals": record.withdrawals,
    }


def bounces_import_job(job: Job, ctx) -> dict:
    """The job: check the file again and apply it in one fenced transaction
    (all or nothing, and once: a retried attempt finds the import its
    predecessor committed and writes nothing)."""
    done = BounceImport.objects.filter(job=job).first()
    if done is not None:
        return _import_counts(done)
    data = import_uploads.read(job.params["file"])
    if data is None:
        raise jobs.JobRefused(str(FILE_GONE))
    # Two steps: the stored file read (done here), then the import. Progress
    # reported inside the fenced transaction is seen only once it commits:
    # the first step is reported before, so the page (and a drill) sees the
    # job under way (as the import jobs' counting step, decision 0105).
    ctx.progress(1, 2, "Suppressing the addresses and withdrawing consents", force=True)
    try:
        with ctx.fenced():
            record = bounces_import(acting_user=job.owner, data=data, job=job)
    except ValidationError as exc:
        raise jobs.JobRefused(" ".join(exc.messages)[:300]) from None
    return _import_counts(record)


def bounces_import_job_result(job: Job) -> BounceImport | None:
    """The import a finished job wrote (its result page)."""
    return BounceImport.objects.filter(job=job).first()


def _withdraw_after_complaints(*, acting_user, complaints, known) -> int:
    """Withdraw current grants to emailed purposes, dated at the complaint
    (a grant given after the complaint stands)."""
    first: dict[int, datetime] = {}
    for row in complaints:
        for client_id in known.get(row.address, ()):
            first[client_id] = min(first.get(client_id, row.at), row.at)
    if not first:
        return 0
    purposes = emailed_purposes()
    current = current_decisions(
        client_ids=list(first), purpose_ids=[p.pk for p in purposes]
    )
    clients = Client.objects.in_bulk(list(first))
    count = 0
    for client_id, at in sorted(first.items()):
        for purpose in purposes:
            state = current.get((client_id, purpose.pk))
            if state is None or state.decision != ConsentDecision.Decision.GRANT:
                continue
            if state.decided_at > at:
                continue
            services.consent_record(
                acting_user=acting_user,
                client=clients[client_id],
                purpose_code=purpose.code,
                decision=ConsentDecision.Decision.WITHDRAW,
                channel=Channel.EMAIL,
                now=at,
            )
            count += 1
    return count


@dataclass
class BouncePreview:
    rows: int
    hard_bounces: int
    complaints: int
    addresses: int
    unknown_addresses: int
    already_suppressed: int


def bounce_file_preview(parsed: BounceFile) -> BouncePreview:
    """What confirming a checked file would do, in counts (no address)."""
    addresses = {row.address for row in parsed.rows}
    known = _clients_by_address(addresses)
    digests = {suppression.email_digest(address) for address in addresses}
    already = SuppressionEntry.objects.filter(
        kind="email", digest__in=digests, lifted_at__isnull=True
    ).count()
    return BouncePreview(
        rows=len(parsed.rows),
        hard_bounces=parsed.hard_bounces,
        complaints=parsed.complaints,
        addresses=len(addresses),
        unknown_addresses=len(addresses - set(known)),
        already_suppressed=already,
    )
