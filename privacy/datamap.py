"""privacy's part of the data map (see core.classification)."""

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

# Answering a request, and being able to show it was answered in time.
DSR_PROOF = gettext_noop(
    "accountability for data-subject requests (GDPR Art. 5(2), 12)"
)
STAFF_LINK = F(Category.STAFF_NOTES, Erasure.KEEP, Source.SYSTEM, obligation=DSR_PROOF)
ERASURE_STAFF = F(
    Category.IDENTITY,
    Erasure.KEEP,
    Source.SYSTEM,
    obligation=gettext_noop("accountability of staff actions (GDPR Art. 5(2))"),
)

DATAMAP = {
    # Data-subject requests (issue 7): about the client who asked.
    "privacy.DataSubjectRequest": ModelMap(
        Subject.CLIENT,
        "client",
        description="A request exercising a GDPR right, and its handling.",
        fields={
            "id": KEY,
            "client": KEY,
            # the records found to be the person's (decision 0054)
            "clients": KEY,
            # the person as they gave themselves, to answer them
            "person_name": F(Category.IDENTITY, Erasure.ERASE, Source.CLIENT),
            "person_email": F(Category.CONTACT, Erasure.ERASE, Source.CLIENT),
            "person_phone": F(Category.CONTACT, Erasure.ERASE, Source.CLIENT),
            "person_address": F(Category.CONTACT, Erasure.ERASE, Source.CLIENT),
            "nothing_held_at": NOT_PERSONAL,
            "language": F(
                Category.PREFERENCES, Erasure.KEEP, Source.CLIENT, obligation=DSR_PROOF
            ),
            "identity_evidence_name": F(
                Category.IDENTITY, Erasure.ERASE, Source.CLIENT
            ),
            "identity_evidence_type": NOT_PERSONAL,
            "identity_evidence_deleted_at": NOT_PERSONAL,
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
    "privacy.RequestLetter": ModelMap(
        Subject.CLIENT,
        "request__client",
        description="The letters sent to the person about their request.",
        fields={
            "id": KEY,
            "request": KEY,
            "kind": F(
                Category.CONTACT_HISTORY,
                Erasure.KEEP,
                Source.SYSTEM,
                obligation=DSR_PROOF,
            ),
            "language": F(Category.PREFERENCES, Erasure.ERASE, Source.SYSTEM),
            "requested_language": F(Category.PREFERENCES, Erasure.ERASE, Source.CLIENT),
            "sent_to": F(Category.CONTACT, Erasure.ERASE, Source.CLIENT),
            "subject": F(Category.CONTACT_HISTORY, Erasure.ERASE, Source.SYSTEM),
            "body": F(Category.CONTACT_HISTORY, Erasure.ERASE, Source.SYSTEM),
            "sent_at": F(
                Category.CONTACT_HISTORY,
                Erasure.KEEP,
                Source.SYSTEM,
                obligation=DSR_PROOF,
            ),
            "sent_by": STAFF_LINK,
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
        codes={
            "object_id": "a primary key",
            "object_type": "a model label written by Écrin",
            "history_type": "django-simple-history's change type",
        },
    ),
    "privacy.SubjectAccessReport": ModelMap(
        Subject.CLIENT,
        "request__client",
        description="Subject-access reports: the review of their staff notes "
        "and why a zip was deleted; the build is a core.Job (job).",
        fields={
            "id": KEY,
            "request": KEY,
            "job": KEY,
            **dict.fromkeys(
                (
                    "review_flags",
                    "reviewed_at",
                    "created_at",
                    "file_deleted_at",
                    "file_deleted_reason",
                ),
                NOT_PERSONAL,
            ),
            "reviewed_by": STAFF_LINK,
            "requested_by": STAFF_LINK,
        },
        codes={
            "file_deleted_reason": "written by Écrin",
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
            "request": KEY,
            **dict.fromkeys(
                (
                    "allow_partial",
                    "status",
                    "requested_at",
                    "approved_at",
                    "finished_at",
                    "job",
                    "holds",
                    "partial",
                    "receipt",
                    "outcome",
                ),
                F(
                    Category.NOT_PERSONAL,
                    Erasure.KEEP,
                    Source.SYSTEM,
                    obligation=gettext_noop(
                        "proof the erasure was done (GDPR Art. 5(2), 17)"
                    ),
                ),
            ),
            "requested_by": ERASURE_STAFF,
            "approved_by": ERASURE_STAFF,
        },
        codes={
            "outcome": "written by Écrin",
        },
    ),
    "privacy.ErasureStep": ModelMap(
        Subject.NONE,
        None,
        fields=dict.fromkeys(
            ("id", "job", "position", "name", "done_at", "counts"), NOT_PERSONAL
        ),
        codes={
            "name": "a step name written by Écrin",
        },
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
    # The breach register (privacy/models/breaches.py): facts about an
    # incident, staff who recorded them, and affected clients as ids only.
    "privacy.Breach": ModelMap(
        Subject.NONE,
        None,
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "title",
                    "occurred_at",
                    "aware_at",
                    "nature",
                    "description",
                    "data_categories",
                    "people_categories",
                    "approx_people",
                    "approx_records",
                    "consequences",
                    "measures_taken",
                    "measures_proposed",
                    "recorded_at",
                    "client_query",
                    "clients_found",
                ),
                NOT_PERSONAL,
            ),
            "recorded_by": ERASURE_STAFF,
        },
    ),
    "privacy.BreachClient": ModelMap(
        Subject.CLIENT,
        "client",
        description="That the client was affected by a breach: ids only.",
        fields={"id": KEY, "client": KEY, "breach": KEY},
    ),
    "privacy.BreachLetter": ModelMap(
        Subject.CLIENT,
        "client",
        description="That the breach letter was emailed to the client: ids "
        "and outcome only.",
        fields={
            "id": KEY,
            "client": KEY,
            "breach": KEY,
            "job": KEY,
            **dict.fromkeys(("outcome", "attempts", "sent_at", "detail"), NOT_PERSONAL),
        },
        codes={
            "detail": "the exception's kind, written by Écrin",
        },
    ),
    "privacy.BreachAssessment": ModelMap(
        Subject.NONE,
        None,
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "breach",
                    "risk",
                    "reasoning",
                    "notify_authority",
                    "notify_people",
                    "reasons_not_notified",
                    "assessed_at",
                ),
                NOT_PERSONAL,
            ),
            "assessed_by": ERASURE_STAFF,
        },
    ),
    "privacy.BreachNotification": ModelMap(
        Subject.NONE,
        None,
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "breach",
                    "to",
                    "notified_at",
                    "reference",
                    "delay_reason",
                    "recorded_at",
                ),
                NOT_PERSONAL,
            ),
            "recorded_by": ERASURE_STAFF,
        },
    ),
    "privacy.BreachAlert": ModelMap(
        Subject.NONE,
        None,
        fields=dict.fromkeys(("id", "breach", "hours", "sent_at"), NOT_PERSONAL),
    ),
    # Recipients and transfers (privacy/models/processors.py): companies,
    # not people.
    "privacy.Recipient": ModelMap(
        Subject.NONE,
        None,
        fields=dict.fromkeys(
            (
                "id",
                "name",
                "kind",
                "service",
                "country",
                "parent",
                "agreement_reference",
                "agreement_signed_on",
                "agreement_ends_on",
                "contact_email",
                "contact_language",
                "is_active",
            ),
            NOT_PERSONAL,
        ),
    ),
    "privacy.Transfer": ModelMap(
        Subject.NONE,
        None,
        fields=dict.fromkeys(
            (
                "id",
                "recipient",
                "country",
                "purpose",
                "mechanism",
                "mechanism_reference",
                "tia_reference",
            ),
            NOT_PERSONAL,
        ),
    ),
    "privacy.Dpia": ModelMap(
        Subject.NONE,
        None,
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "purpose_code",
                    "processing",
                    "necessity",
                    "risks",
                    "measures",
                    "residual_risk",
                    "dpo_opinion",
                    "review_on",
                    "review_raised_at",
                    "updated_at",
                ),
                NOT_PERSONAL,
            ),
            "updated_by": ERASURE_STAFF,
        },
        codes={"purpose_code": "a purpose code of consents.registry"},
    ),
    # Four-eyes approvals (privacy/models/approvals.py): rule values and
    # counts, never a client's data.
    "privacy.Approval": ModelMap(
        Subject.NONE,
        None,
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "kind",
                    "status",
                    "requested_at",
                    "decided_at",
                    "rule",
                    "changes",
                    "counts",
                    "retention_run",
                    "executed_at",
                ),
                NOT_PERSONAL,
            ),
            "requested_by": ERASURE_STAFF,
            "decided_by": ERASURE_STAFF,
            # The list's search words may name a client: staff entry, kept
            # with the approval as the proof of what was let out.
            "export_query": F(
                Category.STAFF_NOTES,
                Erasure.KEEP,
                Source.STAFF,
                obligation="accountability of staff actions (GDPR Art. 5(2))",
            ),
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
                    "job",
                    "cursor",
                    "counts",
                ),
                NOT_PERSONAL,
            ),
            "started_by": ERASURE_STAFF,
        },
    ),
}

