"""core's part of the data map (see core.classification)."""

from django.utils.translation import gettext_noop

from core.classification import (
    KEY,
    NOT_PERSONAL,
    Category,
    Erasure,
    F,
    FileErasure,
    ModelMap,
    Source,
    StoredFiles,
    Subject,
)

STAFF_ACTION = F(
    Category.IDENTITY,
    Erasure.KEEP,
    Source.SYSTEM,
    obligation=gettext_noop("accountability of staff actions (GDPR Art. 5(2))"),
)

DATAMAP = {
    "core.AccessLogEntry": ModelMap(
        Subject.STAFF,
        None,
        description="Who accessed which record: about staff actions, never values.",
        fields={
            "id": KEY,
            "at": NOT_PERSONAL,
            "user": F(
                Category.IDENTITY,
                Erasure.KEEP,
                Source.SYSTEM,
                obligation="security of processing (GDPR Art. 32), kept "
                "ACCESS_LOG_RETENTION_DAYS",
            ),
            "action": NOT_PERSONAL,
            "object_type": NOT_PERSONAL,
            "object_id": NOT_PERSONAL,
            "count": NOT_PERSONAL,
            "path": NOT_PERSONAL,
            "outcome": NOT_PERSONAL,
        },
        codes={
            "object_type": "a model label written by Écrin",
            "object_id": "a primary key",
            "path": "the request path, written by Écrin",
            "outcome": "a website API call's status code and reason code",
        },
    ),
    "core.Job": ModelMap(
        Subject.STAFF,
        None,
        description="Long jobs (reports, erasures, exports, imports): their "
        "state and progress; ids and counts, never personal values.",
        fields={
            "id": KEY,
            "owner": STAFF_ACTION,
            "cancelled_by": STAFF_ACTION,
            **dict.fromkeys(
                (
                    "kind",
                    "label",
                    "params",
                    "dedupe_key",
                    "status",
                    "created_at",
                    "enqueued_at",
                    "started_at",
                    "heartbeat_at",
                    "finished_at",
                    "attempts",
                    "max_attempts",
                    "lease_token",
                    "lease_until",
                    "cancel_requested_at",
                    "progress_done",
                    "progress_total",
                    "progress_label",
                    "result",
                    "result_file",
                    "result_size",
                    "result_sha256",
                    "result_expires_at",
                    "error",
                    "seen_at",
                ),
                NOT_PERSONAL,
            ),
        },
        codes={
            "kind": "a job kind's name, written by Écrin",
            "label": "a description written by Écrin (numbers, no names)",
            "dedupe_key": "ids written by Écrin",
            "progress_label": "a step's name, written by Écrin",
            "result_file": "a file name written by Écrin",
            "result_sha256": "a checksum",
            "error": "a message written by Écrin",
        },
    ),
}

FILE_LOCATIONS = {
    "job_results": StoredFiles(
        name="result files of long jobs (reports, lists, exports, imports)",
        folder="PRIVATE_STORAGE_ROOT/jobs/",
        root="core.jobs.files.root",
        erasure=FileErasure.DELETE,
        erase="core.jobs.registry.erase_clients",
        writers=(
            "core.jobs.files.publish",
            # an import check's first rows and problems (clienteling.jobs)
            "clienteling.staged_imports.write_check",
        ),
        found_by="each job kind's erase_results (the jobs about the clients)",
    ),
}
