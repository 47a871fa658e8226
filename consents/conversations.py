"""Consent given or withdrawn by phone or email, keyed in by customer
service (decision 0072).

The evidence is a ConsentConversation row: the call id for a phone call,
a copy of the email in private storage (beside the paper-form scans, with
their orphan sweep and erasure) for an email. The ledger rows it writes
point at it and name who recorded them; a grant lifts the suppression of
the client's addresses like any explicit consent (decision 0073).
"""

import email
import email.policy
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clienteling.models import Client
from consents import services
from consents.models import (
    ConsentConversation,
    ConsentDecision,
    FormTemplateVersion,
    PurposeWording,
)
from core.writes import now_or as _now
from core.writes import save_with_author as _save

Decision = ConsentDecision.Decision
Medium = ConsentConversation.Medium

# The longest call id seen from the telephony system is 40 characters.
REFERENCE_MAX_LENGTH = 100

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Outlook .msg
PDF_MAGIC = b"%PDF-"

# extension -> content type, checked by content in _copy_kind.
COPY_KINDS = {
    ".eml": "message/rfc822",
    ".msg": "application/vnd.ms-outlook",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
}


CALL_ID_MISSING = _(
    "Enter the call id of the telephone call (from the telephony system)."
)


@dataclass
class ConversationRecord:
    conversation: ConsentConversation
    decisions: list[ConsentDecision]


def _copy_kind(upload) -> tuple[str, str]:
    """(content type, extension) of an email copy, by its name AND its
    content: a PDF starts %PDF-, an Outlook .msg is an OLE file, an .eml
    parses as a message with a From or Subject header, a .txt is text."""
    name = (getattr(upload, "name", "") or "").lower()
    extension = Path(name).suffix
    wrong = ValidationError(
        {
            "email_copy": _(
                "The copy of the email must be an .eml, .msg, .pdf or .txt "
                "file whose content matches its type."
            )
        }
    )
    if extension not in COPY_KINDS:
        raise wrong
    upload.seek(0)
    body = upload.read()
    upload.seek(0)
    if extension == ".pdf":
        ok = body.startswith(PDF_MAGIC)
    elif extension == ".msg":
        ok = body.startswith(OLE_MAGIC)
    else:
        text = _as_text(body)
        ok = text is not None and bool(text.strip())
        if ok and extension == ".eml":
            message = email.message_from_string(text, policy=email.policy.compat32)
            ok = bool(message.get("From") or message.get("Subject"))
    if not ok:
        raise wrong
    return COPY_KINDS[extension], extension


def _as_text(body: bytes) -> str | None:
    if b"\x00" in body:
        return None
    for encoding in ("utf-8", "latin-1"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None  # pragma: no cover (latin-1 decodes any byte)


def email_copy_validate(upload) -> tuple[str, str]:
    """Check the email copy: present, at most CONSENT_SCAN_MAX_BYTES (the
    scans' limit: same storage), of an accepted type by content."""
    if upload is None:
        raise ValidationError(
            {
                "email_copy": _(
                    "Attach a copy of the client's email (.eml, .msg, .pdf or .txt)."
                )
            }
        )
    limit = settings.CONSENT_SCAN_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "email_copy": (
                    _(
                        "The copy of the email is %(size)s KB; the limit is "
                        "%(limit)s KB."
                    )
                    % {"size": upload.size // 1024, "limit": limit // 1024}
                )
            }
        )
    return _copy_kind(upload)


def wording_for(
    *, version: FormTemplateVersion, purpose, language: str
) -> PurposeWording | None:
    return (
        PurposeWording.objects.filter(
            version=version, purpose=purpose, language=language
        )
        .select_related("purpose", "version__template")
        .first()
    )


def _copy_store(upload, extension: str) -> tuple[str, bytes]:
    """Write the copy under a random name in the scans' folder."""
    upload.seek(0)
    body = upload.read()
    name = f"mail-{secrets.token_urlsafe(24)}{extension}"
    path = services.scan_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return name, body


