"""privacy's part of the data map (see clienteling.classification)."""

from clienteling.classification import (
    KEY,
    NOT_PERSONAL,
    Category,
    Erasure,
    F,
    ModelMap,
    Source,
    Subject,
)

ERASURE_STAFF = F(
    Category.IDENTITY,
    Erasure.KEEP,
    Source.SYSTEM,
    obligation="accountability of staff actions (GDPR Art. 5(2))",
)

DATAMAP = {
    "privacy.AccessLogEntry": ModelMap(
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
        },
    ),
    # Erasure and retention (privacy/models/erasure.py, retention.py): ids,
    # statuses and counts, never a value of the client's data.
    "privacy.ErasureJob": ModelMap(
        Subject.CLIENT,
        "client",
        description="An erasure and its receipt: ids, holds and counts only.",
        fields={
            "id": KEY,
            "client": KEY,
            **dict.fromkeys(
                (
                    "request_reference",
                    "allow_partial",
                    "status",
                    "requested_at",
                    "approved_at",
                    "started_at",
                    "finished_at",
                    "heartbeat_at",
                    "attempts",
                    "holds",
                    "partial",
                    "receipt",
                    "outcome",
                ),
                F(
                    Category.NOT_PERSONAL,
                    Erasure.KEEP,
                    Source.SYSTEM,
                    obligation="proof the erasure was done (GDPR Art. 5(2), 17)",
                ),
            ),
            "requested_by": ERASURE_STAFF,
            "approved_by": ERASURE_STAFF,
        },
    ),
    "privacy.ErasureStep": ModelMap(
        Subject.NONE,
        None,
        fields=dict.fromkeys(
            ("id", "job", "position", "name", "done_at", "counts"), NOT_PERSONAL
        ),
    ),
    "privacy.RetentionRule": ModelMap(
        Subject.NONE,
        None,
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "code",
                    "name",
                    "category",
                    "purpose",
                    "period_days",
                    "anchor",
                    "source",
                    "is_active",
                    "updated_at",
                ),
                NOT_PERSONAL,
            ),
            "updated_by": ERASURE_STAFF,
        },
    ),
    "privacy.RetentionRun": ModelMap(
        Subject.NONE,
        None,
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "dry_run",
                    "status",
                    "now",
                    "started_at",
                    "finished_at",
                    "heartbeat_at",
                    "cursor",
                    "counts",
                ),
                NOT_PERSONAL,
            ),
            "started_by": ERASURE_STAFF,
        },
    ),
}
