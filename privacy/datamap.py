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

# Answering a request, and being able to show it was answered in time.
DSR_PROOF = "accountability for data-subject requests (GDPR Art. 5(2), 12)"
STAFF_LINK = F(Category.STAFF_NOTES, Erasure.KEEP, Source.SYSTEM, obligation=DSR_PROOF)

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
    # Data-subject requests (issue 7): about the client who asked.
    "privacy.DataSubjectRequest": ModelMap(
        Subject.CLIENT,
        "client",
        description="A request exercising a GDPR right, and its handling.",
        fields={
            "id": KEY,
            "client": KEY,
            "kind": F(
                Category.PREFERENCES,
                Erasure.KEEP,
                Source.CLIENT,
                obligation=DSR_PROOF,
            ),
            "channel": F(
                Category.CONTACT_HISTORY,
                Erasure.KEEP,
                Source.CLIENT,
                obligation=DSR_PROOF,
            ),
            "received_on": F(
                Category.CONTACT_HISTORY,
                Erasure.KEEP,
                Source.CLIENT,
                obligation=DSR_PROOF,
            ),
            "details": F(Category.CONTACT_HISTORY, Erasure.ERASE, Source.CLIENT),
            "status": NOT_PERSONAL,
            "assignee": STAFF_LINK,
            "due_on": NOT_PERSONAL,
            "extended_due_on": NOT_PERSONAL,
            "extension_reason": F(
                Category.STAFF_NOTES,
                Erasure.KEEP,
                Source.STAFF,
                obligation=DSR_PROOF,
            ),
            "extended_at": NOT_PERSONAL,
            "identity_verified_at": F(
                Category.IDENTITY, Erasure.KEEP, Source.STAFF, obligation=DSR_PROOF
            ),
            "identity_verified_by": STAFF_LINK,
            "identity_method": F(
                Category.IDENTITY, Erasure.KEEP, Source.STAFF, obligation=DSR_PROOF
            ),
            "identity_note": F(Category.STAFF_NOTES, Erasure.ERASE, Source.STAFF),
            "restriction": KEY,
            "outcome": F(
                Category.STAFF_NOTES,
                Erasure.KEEP,
                Source.STAFF,
                obligation=DSR_PROOF,
            ),
            "closed_at": NOT_PERSONAL,
            "flagged_d7_at": NOT_PERSONAL,
            "flagged_d1_at": NOT_PERSONAL,
            "created_at": NOT_PERSONAL,
        },
    ),
    "privacy.RequestEdit": ModelMap(
        Subject.CLIENT,
        "request__client",
        description="Which history rows a rectification request produced.",
        fields={
            "id": KEY,
            "request": KEY,
            "object_type": NOT_PERSONAL,
            "object_id": NOT_PERSONAL,
            "history_id": KEY,
            "history_type": NOT_PERSONAL,
            "edited_at": F(
                Category.STAFF_NOTES,
                Erasure.KEEP,
                Source.SYSTEM,
                obligation=DSR_PROOF,
            ),
            "edited_by": STAFF_LINK,
        },
    ),
    "privacy.SubjectAccessReport": ModelMap(
        Subject.CLIENT,
        "request__client",
        description="Builds of the subject-access report (the job rows).",
        fields={
            "id": KEY,
            "request": KEY,
            **dict.fromkeys(
                (
                    "status",
                    "progress_done",
                    "progress_total",
                    "step",
                    "file_name",
                    "size",
                    "sha256",
                    "review_flags",
                    "reviewed_at",
                    "error",
                    "created_at",
                    "started_at",
                    "finished_at",
                    "expires_at",
                ),
                NOT_PERSONAL,
            ),
            "reviewed_by": STAFF_LINK,
            "requested_by": STAFF_LINK,
        },
    ),
}
