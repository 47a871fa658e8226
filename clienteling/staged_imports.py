"""Imports as jobs: upload, a check job, a preview, confirm, a write job.

Nothing runs in the web request but storing the upload:

1. `start` stores the file (clienteling.import_uploads, a name the
   server draws) and queues the check job (clienteling.jobs). The check
   reads every row through the same validation the write uses, and keeps
   the first rows and every problem (row, column, reason) as its result
   file, `check.jsonl`; the import row keeps the counts.
2. The preview page polls the check job's row for its progress, then
   shows the first rows and the problems, a page at a time.
3. `confirm` (only by the uploader, only once, only a file without
   problems) queues the write job. It checks the file again (the
   database may have changed: a client number taken meanwhile) and writes
   every row in one transaction, fenced by its lease: nothing reaches the
   client tables until that transaction commits, and a repeated attempt
   finds the import's `created` count (set in the same transaction) and
   writes nothing twice.

The uploaded file is deleted when the write is done, when the check finds
problems, when either job fails or is cancelled, when staff abandon the
import, and at the latest by the upload sweep (two hours).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clienteling import import_uploads
from clienteling.models import StagedImport
from core import jobs
from core.jobs import files
from core.models import Job
from core.writes import now_or as _now

CHECK_KINDS = {
    StagedImport.What.CLIENTS: "clienteling.client_import_validate",
    StagedImport.What.WEB_EVENTS: "clienteling.web_event_import_validate",
}
APPLY_KINDS = {
    StagedImport.What.CLIENTS: "clienteling.client_import_apply",
    StagedImport.What.WEB_EVENTS: "clienteling.web_event_import_apply",
}
CHECK_FILE = "check.jsonl"
# Rows of the file shown on the preview page.
PREVIEW_ROWS = 10
PROBLEMS_PER_PAGE = 100

NOT_YOURS = _("This import is not one you uploaded.")
GONE = _(
    "The uploaded file is no longer kept (imports wait at most two hours "
    "for a confirmation). Nothing was imported; upload the file again."
)


# --- Starting, confirming, abandoning ----------------------------------------


def start(
    *, acting_user, what: str, data: bytes, now: datetime | None = None
) -> StagedImport:
    """Store an uploaded file and queue its check; nothing else is read."""
    if what not in StagedImport.What.values:
        raise ValidationError(
            _("Choose what the file holds: clients or website activity.")
        )
    now = _now(now)
    file_id = import_uploads.store(data)
    with transaction.atomic():
        staged = StagedImport.objects.create(
            what=what, uploaded_by=acting_user, uploaded_at=now, file_id=file_id
        )
        staged.validation_job = jobs.enqueue(
            kind=CHECK_KINDS[what],
            label=(_("Checking %(staged)s") % {"staged": staged}),
            acting_user=acting_user,
            params={"import": staged.pk},
            dedupe_key=f"import-check:{staged.pk}",
            now=now,
        )
        staged.save(update_fields=["validation_job"])
    return staged


def confirm(*, acting_user, staged: StagedImport) -> StagedImport:
    """Queue the write of a checked file without problems; once."""
    with transaction.atomic():
        staged = (
            StagedImport.objects.select_for_update(of=("self",))
            .select_related("validation_job")
            .get(pk=staged.pk)
        )
        if staged.uploaded_by_id != acting_user.pk:
            raise PermissionDenied(NOT_YOURS)
        if staged.apply_job_id is not None:
            raise ValidationError(_("This import has already been confirmed."))
        check = staged.validation_job
        if check is None or check.status != Job.Status.DONE:
            raise ValidationError(
                _(
                    "The file is still being checked: confirm it once the check "
                    "has finished."
                )
            )
        if staged.problem_count:
            raise ValidationError(
                _("The file has problems: correct them, then upload it again.")
            )
        if (
            not staged.file_id
            or not import_uploads.folder().joinpath(staged.file_id).is_file()
        ):
            raise ValidationError(GONE)
        staged.apply_job = jobs.enqueue(
            kind=APPLY_KINDS[staged.what],
            label=(_("Importing %(staged)s") % {"staged": staged}),
            acting_user=acting_user,
            params={"import": staged.pk},
            dedupe_key=f"import-apply:{staged.pk}",
        )
        staged.save(update_fields=["apply_job"])
    return staged


def abandon(*, acting_user, staged: StagedImport) -> StagedImport:
    """Drop an import before it is confirmed: its file is deleted now."""
    with transaction.atomic():
        staged = (
            StagedImport.objects.select_for_update(of=("self",))
            .select_related("validation_job")
            .get(pk=staged.pk)
        )
        if staged.uploaded_by_id != acting_user.pk:
            raise PermissionDenied(NOT_YOURS)
        if staged.apply_job_id is not None:
            raise ValidationError(
                _("This import has been confirmed; it can no longer be abandoned.")
            )
        check = staged.validation_job
        if check is not None and not check.is_finished:
            jobs.cancel(acting_user=acting_user, job=check)
        drop_file(staged.pk)
    return staged


def drop_file(staged_id: int) -> None:
    """Delete an import's uploaded file, once the transaction commits."""
    file_id = (
        StagedImport.objects.filter(pk=staged_id)
        .values_list("file_id", flat=True)
        .first()
    )
    if not file_id:
        return
    StagedImport.objects.filter(pk=staged_id).update(file_id="")
    transaction.on_commit(lambda: import_uploads.remove(file_id))


