"""Insights back from the group, and the client page's "From the group".

An import is all or nothing; a row links only to a client disclosed to
the group whose cross-group consent is still current, and the panel shows
the insight only while it is.
"""

import csv
import hashlib
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling import csv_files
from clienteling.models import Client
from core import jobs
from core.hooks import ClientPanel
from core.models import Job
from privacy import pseudonyms
from privacy.models import Disclosure, GroupInsight, InsightImport
from privacy.sharing.eligibility import CHUNK, CROSS_GROUP, current_consenting

INSIGHT_COLUMNS = (
    "pseudonym",
    "segment_codes",
    "preferred_categories",
    "house_affinity",
)
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
_BATCH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
MAX_REPORTED_ERRORS = 20
# The job kind (privacy/jobs.py); never renamed: stored on job rows.
INSIGHTS_KIND = "privacy.insights_import"


@dataclass(frozen=True)
class ParsedInsight:
    pseudonym: str
    segment_codes: list[str]
    preferred_categories: list[str]
    house_affinity: dict[str, float]


def _codes(value: str, what: str, line: int) -> list[str]:
    codes = [c for c in value.split("|") if c] if value else []
    for code in codes:
        if not _CODE.fullmatch(code):
            raise ValueError(f"line {line}: {what} {code[:40]!r} is not a code.")
    return codes


def _affinities(value: str, line: int) -> dict[str, float]:
    scores: dict[str, float] = {}
    for part in [p for p in value.split("|") if p] if value else []:
        house, _unused, score = part.partition(":")
        if not _CODE.fullmatch(house):
            raise ValueError(f"line {line}: house {house[:40]!r} is not a code.")
        try:
            number = float(score)
        except ValueError:
            raise ValueError(
                f"line {line}: affinity {score[:20]!r} of {house} is not a number."
            ) from None
        if not 0 <= number <= 1:
            raise ValueError(
                f"line {line}: affinity of {house} is not between 0 and 1."
            )
        if house in scores:
            raise ValueError(f"line {line}: house {house} appears twice.")
        scores[house] = number
    return scores


def insights_parse(data: bytes) -> list[ParsedInsight]:
    """Validate a whole insights file; ValidationError listing what is wrong."""
    # Empty, binary, not UTF-8 or a huge line: the client import's messages.
    text = csv_files.read_text(data)
    try:
        return _insights_parse(text)
    except csv.Error:
        raise ValidationError(
            _(
                "The insights file is not readable as CSV (a quote left open, or a "
                "field too long). Nothing was imported."
            )
        ) from None


def _insights_parse(text: str) -> list[ParsedInsight]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in INSIGHT_COLUMNS]
    missing = [c for c in INSIGHT_COLUMNS if c not in header]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if unknown or missing or repeated:
        problems = []
        if unknown:
            problems.append(
                _("unknown columns: %(items)s")
                % {"items": ", ".join(repr(c[:40]) for c in unknown)}
            )
        if missing:
            problems.append(
                _("missing columns: %(items)s") % {"items": ", ".join(missing)}
            )
        if repeated:
            problems.append(
                _("appearing twice: %(items)s")
                % {"items": ", ".join(map(repr, repeated))}
            )
        raise ValidationError(
            _(
                "The insights file's header is wrong (%(items)s). Expected "
                "exactly: %(expected)s. Nothing was imported."
            )
            % {"items": "; ".join(problems), "expected": ", ".join(INSIGHT_COLUMNS)}
        )
    errors: list[str] = []
    seen: dict[str, int] = {}
    parsed: list[ParsedInsight] = []
    for line, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            errors.append(_("line %(line)s: wrong number of fields.") % {"line": line})
            continue
        pseudonym = row["pseudonym"].strip()
        if not pseudonyms.is_pseudonym(pseudonym):
            errors.append(
                _(
                    "line %(line)s: malformed pseudonym (expected 64 lower-case "
                    "hexadecimal characters)."
                )
                % {"line": line}
            )
            continue
        if pseudonym in seen:
            errors.append(
                _(
                    "line %(line)s: duplicated row, pseudonym already on line "
                    "%(first_line)s."
                )
                % {"line": line, "first_line": seen[pseudonym]}
            )
            continue
        seen[pseudonym] = line
        try:
            parsed.append(
                ParsedInsight(
                    pseudonym,
                    _codes(row["segment_codes"].strip(), "segment code", line),
                    _codes(row["preferred_categories"].strip(), "category", line),
                    _affinities(row["house_affinity"].strip(), line),
                )
            )
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        raise ValidationError(
            [
                *shown,
                *([f"... and {more} more."] if more else []),
                _("Nothing was imported."),
            ]
        )
    return parsed


