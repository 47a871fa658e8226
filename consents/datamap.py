"""consents' part of the data map (see clienteling.classification)."""

from clienteling.classification import (
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

C, E, S = Category, Erasure, Source

PROOF = "proof that processing was lawful (GDPR Art. 7(1) and 5(2))"
STAFF_LINK = F(C.STAFF_NOTES, E.KEEP, S.SYSTEM, obligation=PROOF)


def _reference(*names: str) -> dict:
    return dict.fromkeys(names, NOT_PERSONAL)


DATAMAP = {
    "consents.ConsentDecision": ModelMap(
        Subject.CLIENT,
        "client",
        description="The consent ledger: one row per decision.",
        fields={
            "id": KEY,
            "client": KEY,
            "purpose": F(C.PREFERENCES, E.KEEP, S.CLIENT, obligation=PROOF),
            "decision": F(C.PREFERENCES, E.KEEP, S.CLIENT, obligation=PROOF),
            "channel": F(C.PREFERENCES, E.KEEP, S.CLIENT, obligation=PROOF),
            "wording": F(C.PREFERENCES, E.KEEP, S.SYSTEM, obligation=PROOF),
            "submission": KEY,
            "recorded_by": STAFF_LINK,
            "decided_at": F(C.PREFERENCES, E.KEEP, S.SYSTEM, obligation=PROOF),
            "ip_address": F(C.TECHNICAL, E.ERASE, S.WEBSITE, identifies=True),
            "user_agent": F(C.TECHNICAL, E.ERASE, S.WEBSITE),
        },
    ),
    "consents.PaperFormSubmission": ModelMap(
        Subject.CLIENT,
        "client",
        description="A signed paper form keyed in; the scan is the evidence.",
        fields={
            "id": KEY,
            "client": KEY,
            "version": KEY,
            "boutique": KEY,
            "requested_services": F(C.PREFERENCES, E.KEEP, S.CLIENT, obligation=PROOF),
            "fields_completed": F(C.PREFERENCES, E.ERASE, S.CLIENT),
            "signed_on": F(C.PREFERENCES, E.KEEP, S.CLIENT, obligation=PROOF),
            # The scan shows the client's name, details and signature.
            "scan_name": F(C.IDENTITY, E.ERASE, S.CLIENT, identifies=True),
            "scan_content_type": F(C.IDENTITY, E.ERASE, S.CLIENT),
            "scan_size": F(C.IDENTITY, E.ERASE, S.CLIENT),
            "scan_sha256": F(C.IDENTITY, E.ERASE, S.CLIENT),
            "recorded_by": STAFF_LINK,
            "recorded_at": F(C.PREFERENCES, E.KEEP, S.SYSTEM, obligation=PROOF),
        },
    ),
    "consents.SoftOptIn": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "first_sale_at": F(C.PURCHASES, E.ERASE, S.SYSTEM),
            "last_sale_at": F(C.PURCHASES, E.ERASE, S.SYSTEM),
            "sale_reference": F(C.PURCHASES, E.ERASE, S.SYSTEM),
            "opt_out_offered": F(C.PREFERENCES, E.ERASE, S.STAFF),
        },
    ),
    "consents.Restriction": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "reason": F(C.STAFF_NOTES, E.ERASE, S.STAFF),
            "started_at": F(C.PREFERENCES, E.ERASE, S.SYSTEM),
            "lifted_at": F(C.PREFERENCES, E.ERASE, S.SYSTEM),
        },
    ),
    "consents.SuppressionEntry": ModelMap(
        Subject.CLIENT,
        None,
        description="Keyed hashes of objecting clients' email and phone; no link "
        "to a client, kept so an objection survives erasure and re-import.",
        fields={
            "id": KEY,
            "kind": NOT_PERSONAL,
            "digest": F(
                C.CONTACT,
                E.KEEP,
                S.SYSTEM,
                obligation="honouring an objection to direct marketing "
                "(GDPR Art. 21(3)); keyed hash only",
            ),
            "added_at": NOT_PERSONAL,
            "reason": NOT_PERSONAL,
        },
    ),
    "consents.OutreachList": ModelMap(
        Subject.STAFF,
        None,
        description="Outreach lists asked for: who, purpose, channel, scope, "
        "progress and counts. The list itself (client numbers, names and the "
        "channel's address of eligible clients) is a CSV in private storage, "
        "deleted at expiry (OUTREACH_LIST_DOWNLOAD_DAYS).",
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "purpose",
                    "channel",
                    "boutique",
                    "whole_house",
                    "scope_boutique_ids",
                    "status",
                    "attempt",
                    "progress_done",
                    "progress_total",
                    "eligible_count",
                    "soft_opt_in_count",
                    "excluded_by_reason",
                    "file_name",
                    "size",
                    "error",
                    "created_at",
                    "started_at",
                    "heartbeat_at",
                    "finished_at",
                    "expires_at",
                ),
                NOT_PERSONAL,
            ),
            "requested_by": F(
                C.IDENTITY,
                E.KEEP,
                S.SYSTEM,
                obligation="accountability for who took client data out "
                "(GDPR Art. 5(2))",
            ),
        },
    ),
    # The registry and form templates: reference data, no one's data.
    "consents.Purpose": ModelMap(
        Subject.NONE,
        None,
        fields=_reference(
            "id",
            "code",
            "name",
            "description",
            "legal_basis",
            "data_categories",
            "recipients",
            "retention",
            "can_object",
            "direct_marketing",
            "soft_opt_in",
            "special_category",
            "balancing_interest",
            "balancing_necessity",
            "balancing_rights",
            "display_order",
            "is_active",
        ),
    ),
    "consents.FormTemplate": ModelMap(
        Subject.NONE, None, fields=_reference("id", "code", "kind", "title")
    ),
    "consents.FormTemplateVersion": ModelMap(
        Subject.NONE,
        None,
        fields=_reference("id", "template", "number", "published_at", "services"),
    ),
    "consents.FormField": ModelMap(
        Subject.NONE,
        None,
        fields=_reference(
            "id",
            "version",
            "key",
            "label",
            "data_category",
            "display_order",
            "mandatory_for",
        ),
    ),
    "consents.PurposeWording": ModelMap(
        Subject.NONE, None, fields=_reference("id", "version", "purpose", "text")
    ),
}

# --- Files naming clients (see clienteling.classification.StoredFiles) -------

FILE_LOCATIONS = {
    "consent_scans": StoredFiles(
        name="scans of signed paper forms",
        folder="PRIVATE_STORAGE_ROOT/consent-scans/",
        root="consents.services.scan_folder",
        erasure=FileErasure.DELETE,
        erase="consents.services.consent_scans_erase",
        writers=("consents.services.paper_form_capture",),
        found_by="PaperFormSubmission.scan_name of the client's submissions",
        # The scan shows the client's name, details and signature: it goes
        # with the identity data, and a hold on identity keeps it. The
        # submission row stays as the proof (decision 0201, 0510).
        held_with=C.IDENTITY,
    ),
    "outreach_lists": StoredFiles(
        name="outreach lists (CSV)",
        folder="PRIVATE_STORAGE_ROOT/outreach-lists/",
        root="consents.outreach.storage_dir",
        erasure=FileErasure.DELETE,
        erase="consents.outreach.outreach_lists_erase",
        writers=("consents.outreach._write",),
        found_by="the client numbers in the first column of each ready list",
    ),
}