def _wordings(*, purpose_codes, decision, version, language, errors) -> dict:
    """{code: wording} of the purposes asked; refusals added to `errors`."""
    wordings: dict = {}
    for code in purpose_codes:
        try:
            purpose = services.purpose_get(code)
        except ValidationError as exc:
            errors.setdefault("purposes", []).extend(exc.message_dict["purpose"])
            continue
        if not purpose.needs_consent:
            errors.setdefault("purposes", []).append(
                _(
                    "“%(purpose)s” is based on %(legal_basis)s, not consent: "
                    "there is no consent to record by phone or email."
                )
                % {
                    "purpose": purpose,
                    "legal_basis": purpose.get_legal_basis_display().lower(),
                }
            )
            continue
        wording = wording_for(version=version, purpose=purpose, language=language)
        if decision == Decision.GRANT and wording is None:
            errors.setdefault("version", []).append(
                _(
                    "%(version)s has no wording for “%(purpose)s” in this "
                    "language: choose another version or language."
                )
                % {"version": version, "purpose": purpose}
            )
            continue
        wordings[code] = wording
    return wordings


def _check(
    *,
    channel,
    purpose_codes,
    decision,
    version,
    language,
    reference,
    email_copy,
) -> tuple[dict, tuple[str, str]]:
    """Every refusal at once; returns {code: wording or None} and the copy's
    kind. Nothing is written before this passes."""
    errors: dict[str, list] = {}
    kind = ("", "")
    if channel not in Medium.values:
        errors.setdefault("channel", []).append(
            _("Choose how the client told us: phone or email.")
        )
    if decision not in (Decision.GRANT, Decision.WITHDRAW):
        errors.setdefault("decision", []).append(
            _("Choose whether the client gave or withdrew consent.")
        )
    if not purpose_codes:
        errors.setdefault("purposes", []).append(
            _("Choose at least one purpose the client spoke about.")
        )
    if channel == Medium.PHONE and not reference.strip():
        errors.setdefault("reference", []).append(CALL_ID_MISSING)
    if len(reference) > REFERENCE_MAX_LENGTH:
        errors.setdefault("reference", []).append(
            _("The reference is at most %(limit)s characters.")
            % {"limit": REFERENCE_MAX_LENGTH}
        )
    if channel == Medium.EMAIL:
        try:
            kind = email_copy_validate(email_copy)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    wordings = _wordings(
        purpose_codes=purpose_codes,
        decision=decision,
        version=version,
        language=language,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    return wordings, kind


@transaction.atomic
def conversation_consent_record(
    *,
    acting_user,
    client: Client,
    channel: str,
    purpose_codes: list[str],
    decision: str,
    version: FormTemplateVersion,
    language: str,
    reference: str = "",
    email_copy=None,
    now: datetime | None = None,
) -> ConversationRecord:
    """Record consent given or withdrawn by phone or email.

    All or nothing: the evidence row, its email copy and one ledger row per
    purpose, or nothing (the copy file is removed if anything fails). A
    grant names the wording read or sent (the version's, in `language`);
    a withdrawal needs a current grant (consent_record says which not).
    """
    now = _now(now)
    reference = (reference or "").strip()
    wordings, (content_type, extension) = _check(
        channel=channel,
        purpose_codes=purpose_codes,
        decision=decision,
        version=version,
        language=language,
        reference=reference,
        email_copy=email_copy,
    )
    name, body = ("", b"")
    if channel == Medium.EMAIL:
        name, body = _copy_store(email_copy, extension)
    try:
        conversation = ConsentConversation(
            client=client,
            channel=channel,
            reference=reference,
            copy_name=name,
            copy_content_type=content_type,
            copy_size=len(body) if name else None,
            copy_sha256=hashlib.sha256(body).hexdigest() if name else "",
            recorded_by=acting_user,
            recorded_at=now,
        )
        _save(conversation, acting_user)
        decisions = [
            services.consent_record(
                acting_user=acting_user,
                client=client,
                purpose_code=code,
                decision=decision,
                channel=channel,
                wording=wordings[code],
                conversation=conversation,
                now=now,
            )
            for code in purpose_codes
        ]
    except BaseException:
        if name:
            services.scan_path(name).unlink(missing_ok=True)
        raise
    return ConversationRecord(conversation, decisions)


def email_copy_path(conversation: ConsentConversation) -> Path | None:
    name = conversation.copy_name
    if not name or name.startswith("erased-"):
        return None
    return services.scan_path(name)
