"""clienteling's part of the data map (see core.classification)."""

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

C, E, S = Category, Erasure, Source

STAFF_LINK = F(
    C.STAFF_NOTES,
    E.KEEP,
    S.SYSTEM,
    obligation=gettext_noop("accountability of staff actions (GDPR Art. 5(2))"),
)
WHEN = F(C.NOT_PERSONAL, E.KEEP, S.SYSTEM, obligation="not personal data")


def _client_row(category: Category, source: Source = S.STAFF, **fields: F) -> dict:
    return {"id": KEY, "client": KEY, **fields}


DATAMAP = {
    "clienteling.Client": ModelMap(
        Subject.CLIENT,
        "",
        description="The client's identity and relationship record.",
        fields={
            "id": KEY,
            "client_number": F(C.IDENTITY, E.ANONYMISE, S.SYSTEM, identifies=True),
            "title": F(C.IDENTITY, E.ERASE, S.CLIENT),
            "first_name": F(C.IDENTITY, E.ANONYMISE, S.CLIENT, identifies=True),
            "last_name": F(C.IDENTITY, E.ANONYMISE, S.CLIENT, identifies=True),
            "birth_date": F(C.IDENTITY, E.ERASE, S.CLIENT, identifies=True),
            "nationality": F(C.IDENTITY, E.ERASE, S.CLIENT),
            "civil_status": F(C.IDENTITY, E.ERASE, S.CLIENT),
            "preferred_language": F(
                C.PREFERENCES,
                E.KEEP,
                S.CLIENT,
                obligation=gettext_noop("not identifying; kept on the tombstone"),
            ),
            "home_boutique": KEY,
            "primary_adviser": STAFF_LINK,
            "secondary_adviser": STAFF_LINK,
            "source": F(
                C.NOT_PERSONAL, E.KEEP, S.SYSTEM, obligation="not personal data"
            ),
            "nearest_boutique": F(C.TECHNICAL, E.ERASE, S.WEBSITE),
            "display_language": F(C.TECHNICAL, E.ERASE, S.WEBSITE),
            "cookie_consent": F(C.TECHNICAL, E.ERASE, S.WEBSITE),
            "cookie_consent_at": F(C.TECHNICAL, E.ERASE, S.WEBSITE),
            "preferred_boutique": F(C.PREFERENCES, E.ERASE, S.CLIENT),
            "status": NOT_PERSONAL,
            "merged_into": KEY,
            "last_contact_at": F(C.CONTACT_HISTORY, E.ERASE, S.SYSTEM),
            "last_client_initiated_contact_at": F(C.CONTACT_HISTORY, E.ERASE, S.SYSTEM),
            "lifetime_value": F(C.PURCHASES, E.ERASE, S.SYSTEM),
            "created_at": WHEN,
            "updated_at": WHEN,
        },
    ),
    "clienteling.ClientEmail": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "address": F(C.CONTACT, E.ERASE, S.CLIENT, identifies=True),
            # Keyed hash of the value, for the suppression join (0086).
            "digest": F(C.CONTACT, E.ERASE, S.SYSTEM),
            "is_primary": F(C.CONTACT, E.ERASE, S.CLIENT),
        },
        codes={"digest": "a keyed hash"},
    ),
    "clienteling.ClientPhone": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "kind": F(C.CONTACT, E.ERASE, S.CLIENT),
            "number": F(C.CONTACT, E.ERASE, S.CLIENT, identifies=True),
            # Keyed hash of the value, for the suppression join (0086).
            "digest": F(C.CONTACT, E.ERASE, S.SYSTEM),
            "is_primary": F(C.CONTACT, E.ERASE, S.CLIENT),
        },
        codes={"digest": "a keyed hash"},
    ),
    "clienteling.ClientAddress": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            **{
                name: F(C.CONTACT, E.ERASE, S.CLIENT, identifies=name == "line1")
                for name in (
                    "line1",
                    "line2",
                    "postal_code",
                    "city",
                    "region",
                    "country",
                    "is_primary",
                )
            },
        },
    ),
    "clienteling.SocialIdentifier": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "network": F(C.CONTACT, E.ERASE, S.CLIENT),
            "handle": F(C.CONTACT, E.ERASE, S.CLIENT, identifies=True),
        },
    ),
    "clienteling.WebAccount": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "login_identifier": F(C.TECHNICAL, E.ERASE, S.WEBSITE, identifies=True),
            "created_at": F(C.TECHNICAL, E.ERASE, S.WEBSITE),
            "last_login_at": F(C.TECHNICAL, E.ERASE, S.WEBSITE),
        },
        codes={
            "login_identifier": "the website's sign-in identifier, copied verbatim",
        },
    ),
    "clienteling.IpAddressSeen": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "ip_address": F(C.TECHNICAL, E.ERASE, S.WEBSITE, identifies=True),
            "first_seen_at": F(C.TECHNICAL, E.ERASE, S.WEBSITE),
            "last_seen_at": F(C.TECHNICAL, E.ERASE, S.WEBSITE),
        },
    ),
    "clienteling.Interest": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "collection": F(C.PREFERENCES, E.ERASE, S.CLIENT),
            "noted_at": F(C.PREFERENCES, E.ERASE, S.SYSTEM),
        },
    ),
    "clienteling.ContactPreference": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "channel": F(C.PREFERENCES, E.ERASE, S.CLIENT),
            "time_window": F(C.PREFERENCES, E.ERASE, S.CLIENT),
        },
    ),
    "clienteling.RingSize": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            **{
                name: F(C.CEREMONY, E.ERASE, S.STAFF)
                for name in (
                    "finger",
                    "system",
                    "size",
                    "circumference_mm",
                    "measured_at",
                )
            },
            "measured_by": STAFF_LINK,
        },
    ),
    "clienteling.ImportantDate": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            **{
                name: F(C.CEREMONY, E.ERASE, S.CLIENT)
                for name in ("kind", "date", "label", "recurring")
            },
        },
    ),
    "clienteling.MetalAllergy": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "metal": F(C.HEALTH, E.ERASE, S.CLIENT),
            "severity": F(C.HEALTH, E.ERASE, S.CLIENT),
            "notes": F(C.HEALTH, E.ERASE, S.STAFF),
            "recorded_at": F(C.HEALTH, E.ERASE, S.SYSTEM),
            "recorded_by": STAFF_LINK,
        },
    ),
    "clienteling.ContactEvent": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "channel": F(C.CONTACT_HISTORY, E.ERASE, S.STAFF),
            "direction": F(C.CONTACT_HISTORY, E.ERASE, S.STAFF),
            "subject": F(C.CONTACT_HISTORY, E.ERASE, S.STAFF),
            "summary": F(C.STAFF_NOTES, E.ERASE, S.STAFF),
            "outcome": F(C.CONTACT_HISTORY, E.ERASE, S.STAFF),
            "staff": STAFF_LINK,
            "boutique": KEY,
            "occurred_at": F(C.CONTACT_HISTORY, E.ERASE, S.STAFF),
            "related_type": KEY,
            "related_id": KEY,
        },
    ),
    "clienteling.WebEvent": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "kind": F(C.WEB_ACTIVITY, E.ERASE, S.WEBSITE),
            "product_reference": F(C.WEB_ACTIVITY, E.ERASE, S.WEBSITE),
            "occurred_at": F(C.WEB_ACTIVITY, E.ERASE, S.WEBSITE),
            "external_id": F(C.WEB_ACTIVITY, E.ERASE, S.WEBSITE),
        },
        codes={
            "external_id": "the website's id of the event, copied verbatim",
        },
    ),
    "clienteling.SelectionItem": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "product_reference": F(C.WEB_ACTIVITY, E.ERASE, S.WEBSITE),
            "product_name": F(C.WEB_ACTIVITY, E.ERASE, S.WEBSITE),
            "added_at": F(C.WEB_ACTIVITY, E.ERASE, S.WEBSITE),
        },
    ),
    "clienteling.Invitation": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "event": KEY,
            "status": F(C.PREFERENCES, E.ERASE, S.CLIENT),
            "invited_at": F(C.CONTACT_HISTORY, E.ERASE, S.SYSTEM),
            "invited_by": STAFF_LINK,
            "responded_at": F(C.PREFERENCES, E.ERASE, S.CLIENT),
        },
    ),
    "clienteling.FollowUp": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "adviser": STAFF_LINK,
            "due_date": F(C.STAFF_NOTES, E.ERASE, S.SYSTEM),
            "reason": F(C.STAFF_NOTES, E.ERASE, S.SYSTEM),
            "note": F(C.STAFF_NOTES, E.ERASE, S.STAFF),
            "status": F(C.STAFF_NOTES, E.ERASE, S.STAFF),
            "done_outcome": F(C.CONTACT_HISTORY, E.ERASE, S.STAFF),
            "done_at": F(C.CONTACT_HISTORY, E.ERASE, S.STAFF),
            "source_key": F(C.STAFF_NOTES, E.ERASE, S.SYSTEM),
            "created_at": WHEN,
        },
        codes={
            "source_key": "generated by the nightly run (idempotence key)",
        },
    ),
    "clienteling.Appointment": ModelMap(
        Subject.CLIENT,
        "client",
        description="Appointments booked for the client in a boutique.",
        fields={
            "id": KEY,
            "client": KEY,
            "boutique": KEY,
            "adviser": STAFF_LINK,
            "booked_by": STAFF_LINK,
            "starts_at": F(C.CONTACT_HISTORY, E.ERASE, S.STAFF),
            "ends_at": F(C.CONTACT_HISTORY, E.ERASE, S.STAFF),
            "purpose": F(C.CONTACT_HISTORY, E.ERASE, S.STAFF),
            "notes": F(C.STAFF_NOTES, E.ERASE, S.STAFF),
            "status": F(C.CONTACT_HISTORY, E.ERASE, S.STAFF),
            "reminded_at": F(C.CONTACT_HISTORY, E.ERASE, S.SYSTEM),
            "created_at": WHEN,
        },
    ),
    "clienteling.DuplicateFlag": ModelMap(
        Subject.CLIENT,
        "client",
        fields={
            "id": KEY,
            "client": KEY,
            "other": KEY,
            "reason": F(C.STAFF_NOTES, E.ERASE, S.SYSTEM),
            "status": F(C.STAFF_NOTES, E.ERASE, S.STAFF),
            "flagged_at": WHEN,
            "resolved_at": WHEN,
            "resolved_by": STAFF_LINK,
        },
    ),
    # Reference data and staff.
    "clienteling.Boutique": ModelMap(
        Subject.NONE,
        None,
        fields=dict.fromkeys(
            (
                "id",
                "code",
                "name",
                "kind",
                "department_store",
                "address_line",
                "postal_code",
                "city",
                "country",
                "language",
                "latitude",
                "longitude",
                "is_active",
                "time_zone",
            ),
            NOT_PERSONAL,
        ),
        codes={"time_zone": "an IANA time-zone name, checked against the zone list"},
    ),
    "clienteling.StagedImport": ModelMap(
        Subject.NONE,
        None,
        description="An import file on its way (its counts and jobs; the "
        "file and its check are the file locations below).",
        fields={
            **dict.fromkeys(
                (
                    "id",
                    "what",
                    "uploaded_at",
                    "file_id",
                    "rows",
                    "problem_count",
                    "created",
                    "already_known",
                    "not_allowed",
                    "applied_at",
                    "validation_job",
                    "apply_job",
                ),
                NOT_PERSONAL,
            ),
            "uploaded_by": STAFF_LINK,
        },
        codes={"file_id": "the server's own random name of the uploaded file"},
    ),
    "clienteling.Collection": ModelMap(
        Subject.NONE,
        None,
        fields=dict.fromkeys(
            ("id", "name", "is_active"),
            NOT_PERSONAL,
        ),
    ),
    "clienteling.HouseEvent": ModelMap(
        Subject.NONE,
        None,
        fields=dict.fromkeys(
            ("id", "name", "boutique", "starts_at", "capacity", "description"),
            NOT_PERSONAL,
        ),
    ),
    "clienteling.User": ModelMap(
        Subject.STAFF,
        None,
        description="Staff accounts: not client data; kept while employed.",
        fields={
            "id": KEY,
            **{
                name: F(
                    C.IDENTITY,
                    E.KEEP,
                    S.STAFF,
                    obligation="staff account (employment contract)",
                )
                for name in ("username", "first_name", "last_name", "email")
            },
            **{
                name: F(
                    C.TECHNICAL,
                    E.KEEP,
                    S.SYSTEM,
                    obligation="staff account (employment contract)",
                )
                for name in ("password", "last_login", "date_joined")
            },
            **dict.fromkeys(
                (
                    "is_superuser",
                    "is_staff",
                    "is_active",
                    "groups",
                    "user_permissions",
                    "boutiques",
                    "language",
                ),
                NOT_PERSONAL,
            ),
        },
        codes={
            "username": "the sign-in name",
            "password": "a password hash",
        },
    ),
}

# --- Files naming clients (see core.classification.StoredFiles) -------

FILE_LOCATIONS = {
    "client_imports": StoredFiles(
        name="client import files awaiting confirmation",
        folder="PRIVATE_STORAGE_ROOT/import-uploads/ (kept at most two hours)",
        root="clienteling.import_uploads.folder",
        erasure=FileErasure.DELETE,
        erase="clienteling.import_uploads.uploads_erase",
        writers=(
            "clienteling.import_uploads.upload_store",
            "clienteling.import_uploads.store",
        ),
        found_by="the clients' names, emails and phones in the file (the "
        "file holds no client id)",
    ),
}
