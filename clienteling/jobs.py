"""clienteling's long jobs (core.jobs): imports, checked then written, and
the nightly follow-up generation.

See clienteling/staged_imports.py for the flow. Kind names are stored on
job rows: never rename them.
"""

from __future__ import annotations

import json
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling import csv_files, imports, services, staged_imports
from clienteling.exceptions import ImportRefused
from clienteling.models import StagedImport
from core import jobs

CHANGED = _(
    "The file no longer passes the checks ({count} problem(s), for example "
    "a client number taken since it was checked). Nothing was imported; "
    "upload it again to see each problem."
)


def _staged(job) -> StagedImport:
    return StagedImport.objects.select_related("uploaded_by").get(
        pk=job.params["import"]
    )


class _Check(jobs.JobKind):
    """Read every row as the write will, keep the first rows and every
    problem as the result file; write nothing else."""

    max_attempts = 3
    # Staff start again by uploading again: the file is gone by then.
    retryable = False
    result_days = 2
    view_permission = "clienteling.add_client"

    def run(self, job, ctx):
        staged = _staged(job)
        data = self.source(staged)
        ctx.progress(0, None, "Reading the file", force=True)
        headers, rows, total, problems = self.check(staged, data, ctx)
        partial = ctx.partial_path(staged_imports.CHECK_FILE)
        staged_imports.write_check(
            partial,
            headers=headers,
            rows=rows,
            problems=[imports.split_problem(p) for p in problems],
        )
        ctx.keep_as_result(partial, staged_imports.CHECK_FILE)
        return {"rows": total, "problems": len(problems)}

    def source(self, staged):
        """What check() reads: the upload's bytes (its path for kinds
        that read it as a stream)."""
        return staged_imports.upload_of(staged)

    def check(self, staged, data, ctx) -> tuple[list, list, int, list[str]]:
        raise NotImplementedError

    def on_done(self, job, result):
        StagedImport.objects.filter(pk=job.params["import"]).update(
            rows=result["rows"], problem_count=result["problems"]
        )
        if result["problems"] or not result["rows"]:
            # It cannot be confirmed: the file goes now.
            staged_imports.drop_file(job.params["import"])

    def on_failed(self, job):
        staged_imports.drop_file(job.params["import"])

    def on_cancelled(self, job):
        staged_imports.drop_file(job.params["import"])

    def erase_results(self, *, client_ids, identifiers=None) -> int:
        return staged_imports.checks_erase(
            client_ids=client_ids, identifiers=identifiers
        )

    def error_message(self, exc):
        return (
            "The check of the file stopped on an unexpected error; nothing "
            "was imported. Upload the file again, or ask the technical team "
            "if it happens again."
        )


class ClientImportCheck(_Check):
    name = "clienteling.client_import_validate"
    label = _("Client import check")

    def source(self, staged):
        return staged_imports.upload_path(staged)

    def check(self, staged, path, ctx):
        """The file read by batches (imports.check_upload), memory flat."""
        preview: list[list] = []
        try:
            # check_upload runs in one transaction (its numbers read so far
            # in a temporary table), so its progress is seen once it ends:
            # the file's rows are counted first, streaming, and reported.
            rows = imports.counted_rows(path)
            ctx.progress(1, rows + 1, "Reading the file", force=True)
            outcome = imports.check_upload(
                path,
                estimate=rows,
                acting_user=staged.uploaded_by,
                progress=staged_imports.progress_reporter(
                    ctx, "Checked {done:,} of {total:,} rows"
                ),
                preview=preview,
            )
        except csv_files.UnreadableFile as refused:
            return [], [], 0, refused.messages
        headers = [(h or "").strip() for h in outcome.headers]
        return headers, preview, outcome.rows, outcome.problems


def _web_event_rows(data: bytes) -> tuple[list[dict], list[str]]:
    """The events of a JSON Lines file, and the lines that are not one."""
    text = csv_files.read_text(data)
    rows, problems = [], []
    for number, line in enumerate(
        (line for line in text.splitlines() if line.strip()), start=1
    ):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            row = None
        if not isinstance(row, dict):
            problems.append(
                _("Row %(number)s: not an event (one JSON object a line).")
                % {"number": number}
            )
            row = {}
        rows.append(row)
    return rows, problems


WEB_EVENT_COLUMNS = [
    "external_id",
    "client_number",
    "kind",
    "product_reference",
    "occurred_at",
]


class WebEventImportCheck(_Check):
    name = "clienteling.web_event_import_validate"
    label = _("Website activity import check")

    def check(self, staged, data, ctx):
        try:
            rows, problems = _web_event_rows(data)
        except ImportRefused as refused:
            return [], [], 0, refused.messages
        preview = [
            [str(r.get(c, "")) for c in WEB_EVENT_COLUMNS]
            for r in rows[: staged_imports.PREVIEW_ROWS]
        ]
        if problems:
            return WEB_EVENT_COLUMNS, preview, len(rows), problems
        _unused, problems = services.web_events_check(
            rows=rows,
            progress=staged_imports.progress_reporter(
                ctx, "Checked {done:,} of {total:,} events"
            ),
        )
        return WEB_EVENT_COLUMNS, preview, len(rows), problems


