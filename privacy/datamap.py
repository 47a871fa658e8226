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

# --- Group and partner sharing (privacy.models.sharing) -------------------------

_TRANSFER_RECORD = (
    "accountability for transfers (GDPR Art. 5(2) and 30), and telling each "
    "recipient of a withdrawal or erasure (Art. 19)"
)
_GROUP = F(Category.PREFERENCES, Erasure.ERASE, Source.GROUP)

DATAMAP.update(
    {
        "privacy.Partner": ModelMap(
            Subject.NONE,
            None,
            description="A department store (a company) and its agreement.",
            fields=dict.fromkeys(
                (
                    "id",
                    "code",
                    "name",
                    "agreement_reference",
                    "agreement_signed_on",
                    "boutiques",
                    "is_active",
                    "created_at",
                ),
                NOT_PERSONAL,
            ),
        ),
        "privacy.SharingBatch": ModelMap(
            Subject.STAFF,
            None,
            description="One transfer: counts and versions, no client data.",
            fields={
                **dict.fromkeys(
                    (
                        "id",
                        "batch_id",
                        "kind",
                        "partner",
                        "created_at",
                        "consent_snapshot_at",
                        "since",
                        "rule_version",
                        "key_id",
                        "client_count",
                        "row_count",
                        "withdrawal_count",
                        "folder",
                        "manifest_sha256",
                    ),
                    NOT_PERSONAL,
                ),
                "created_by": F(
                    Category.IDENTITY,
                    Erasure.KEEP,
                    Source.SYSTEM,
                    obligation=_TRANSFER_RECORD,
                ),
            },
        ),
        "privacy.Disclosure": ModelMap(
            Subject.CLIENT,
            "client",
            description="Which recipient received the client's data, and "
            "whether it was asked to delete it.",
            fields={
                "id": KEY,
                "client": KEY,
                "recipient": F(
                    Category.PURCHASES,
                    Erasure.KEEP,
                    Source.SYSTEM,
                    obligation=_TRANSFER_RECORD,
                ),
                "first_batch": KEY,
                "last_batch": KEY,
                "recalled_in": KEY,
            },
        ),
        "privacy.InsightImport": ModelMap(
            Subject.STAFF,
            None,
            description="One insights file received: counts, no client data.",
            fields={
                **dict.fromkeys(
                    (
                        "id",
                        "batch_id",
                        "imported_at",
                        "file_sha256",
                        "rows_total",
                        "rows_linked",
                        "dropped_withdrawn",
                        "dropped_unknown",
                    ),
                    NOT_PERSONAL,
                ),
                "imported_by": F(
                    Category.IDENTITY,
                    Erasure.KEEP,
                    Source.SYSTEM,
                    obligation=_TRANSFER_RECORD,
                ),
            },
        ),
        "privacy.GroupInsight": ModelMap(
            Subject.CLIENT,
            "client",
            description="Generalised insight about the client computed by the "
            "parent group (profiling and segmentation, Art. 15(1)(h)).",
            fields={
                "id": KEY,
                "client": KEY,
                "source_import": KEY,
                "segment_codes": _GROUP,
                "preferred_categories": _GROUP,
                "house_affinity": _GROUP,
                "received_at": _GROUP,
            },
        ),
    }
)