def upload_of(staged: StagedImport) -> bytes:
    """The uploaded file, for a job; JobRefused once it is gone."""
    data = import_uploads.read(staged.file_id)
    if data is None:
        raise jobs.JobRefused(GONE)
    return data


def upload_path(staged: StagedImport) -> Path:
    """The uploaded file's path, for a job reading it as a stream;
    JobRefused once it is gone."""
    path = import_uploads.path(staged.file_id)
    if path is None:
        raise jobs.JobRefused(GONE)
    return path


# --- The check's result file: first rows, then one problem a line ----------


def write_check(
    path: Path,
    *,
    headers: list[str],
    rows: list[list],
    problems: list[tuple[int | None, str, str]],
) -> None:
    """Write a check's result: a line of the first rows, one per problem."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"headers": headers, "rows": rows}, default=str) + "\n")
        for problem in problems:
            out.write(json.dumps(list(problem)) + "\n")


def read_check(staged: StagedImport, *, page: int = 1) -> dict | None:
    """The preview of a finished check: headers, first rows, one page of
    problems (row, column, reason) and the number of pages; None when the
    result is gone (expired or erased)."""
    job = staged.validation_job
    path = jobs.result_path(job) if job is not None else None
    if path is None:
        return None
    pages = max(1, -(-(staged.problem_count or 0) // PROBLEMS_PER_PAGE))
    page = min(max(1, page), pages)
    first = (page - 1) * PROBLEMS_PER_PAGE
    problems = []
    with open(path, encoding="utf-8") as handle:
        head = json.loads(handle.readline())
        for number, line in enumerate(handle):
            if number < first:
                continue
            if number >= first + PROBLEMS_PER_PAGE:
                break
            problems.append(json.loads(line))
    return {
        "headers": head["headers"],
        "rows": head["rows"],
        "problems": [
            {"row": row, "column": column, "reason": reason}
            for row, column, reason in problems
        ],
        "page": page,
        "pages": pages,
    }


def checks_erase(*, client_ids: list[int], identifiers=None) -> int:
    """Erasure: delete the check files (first rows and problems) naming any
    of the clients, matched on their names, emails, phones and numbers.

    The check kinds' erase_results (core's FILE_LOCATIONS "job_results"
    erases through each kind's).
    """
    found = []
    for job in Job.objects.filter(kind__in=CHECK_KINDS.values()).exclude(
        result_file=""
    ):
        path = jobs.result_path(job)
        if path is not None:
            found.append((job, path))
    if not found:
        return 0
    values = identifiers() if callable(identifiers) else (identifiers or [])
    needles = [value.lower() for value in values if value]
    if not needles:
        return 0
    removed = 0
    for job, path in found:
        try:
            content = path.read_text(encoding="utf-8").lower()
        except FileNotFoundError:
            continue
        if any(needle in content for needle in needles):
            files.remove_result(job.result_file)
            Job.objects.filter(pk=job.pk).update(result_file="")
            removed += 1
    return removed


def progress_reporter(ctx, label: str, *, scale: int = 1) -> Callable[[int, int], None]:
    """A check's progress callback, as the job reports it."""

    def report(done: int, total: int) -> None:
        # The last report is always written: its words stay on the job.
        ctx.progress(
            done,
            total * scale,
            label.format(done=done, total=total),
            force=done == total,
        )

    return report