class _Apply(jobs.JobKind):
    """Check the file again, then write every row in one fenced
    transaction with the import's count: all or nothing, and once."""

    max_attempts = 3
    retryable = False
    view_permission = "clienteling.add_client"

    def run(self, job, ctx):
        staged = _staged(job)
        if staged.created is not None:  # written by an earlier attempt
            return self._counts(staged)
        data = self.source(staged)
        ctx.progress(0, None, "Reading the file", force=True)
        try:
            self.write(staged, data, ctx)
        except ImportRefused as refused:
            raise jobs.JobRefused(CHANGED.format(count=len(refused.messages))) from None
        staged.refresh_from_db()
        return self._counts(staged)

    @staticmethod
    def _counts(staged) -> dict:
        counts = {"created": staged.created}
        if staged.already_known is not None:
            counts["already_known"] = staged.already_known
        return counts

    def source(self, staged):
        """What write() reads: the upload's bytes (its path for kinds
        that read it as a stream)."""
        return staged_imports.upload_of(staged)

    def write(self, staged, data, ctx) -> None:
        raise NotImplementedError

    def on_done(self, job, result):
        staged_imports.drop_file(job.params["import"])

    def on_failed(self, job):
        staged_imports.drop_file(job.params["import"])

    def on_cancelled(self, job):
        staged_imports.drop_file(job.params["import"])

    def error_message(self, exc):
        return (
            "The import stopped on an unexpected error; nothing was imported. "
            "Upload the file again, or ask the technical team if it happens "
            "again."
        )


class ClientImportApply(_Apply):
    name = "clienteling.client_import_apply"
    label = _("Client import")

    def source(self, staged):
        return staged_imports.upload_path(staged)

    def write(self, staged, path, ctx):
        """Checked again and written batch by batch as each is valid, in
        one fenced transaction: a problem in any batch, or a lost lease,
        rolls back every batch (imports.import_upload). Progress reported
        inside the transaction is seen once it commits: the label says what
        runs meanwhile."""
        # Progress reported inside the fenced transaction is seen only once
        # it commits. So the file's rows are counted first, streaming (its
        # text checked as read_text does), and that step is reported
        # before: staff, the sweeper and the drills see the job under way.
        rows = imports.counted_rows(path)
        ctx.progress(1, rows + 1, "Checking and writing every row", force=True)
        with ctx.fenced():
            total = imports.import_upload(
                path,
                estimate=rows,
                acting_user=staged.uploaded_by,
                progress=staged_imports.progress_reporter(
                    ctx, "Checked and written {done:,} of {total:,} rows"
                ),
            )
            StagedImport.objects.filter(pk=staged.pk).update(
                created=total, applied_at=timezone.now()
            )


class WebEventImportApply(_Apply):
    name = "clienteling.web_event_import_apply"
    label = _("Website activity import")

    def write(self, staged, data, ctx):
        rows, problems = _web_event_rows(data)
        if problems:
            raise ImportRefused(problems)
        events, problems = services.web_events_check(
            rows=rows,
            progress=staged_imports.progress_reporter(
                ctx, "Checked {done:,} of {total:,} events again", scale=2
            ),
        )
        if problems:
            raise ImportRefused(problems)
        total = len(events)
        ctx.progress(total, 2 * total, f"Writing {total:,} events", force=True)
        with ctx.fenced():
            outcome = services.web_events_write(events=events)
            StagedImport.objects.filter(pk=staged.pk).update(
                created=outcome.created,
                already_known=outcome.already_known,
                not_allowed=outcome.not_allowed,
                applied_at=timezone.now(),
            )


jobs.register(ClientImportCheck())
jobs.register(WebEventImportCheck())
jobs.register(ClientImportApply())
jobs.register(WebEventImportApply())


# --- follow-up generation ---------------------------------------------------

KIND = "clienteling.follow_up_generation"

# Clients per chunk of the follow-up job: a chunk takes seconds, and its
# memory does not grow with the table.
FOLLOW_UP_CHUNK = 5000


class FollowUpGenerationJob(jobs.JobKind):
    """Walk every client in chunks of FOLLOW_UP_CHUNK ids and create
    the follow-ups due (services.follow_ups_generate).

    Resumable: each chunk's follow-ups are written fenced, then the clients
    walked so far are reported as progress; a retried attempt starts one
    chunk before the progress it finds (so a client deleted meanwhile
    cannot make it skip any), and the follow-ups' unique source key makes
    the chunk it walks again create nothing twice.
    """

    name = KIND
    label = _("Follow-up generation")
    max_attempts = 3
    view_permission = "clienteling.view_followup"

    def run(self, job, ctx):
        from clienteling import services
        from clienteling.models import Client

        today = date.fromisoformat(job.params["today"])
        chunk = FOLLOW_UP_CHUNK
        clients = Client.objects.order_by("pk").values_list("pk", flat=True)
        total = clients.count()
        # Where the last attempt got to (one chunk back), or the start.
        skip = max(0, min(job.progress_done, total) - chunk)
        done = skip
        after = clients[skip - 1] if skip else 0
        ctx.progress(done, total, f"{done} of {total} clients looked at", force=True)
        created = {"anniversary": 0, "lapsing": 0}
        while True:
            ids = list(clients.filter(pk__gt=after)[:chunk])
            if not ids:
                break
            with ctx.fenced():
                run = services.follow_ups_generate(
                    today=today, id_range=(ids[0], ids[-1] + 1)
                )
            for reason, count in run.created.items():
                created[reason] = created.get(reason, 0) + count
            after = ids[-1]
            done += len(ids)
            total = max(total, done)  # clients added while it runs
            ctx.progress(
                done, total, f"{done} of {total} clients looked at", force=True
            )
        return created


jobs.register(FollowUpGenerationJob())