def insights_inbox() -> Path:
    """Where an uploaded insights file waits for its import job."""
    return Path(settings.PRIVATE_STORAGE_ROOT) / "sharing-inbox"


def _upload_path(job_id: int) -> Path:
    return insights_inbox() / f"{int(job_id)}.csv"


def _store_upload(job_id: int, data: bytes) -> None:
    """Keep the uploaded file for its job (deleted when the job ends)."""
    insights_inbox().mkdir(parents=True, exist_ok=True)
    path = _upload_path(job_id)
    temporary = path.with_name(path.name + ".upload")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def upload_remove(job_id: int) -> None:
    _upload_path(job_id).unlink(missing_ok=True)


def insight_uploads_erase(*, client_ids, identifiers=None) -> int:
    """Erasure: delete uploads whose import job has ended (left behind by a
    worker that died after the import committed); how many.

    An upload still waiting holds only the group's pseudonyms and lives
    minutes: its job links a row only to a client whose consent is
    current, never to an erased one, then deletes it.
    """
    folder = insights_inbox()
    if not folder.is_dir():
        return 0
    waiting = {
        str(pk)
        for pk in Job.objects.filter(
            kind=INSIGHTS_KIND, status__in=Job.UNFINISHED
        ).values_list("pk", flat=True)
    }
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.name.split(".")[0] not in waiting:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _check_batch_id(batch_id: str) -> str:
    batch_id = batch_id.strip()
    if not _BATCH_ID.fullmatch(batch_id):
        raise ValidationError(
            {
                "batch_id": _(
                    "A batch id is 1 to 64 letters, digits, dots, dashes or colons."
                )
            }
        )
    if InsightImport.objects.filter(batch_id=batch_id).exists():
        raise ValidationError(
            {
                "batch_id": (
                    _("Batch %(batch_id)s was already imported. Nothing was imported.")
                    % {"batch_id": batch_id}
                )
            }
        )
    return batch_id


def insights_import_start(
    *, acting_user, batch_id: str, data: bytes, now: datetime | None = None
) -> Job:
    """Check an insights file whole and queue its import job.

    Everything staff can fix is refused here (ValidationError, nothing
    kept): the batch id, the file's shape and rows, a missing group key, a
    batch already imported or being imported.
    """
    batch_id = _check_batch_id(batch_id)
    insights_parse(data)
    try:
        pseudonyms.current_key(pseudonyms.GROUP)
    except pseudonyms.NoSharingKey as exc:
        raise ValidationError(str(exc)) from None
    insight_uploads_erase(client_ids=[])  # leftovers of ended jobs
    try:
        with transaction.atomic():
            job = jobs.enqueue(
                kind=INSIGHTS_KIND,
                label=(
                    _("Insights import, batch %(batch_id)s") % {"batch_id": batch_id}
                ),
                acting_user=acting_user,
                params={
                    "batch_id": batch_id,
                    "sha256": hashlib.sha256(data).hexdigest(),
                },
                dedupe_key=f"insights:{batch_id}",
                now=now,
            )
            _store_upload(job.pk, data)
    except jobs.AlreadyQueued:
        raise ValidationError(
            {
                "batch_id": (
                    _(
                        "Batch %(batch_id)s is already being "
                        "imported. Nothing more was "
                        "imported."
                    )
                    % {"batch_id": batch_id}
                )
            }
        ) from None
    return job


def insights_import(
    *, acting_user, batch_id: str, data: bytes, now: datetime | None = None
) -> InsightImport:
    """Check and import one insights file here, now (tests, shell): the
    admin's upload only queues the job."""
    job = insights_import_start(
        acting_user=acting_user, batch_id=batch_id, data=data, now=now
    )
    jobs.run(job.pk)
    job.refresh_from_db()
    record = InsightImport.objects.filter(job=job).first()
    if record is None:
        raise ValidationError(
            job.error or _("The import stopped; nothing was imported.")
        )
    return record


