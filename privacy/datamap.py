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
}