# --- Group and partner sharing (privacy.models.sharing) -------------------------

_TRANSFER_RECORD = gettext_noop(
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
                        "job",
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
            codes={
                "rule_version": "written by Écrin",
                "key_id": "a key id from settings",
                "folder": "a folder generated by Écrin",
                "manifest_sha256": "a digest",
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
            codes={
                "recipient": "'group' or a partner code",
            },
        ),
        # Guest lists given to event organisers (decision 0106).
        "privacy.GuestListDisclosure": ModelMap(
            Subject.STAFF,
            None,
            description="One guest list given to an event organiser: the "
            "event, the organiser, the data given and a count, no client data.",
            fields={
                **dict.fromkeys(
                    (
                        "id",
                        "event",
                        "organiser",
                        "categories",
                        "disclosed_at",
                        "guest_count",
                    ),
                    NOT_PERSONAL,
                ),
                "disclosed_by": F(
                    Category.IDENTITY,
                    Erasure.KEEP,
                    Source.SYSTEM,
                    obligation=_TRANSFER_RECORD,
                ),
            },
        ),
        "privacy.OrganiserDisclosure": ModelMap(
            Subject.CLIENT,
            "client",
            description="That the client was on a guest list given to an "
            "event organiser, and when.",
            fields={
                "id": KEY,
                "client": KEY,
                "guest_list": KEY,
                "organiser": F(
                    Category.CONTACT_HISTORY,
                    Erasure.KEEP,
                    Source.SYSTEM,
                    obligation=_TRANSFER_RECORD,
                ),
                "disclosed_at": F(
                    Category.CONTACT_HISTORY,
                    Erasure.KEEP,
                    Source.SYSTEM,
                    obligation=_TRANSFER_RECORD,
                ),
            },
        ),
        "privacy.RecipientNotice": ModelMap(
            Subject.CLIENT,
            "client",
            description="An Art. 19 notice to a recipient of the client's "
            "data: who, why, how and when it was sent.",
            fields={
                "id": KEY,
                "client": KEY,
                **dict.fromkeys(
                    ("recipient", "client_ref", "kind", "reference"),
                    F(
                        Category.PURCHASES,
                        Erasure.KEEP,
                        Source.SYSTEM,
                        obligation=_TRANSFER_RECORD,
                    ),
                ),
                **dict.fromkeys(
                    (
                        "key_id",
                        "how",
                        "queued_at",
                        "sent_at",
                        "outcome",
                        "attempts",
                        "detail",
                        "folder",
                    ),
                    NOT_PERSONAL,
                ),
                "queued_by": F(
                    Category.IDENTITY,
                    Erasure.KEEP,
                    Source.SYSTEM,
                    obligation=_TRANSFER_RECORD,
                ),
            },
            codes={
                "recipient": "'group' or a partner code",
                "client_ref": "a pseudonym computed by Écrin",
                "key_id": "a key id from settings",
                "reference": "a cause written by Écrin",
                "detail": "a sentence written by Écrin",
                "folder": "a folder generated by Écrin",
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
                        "job",
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
            codes={
                "batch_id": "the group's batch id, copied verbatim",
                "file_sha256": "a digest",
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

# --- Files naming clients (see core.classification.StoredFiles) -------

FILE_LOCATIONS = {
    "request_identity_evidence": StoredFiles(
        name="identity evidence of data-subject requests",
        folder="PRIVATE_STORAGE_ROOT/request-evidence/",
        root="privacy.requests.evidence_folder",
        erasure=FileErasure.DELETE,
        erase="privacy.requests.evidence_erase",
        writers=("privacy.requests.request_attach_evidence",),
        found_by="DataSubjectRequest.identity_evidence_name of the client's "
        "requests (and deleted when each request closes)",
        held_with=Category.IDENTITY,
    ),
    "subject_access_reports": StoredFiles(
        name="subject-access and portability report zips",
        folder="PRIVATE_STORAGE_ROOT/jobs/<job id>/report.zip (core.jobs results)",
        root="core.jobs.files.root",
        erasure=FileErasure.DELETE,
        erase="privacy.reports.reports_erase",
        writers=(
            "privacy.reports.report_build",
            # the streamed report's spools (unnamed temporary files, gone
            # when closed) and its members written into the zip
            "privacy.reports._Category.__init__",
            "privacy.reports._Streamed.write_csv",
            "privacy.reports._Streamed.write_json",
        ),
        found_by="the result file of the job (core.Job) of each "
        "SubjectAccessReport of the client's requests (the report kind's "
        "erase_results; its file_location names this entry)",
        # Deleted whatever a hold keeps: the held data stays in the
        # database, and a report can be built again from it.
    ),
    "sharing_batches": StoredFiles(
        name="group and partner sharing batches",
        folder="SHARING_EXPORT_ROOT (PRIVATE_STORAGE_ROOT/sharing/)",
        root="privacy.sharing.files.export_root",
        erasure=FileErasure.REWRITE,
        erase="privacy.sharing.files.sharing_batches_erase",
        writers=(
            "privacy.sharing.files._HashedFile.__init__",
            "privacy.sharing.files._write_manifest",
            "privacy.sharing.files._finish",
            "privacy.sharing.files._rewrite_without",
            "privacy.sharing.files._batch_rewrite",
        ),
        found_by="the client's disclosures (recipient, first and last batch) "
        "and the pseudonym under each batch's key",
    ),
    "insight_uploads": StoredFiles(
        name="insights files uploaded from the group, waiting for their import",
        folder="PRIVATE_STORAGE_ROOT/sharing-inbox/",
        root="privacy.sharing.insights.insights_inbox",
        erasure=FileErasure.DELETE,
        erase="privacy.sharing.insights.insight_uploads_erase",
        writers=("privacy.sharing.insights._store_upload",),
        found_by="the group's pseudonyms only; each file is deleted when its "
        "import job ends (erasure deletes any left by an ended job)",
    ),
    "erasure_replay_log": StoredFiles(
        name="erasure replay log",
        folder="ERASURE_REPLAY_LOG",
        root="privacy.erasure.replay.replay_log_folder",
        erasure=FileErasure.KEEP,
        writers=("privacy.erasure.replay.replay_log_append",),
        found_by="client ids only: it names no one",
        obligation="re-applying erasures to a restored backup (GDPR Art. 17); "
        "client ids only, no value of their data",
    ),
}