def insights_import_job(job: Job, ctx) -> dict:
    """The import job: link rows to consenting clients, all or nothing.

    A row is linked only if its pseudonym (under any of the group's keys)
    belongs to a client disclosed to the group whose cross-group consent is
    still current (at the upload); other rows are dropped and counted,
    never stored. Idempotent: the record and the insights are written
    once, fenced.
    """
    done = InsightImport.objects.filter(job=job).first()
    if done is not None:
        return _import_figures(done)
    now = job.created_at
    batch_id = job.params["batch_id"]
    path = _upload_path(job.pk)
    if not path.is_file():
        raise jobs.JobRefused(
            _("The uploaded file is no longer there; upload it again.")
        )
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != job.params["sha256"]:
        raise jobs.JobRefused(
            _("The uploaded file changed after it was checked; upload it again.")
        )
    ctx.progress(0, 1, "Reading the file", force=True)
    try:
        rows = insights_parse(data)
        disclosed = Disclosure.objects.filter(recipient=pseudonyms.GROUP).values_list(
            "client_id", flat=True
        )
        by_pseudonym = pseudonyms.reverse_map(pseudonyms.GROUP, disclosed.iterator())
    except (ValidationError, pseudonyms.NoSharingKey):
        raise jobs.JobRefused(
            _(
                "The file could not be read again, or the group's key is gone; "
                "nothing was imported. Upload it again."
            )
        ) from None
    total = len(rows)
    ctx.progress(0, total, f"Matching {total} rows")
    known = {
        row.pseudonym: by_pseudonym[row.pseudonym]
        for row in rows
        if row.pseudonym in by_pseudonym
    }
    current = set()
    ids = sorted(set(known.values()))
    for start in range(0, len(ids), CHUNK):
        current |= current_consenting(
            purpose_code=CROSS_GROUP, client_ids=ids[start : start + CHUNK], now=now
        )
        ctx.progress(
            min(total, start + CHUNK),
            total,
            f"Checking consents: {min(len(ids), start + CHUNK)} of {len(ids)}",
        )
    ctx.progress(total, total, "Linking the insights", force=True)
    with ctx.fenced():
        if InsightImport.objects.filter(batch_id=batch_id).exists():
            raise jobs.JobRefused(
                _("Batch %(batch_id)s was already imported. Nothing was imported.")
                % {"batch_id": batch_id}
            )
        record = InsightImport(
            batch_id=batch_id,
            imported_at=now,
            imported_by=job.owner,
            file_sha256=job.params["sha256"],
            rows_total=len(rows),
            rows_linked=sum(1 for p in known.values() if p in current),
            dropped_withdrawn=sum(1 for p in known.values() if p not in current),
            dropped_unknown=len(rows) - len(known),
            job=job,
        )
        record.full_clean()
        record.save()
        linked = [
            GroupInsight(
                client_id=known[row.pseudonym],
                source_import=record,
                segment_codes=row.segment_codes,
                preferred_categories=row.preferred_categories,
                house_affinity=row.house_affinity,
                received_at=now,
            )
            for row in rows
            if row.pseudonym in known and known[row.pseudonym] in current
        ]
        for start in range(0, len(linked), CHUNK):
            GroupInsight.objects.bulk_create(
                linked[start : start + CHUNK],
                update_conflicts=True,
                unique_fields=["client"],
                update_fields=[
                    "source_import",
                    "segment_codes",
                    "preferred_categories",
                    "house_affinity",
                    "received_at",
                ],
            )
        group_insights_purge(client_ids=sorted(set(known.values()) - current))
    return _import_figures(record)


def _import_figures(record: InsightImport) -> dict:
    return {
        "import": record.pk,
        "rows": record.rows_total,
        "linked": record.rows_linked,
        "dropped_withdrawn": record.dropped_withdrawn,
        "dropped_unknown": record.dropped_unknown,
    }


def group_insights_purge(*, client_ids: Sequence[int]) -> int:
    """Delete insights of clients whose cross-group consent ended."""
    deleted = 0
    for start in range(0, len(client_ids), CHUNK):
        deleted += GroupInsight.objects.filter(
            client_id__in=client_ids[start : start + CHUNK]
        ).delete()[0]
    return deleted


def client_group_insight(*, client: Client, now: datetime | None = None):
    """The client's group insight if their consent is still current, else None."""
    now = now or timezone.now()
    insight = (
        GroupInsight.objects.select_related("source_import")
        .filter(client=client)
        .first()
    )
    if insight is None:
        return None
    if client.pk not in current_consenting(
        purpose_code=CROSS_GROUP, client_ids=[client.pk], now=now
    ):
        return None
    return insight


# --- The client page ---------------------------------------------------------


def group_insight_panel_context(request, client) -> dict:
    """The group's insight if consent is current: a few queries at most."""
    insight = client_group_insight(client=client)
    return {
        "insight": insight,
        "affinities": sorted(
            (insight.house_affinity if insight else {}).items(),
            key=lambda item: -item[1],
        ),
    }


GROUP_INSIGHT_PANEL = ClientPanel(
    key="group_insights",
    title=_("From the group"),
    template="privacy/sharing/panel.html",
    get_context=group_insight_panel_context,
    permission="privacy.view_groupinsight",
    order=80,
)
