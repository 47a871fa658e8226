"""Writes and business rules of consents.

Every decision goes through consent_record (and its wrappers), which
validates the purpose and the transition, writes one ledger row and applies
the decision's side effects (allergy erasure, suppression list) in the same
transaction.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

from clienteling import services as clienteling_services
from clienteling.models import (
    Boutique,
    Client,
    ClientAddress,
    ClientEmail,
    ClientPhone,
    MetalAllergy,
)
from clienteling.phones import normalise_phone
from consents import registry, suppression
from consents.models import (
    Channel,
    ConsentConversation,
    ConsentDecision,
    FormTemplate,
    FormTemplateVersion,
    PaperFormSubmission,
    Purpose,
    PurposeWording,
    Restriction,
    SoftOptIn,
    SuppressionEntry,
    SuppressionEvent,
)
from consents.selectors import current_decisions
from core import hooks
from core.classification import sees_health_data
from core.id_arrays import in_ids
from core.writes import now_or as _now
from core.writes import save_with_author as _save

Decision = ConsentDecision.Decision

# The privacy notice's own sentence, shown when compulsory fields are missing.
MANDATORY_FIELDS_SENTENCE = _(
    "If you do not complete these compulsory fields, {house} will not be able "
    "to answer your requests and/or provide you with the requested services."
)


def purpose_get(code: str) -> Purpose:
    """The active purpose with this code, or a ValidationError naming it."""
    try:
        return Purpose.objects.get(code=code, is_active=True)
    except Purpose.DoesNotExist:
        raise ValidationError(
            {
                "purpose": (
                    _("Unknown purpose %(code)s: no such purpose in the registry.")
                    % {"code": repr(code)}
                )
            }
        ) from None


# --- The ledger ------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    acting_user,
    client: Client,
    purpose_code: str,
    decision: str,
    channel: str,
    wording: PurposeWording | None = None,
    submission: PaperFormSubmission | None = None,
    conversation: ConsentConversation | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    now: datetime | None = None,
) -> ConsentDecision:
    """Append one decision to the ledger, after checking it makes sense.

    A grant needs a consent-based purpose and the wording shown; an
    objection needs a purpose the client can object to; a withdrawal needs a
    current grant. A special-category purpose (allergy-aware service) is
    refused to staff without health access (PermissionDenied), whatever the
    ledger holds. Withdrawing allergy-aware service erases the allergies
    and their history; objecting to direct marketing suppresses the
    client's email and phone numbers; a grant of a direct-marketing
    purpose with explicit evidence (a signed form, a phone call or email,
    a website decision) lifts their suppression entries (decision 0073).
    """
    purpose = purpose_get(purpose_code)
    if purpose.special_category and not sees_health_data(acting_user):
        # Whether the client gave, withdrew or never gave this consent is
        # health data (Art. 9): refused before the ledger is read, so the
        # answer is the same whatever it holds.
        raise PermissionDenied(
            _(
                "Only staff with access to health data may record decisions on "
                "“%(purpose)s”."
            )
            % {"purpose": purpose}
        )
    if decision not in Decision.values:
        raise ValidationError(
            {
                "decision": (
                    _("Unknown decision %(decision)s.") % {"decision": repr(decision)}
                )
            }
        )
    if channel not in Channel.values:
        raise ValidationError(
            {
                "channel": (
                    _("Unknown channel %(channel)s.") % {"channel": repr(channel)}
                )
            }
        )
    # Lock the client row so two decisions about one client serialise and
    # "latest wins" stays well defined.
    Client.objects.select_for_update().filter(pk=client.pk).exists()
    latest = current_decisions(client_ids=[client.pk], purpose_ids=[purpose.pk])
    current = latest.get((client.pk, purpose.pk))
    current_state = current.decision if current else None

    if decision == Decision.GRANT:
        if not purpose.needs_consent:
            raise ValidationError(
                {
                    "purpose": (
                        _(
                            "“%(purpose)s” is based on %(legal_basis)s, not "
                            "consent: there is no "
                            "consent to record."
                        )
                        % {
                            "purpose": purpose,
                            "legal_basis": purpose.get_legal_basis_display().lower(),
                        }
                    )
                }
            )
        if wording is None or wording.purpose_id != purpose.pk:
            raise ValidationError(
                {
                    "wording": (
                        _("A consent to “%(purpose)s” names the wording shown.")
                        % {"purpose": purpose}
                    )
                }
            )
    elif decision == Decision.WITHDRAW:
        if current_state != Decision.GRANT:
            raise ValidationError(
                {
                    "purpose": (
                        _(
                            "“%(purpose)s” is not currently granted by "
                            "this client: there is "
                            "nothing to withdraw."
                        )
                        % {"purpose": purpose}
                    )
                }
            )
    elif not purpose.can_object:
        raise ValidationError(
            {
                "purpose": (
                    _("“%(purpose)s” is not a purpose the client can object to.")
                    % {"purpose": purpose}
                )
            }
        )

    row = ConsentDecision(
        client=client,
        purpose=purpose,
        decision=decision,
        channel=channel,
        wording=wording if decision == Decision.GRANT else None,
        # A withdrawal keyed in from a form is in the form's language too.
        language=wording.language if wording is not None else "",
        submission=submission,
        conversation=conversation,
        recorded_by=acting_user,
        decided_at=_now(now),
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:500],
    )
    _save(row, acting_user)
    _after_decision(row, acting_user)
    return row


def _after_decision(row: ConsentDecision, acting_user) -> None:
    """What a recorded decision sets off: a withdrawn allergy-aware service
    erases the allergies; an objection to direct marketing suppresses the
    client's addresses, an explicit grant lifts them (decision 0073); any
    end of consent notifies the recipients (Art. 19, decision 0079)."""
    client, purpose, decision = row.client, row.purpose, row.decision
    if decision != Decision.GRANT and purpose.code == registry.ALLERGY_AWARE_SERVICE:
        _erase_allergies(client)
    if decision == Decision.OBJECT and purpose.direct_marketing:
        suppression_add_client(
            client=client,
            reason=f"objection: {purpose.code}",
            acting_user=acting_user,
        )
    if decision == Decision.GRANT and purpose.direct_marketing:
        suppression_lift_for(decision=row, acting_user=acting_user)
    if decision != Decision.GRANT:
        hooks.consent_ended(
            acting_user=acting_user,
            client=client,
            purpose_code=purpose.code,
            decision=decision,
            reference=f"consent#{row.pk}",
        )


# Channels whose grant carries explicit evidence of its own: the website
# keeps the IP address and the wording; the others need their evidence row.
_EVIDENCE_OF_ITS_OWN = frozenset({Channel.WEBSITE})


def has_explicit_evidence(row: ConsentDecision) -> bool:
    """Whether a grant carries evidence that the client asked for it: a
    signed form (paper or tablet), a phone call or email on file, or a
    website decision. Soft opt-in is never a grant, so never this."""
    return (
        row.decision == Decision.GRANT
        and row.wording_id is not None
        and (
            row.submission_id is not None
            or row.conversation_id is not None
            or row.channel in _EVIDENCE_OF_ITS_OWN
        )
    )


def _client_digests(client: Client) -> list[tuple[str, str]]:
    """(kind, digest) of every email and phone number of the client."""
    entries = []
    for address in ClientEmail.objects.filter(client=client).values_list(
        "address", flat=True
    ):
        digest = suppression.email_digest(address)
        if digest:
            entries.append((SuppressionEntry.Kind.EMAIL, digest))
    for number in ClientPhone.objects.filter(client=client).values_list(
        "number", flat=True
    ):
        digest = suppression.phone_digest(str(number))
        if digest:
            entries.append((SuppressionEntry.Kind.PHONE, digest))
    return entries


def suppression_lift_for(*, decision: ConsentDecision, acting_user) -> int:
    """Lift the suppression entries of the client's emails and phones
    that a new explicit consent overrides; how many were lifted.

    Only a grant with explicit evidence lifts, and only entries added
    before it was given (a form keyed in late does not lift a later
    objection or bounce). Each lift is a SuppressionEvent naming the
    consent row and who recorded it: never silent.
    """
    if not has_explicit_evidence(decision):
        return 0
    digests = _client_digests(decision.client)
    if not digests:
        return 0
    entries = list(
        SuppressionEntry.objects.select_for_update().filter(
            digest__in=[digest for _, digest in digests],
            lifted_at__isnull=True,
            added_at__lte=decision.decided_at,
        )
    )
    entries = [e for e in entries if (e.kind, e.digest) in set(digests)]
    if not entries:
        return 0
    at = timezone.now()
    SuppressionEntry.objects.filter(pk__in=[e.pk for e in entries]).update(lifted_at=at)
    SuppressionEvent.objects.bulk_create(
        SuppressionEvent(
            entry=entry,
            action=SuppressionEvent.Action.LIFTED,
            at=at,
            by=acting_user,
            reason=(
                f"consent: {decision.purpose.code} ({decision.get_channel_display()})"
            )[:100],
            decision=decision,
        )
        for entry in entries
    )
    return len(entries)


def consent_withdraw(
    *, acting_user, client: Client, purpose_code: str, channel: str, **kwargs
) -> ConsentDecision:
    return consent_record(
        acting_user=acting_user,
        client=client,
        purpose_code=purpose_code,
        decision=Decision.WITHDRAW,
        channel=channel,
        **kwargs,
    )


def _erase_allergies(client: Client) -> None:
    """Delete the client's allergies and every history row of them, and
    the health data other apps hold about the client (core.hooks).

    MetalAllergy keeps cascade_delete_history, so deleting the rows removes
    their history; the second delete catches history rows of allergies
    deleted earlier without it.
    """
    MetalAllergy.objects.filter(client=client).delete()
    MetalAllergy.history.filter(client_id=client.pk).delete()
    # Other apps' health data (orders: allergy confirmations on orders).
    hooks.erase_health_data(client)


def allergy_gate(client: Client) -> None:
    """Installed as clienteling's allergy gate (ConsentsConfig.ready)."""
    if client.pk is None or not _granted(client, registry.ALLERGY_AWARE_SERVICE):
        raise ValidationError(
            _(
                "An allergy can be recorded only with the client's current explicit "
                "consent to allergy-aware service (GDPR Art. 9(2)(a))."
            )
        )


def _granted(client: Client, code: str) -> bool:
    purpose = Purpose.objects.filter(code=code).first()
    if purpose is None:
        return False
    latest = current_decisions(client_ids=[client.pk], purpose_ids=[purpose.pk])
    decision = latest.get((client.pk, purpose.pk))
    return bool(decision and decision.decision == Decision.GRANT)


# --- Suppression, soft opt-in, restriction ---------------------------------------


@transaction.atomic
def suppression_add_client(
    *,
    client: Client,
    reason: str,
    acting_user=None,
    now: datetime | None = None,
) -> int:
    """Put every email and phone number of the client on the list."""
    return suppression_add(
        entries=_client_digests(client),
        reason=reason,
        acting_user=acting_user,
        now=now,
    )


@transaction.atomic
def suppression_add(
    *,
    entries: list[tuple[str, str]],
    reason: str,
    acting_user=None,
    bounce_import=None,
    now: datetime | None = None,
) -> int:
    """Suppress these (kind, digest) pairs; how many were not suppressed.

    A new pair is inserted; a lifted one is suppressed again (its lift
    cleared, its reason and date renewed); one already in force is left
    as it is. Each addition writes a SuppressionEvent.
    """
    at = _now(now)
    wanted = set(entries)
    if not wanted:
        return 0
    existing = {
        (e.kind, e.digest): e
        for e in SuppressionEntry.objects.select_for_update().filter(
            digest__in=[digest for _, digest in wanted]
        )
    }
    new = [pair for pair in wanted if pair not in existing]
    SuppressionEntry.objects.bulk_create(
        [
            SuppressionEntry(kind=kind, digest=digest, added_at=at, reason=reason)
            for kind, digest in new
        ],
        ignore_conflicts=True,
    )
    again = [
        entry
        for pair, entry in existing.items()
        if pair in wanted and entry.lifted_at is not None
    ]
    SuppressionEntry.objects.filter(pk__in=[e.pk for e in again]).update(
        lifted_at=None, added_at=at, reason=reason
    )
    touched = list(new) + [(e.kind, e.digest) for e in again]
    rows = SuppressionEntry.objects.filter(
        digest__in=[digest for _, digest in touched]
    ).only("pk", "kind", "digest")
    SuppressionEvent.objects.bulk_create(
        SuppressionEvent(
            entry_id=row.pk,
            action=SuppressionEvent.Action.ADDED,
            at=at,
            by=acting_user,
            reason=reason[:100],
            bounce_import=bounce_import,
        )
        for row in rows
        if (row.kind, row.digest) in set(touched)
    )
    return len(touched)


@transaction.atomic
def soft_opt_in_record(
    *,
    acting_user,
    client: Client,
    sale_at: datetime,
    sale_reference: str,
    opt_out_offered: bool,
) -> SoftOptIn:
    """Note a sale that allows email about similar products (soft opt-in).

    Called by the orders app when a sale is completed; consents does not
    import orders. Refused unless the opt-out was offered at collection.
    """
    # One row per client: lock the client so two sales at once serialise.
    Client.objects.select_for_update().filter(pk=client.pk).exists()
    if not opt_out_offered:
        raise ValidationError(
            {
                "opt_out_offered": _(
                    "Soft opt-in needs the opt-out to have been "
                    "offered when the email address was collected."
                )
            }
        )
    row = SoftOptIn.objects.filter(client=client).first()
    if row is None:
        row = SoftOptIn(
            client=client,
            first_sale_at=sale_at,
            last_sale_at=sale_at,
            sale_reference=sale_reference,
            opt_out_offered=True,
        )
    elif sale_at > row.last_sale_at:
        row.last_sale_at = sale_at
        row.sale_reference = sale_reference
    _save(row, acting_user)
    return row


def sale_recorded(
    *, acting_user, client, at, reference, marketing_email, in_person=True
) -> None:
    """A sale (from orders, through core.hooks): the client's answer.

    "offered": the client was told they may refuse emails about similar
    products and did not: a soft opt-in (CPCE L34-5). "refused": an
    objection, at the sale, to each purpose that relies on soft opt-in,
    unless one is already current. Anything else: no answer, nothing noted.
    """
    channel = Channel.IN_PERSON if in_person else Channel.CLIENTELING_TOOL
    if marketing_email == "offered":
        if not client.emails.exists():
            return  # no address was collected: nothing to opt in
        soft_opt_in_record(
            acting_user=acting_user,
            client=client,
            sale_at=at,
            sale_reference=reference,
            opt_out_offered=True,
        )
    elif marketing_email == "refused":
        for spec in registry.PURPOSES:
            if not spec.soft_opt_in:
                continue
            purpose = purpose_get(spec.code)
            current = current_decisions(
                client_ids=[client.pk], purpose_ids=[purpose.pk]
            ).get((client.pk, purpose.pk))
            if current is None or current.decision != Decision.OBJECT:
                consent_record(
                    acting_user=acting_user,
                    client=client,
                    purpose_code=spec.code,
                    decision=Decision.OBJECT,
                    channel=channel,
                    now=at,
                )


@transaction.atomic
def restriction_start(
    *, acting_user, client: Client, reason: str, now: datetime | None = None
) -> Restriction:
    """Restrict processing (GDPR Art. 18): called by privacy's requests."""
    row = Restriction(client=client, reason=reason, started_at=_now(now))
    _save(row, acting_user)
    return row


@transaction.atomic
def restriction_lift(
    *, acting_user, restriction: Restriction, now: datetime | None = None
) -> Restriction:
    restriction.lifted_at = _now(now)
    _save(restriction, acting_user)
    return restriction


# --- Paper forms -----------------------------------------------------------------

SCAN_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


def scan_kind(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, or None."""
    for magic, content_type, extension in SCAN_SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def scan_validate(upload) -> tuple[str, str]:
    """Check a scan by size and content (never by name); raise if refused."""
    if upload is None:
        raise ValidationError({"scan": _("Attach the scan of the signed form.")})
    limit = settings.CONSENT_SCAN_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "scan": (
                    _("The scan is %(size)s KB; the limit is %(limit)s KB.")
                    % {"size": upload.size // 1024, "limit": limit // 1024}
                )
            }
        )
    upload.seek(0)
    kind = scan_kind(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise ValidationError(
            {
                "scan": _(
                    "The scan must be a PDF, JPEG or PNG file (checked by its "
                    "content, not its name)."
                )
            }
        )
    return kind


def scan_path(name: str) -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "consent-scans" / name


def scan_folder() -> Path:
    return scan_path("x").parent


def consent_scans_erase(*, client_ids: list[int], identifiers=None) -> int:
    """Delete the scans of these clients' signed forms (erasure).

    The scan shows the client's name, details and signature; the
    submission row stays as the proof of lawfulness (version, date,
    boutique, who keyed it in), decision 0201. Erasure blanks the row's
    scan_name afterwards, so a later download finds nothing.
    """
    deleted = 0
    # One statement per model, the ids as one array (core.id_arrays,
    # decision 0089); copies of consent emails sit in the same folder.
    if client_ids:
        names = list(
            PaperFormSubmission.objects.filter(
                in_ids("client_id", client_ids)
            ).values_list("scan_name", flat=True)
        ) + list(
            ConsentConversation.objects.filter(in_ids("client_id", client_ids))
            .exclude(copy_name="")
            .values_list("copy_name", flat=True)
        )
        for name in names:
            if not name or name.startswith("erased-"):
                continue
            path = scan_path(name)
            if path.is_file():
                path.unlink()
                deleted += 1
    return deleted


# A scan is written before its submission row commits; one younger than
# this may belong to a capture still in its transaction.
SCAN_ORPHAN_GRACE = timedelta(hours=1)


def scan_orphans_remove(*, now: datetime | None = None) -> dict:
    """Delete scan files that no submission names (a rolled-back capture).

    A capture writes the file, then its rows; when a transaction around it
    rolls back, or the process dies before the commit, the file stays with
    nothing pointing at it. Files older than SCAN_ORPHAN_GRACE whose name
    is in no PaperFormSubmission are removed; erased submissions name
    "erased-<id>", which no file carries.
    """
    folder = scan_path("x").parent
    if not folder.is_dir():
        return {"checked": 0, "removed": 0}
    oldest = (_now(now) - SCAN_ORPHAN_GRACE).timestamp()
    checked = removed = 0
    batch: dict[str, Path] = {}

    def flush():
        nonlocal removed
        known = set(
            PaperFormSubmission.objects.filter(scan_name__in=list(batch)).values_list(
                "scan_name", flat=True
            )
        ) | set(
            ConsentConversation.objects.filter(copy_name__in=list(batch)).values_list(
                "copy_name", flat=True
            )
        )
        for name, path in batch.items():
            if name not in known:
                path.unlink(missing_ok=True)
                removed += 1
        batch.clear()

    for path in folder.iterdir():
        try:
            if not path.is_file() or path.stat().st_mtime >= oldest:
                continue
        except OSError:
            continue
        checked += 1
        batch[path.name] = path
        if len(batch) >= 1000:
            flush()
    if batch:
        flush()
    return {"checked": checked, "removed": removed}


def missing_mandatory_fields(
    *, version: FormTemplateVersion, services: list[str], values: dict
) -> dict[str, str]:
    """{field key: message} for compulsory fields left empty."""
    missing = {}
    for form_field in version.fields.prefetch_related("mandatory_for"):
        needed_by = [p for p in form_field.mandatory_for.all() if p.code in services]
        if needed_by and not str(values.get(form_field.key) or "").strip():
            names = ", ".join(p.display_name for p in needed_by)
            missing[form_field.key] = _(
                "%(label)s is compulsory for the requested service: %(names)s."
            ) % {"label": form_field.label, "names": names}
    return missing


@dataclass
class Capture:
    client: Client
    submission: PaperFormSubmission
    decisions: list[ConsentDecision]
    client_created: bool


CLIENT_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "birth_date",
    "nationality",
    "preferred_language",
)


@transaction.atomic
def paper_form_capture(
    *,
    acting_user,
    version: FormTemplateVersion,
    services: list[str],
    values: dict,
    consents: list[str],
    signed_on: date | None,
    scan,
    boutique: Boutique,
    client: Client | None = None,
    language: str = "en",
    now: datetime | None = None,
) -> Capture:
    """Key in a signed paper form: client, ledger rows and submission.

    All or nothing: any refusal raises ValidationError before or inside
    the transaction and nothing stays written (the scan file is removed).
    For an existing client, a purpose left unticked that the client had
    granted is recorded as withdrawn, with this form as evidence.
    `language` is the language of the printed form the client signed: its
    wordings are the ones recorded (and the ledger rows say that language).
    """
    now = _now(now)
    wordings = {
        w.purpose.code: w
        for w in version.wordings.filter(language=language).select_related("purpose")
    }
    if not wordings:
        raise ValidationError(
            {
                "language": _(
                    "%(version)s has no wording in the language %(language)s: "
                    "choose the language printed on the signed form."
                )
                % {"version": version, "language": language}
            }
        )
    content_type, extension = _capture_check(
        version=version,
        services=services,
        values=values,
        consents=consents,
        wordings=wordings,
        signed_on=signed_on,
        evidence=lambda: scan_validate(scan),
        now=now,
    )
    # The form speaks as of its signature, not as of its keying in: a
    # decision recorded since (a phone withdrawal, a web grant) stands.
    signed_at = timezone.make_aware(datetime.combine(signed_on, time.min))
    return _form_record(
        acting_user=acting_user,
        version=version,
        services=services,
        values=values,
        consents=consents,
        wordings=wordings,
        evidence=scan,
        evidence_kind=(content_type, extension),
        signed_on=signed_on,
        signed_at=signed_at,
        boutique=boutique,
        client=client,
        language=language,
        channel=Channel.PAPER_FORM,
        now=now,
    )


def _form_record(
    *,
    acting_user,
    version: FormTemplateVersion,
    services: list[str],
    values: dict,
    consents: list[str],
    wordings: dict,
    evidence,
    evidence_kind: tuple[str, str],
    signed_on: date,
    signed_at: datetime,
    boutique: Boutique,
    client: Client | None,
    language: str,
    channel: str,
    now: datetime,
) -> Capture:
    """Write a checked form: client, evidence file, submission, ledger.

    Shared by the paper form (a scan) and the tablet (a drawn signature).
    Runs inside the caller's transaction; the file is removed if anything
    after it fails.
    """
    content_type, extension = evidence_kind
    client, created = _client_from_form(
        acting_user=acting_user, client=client, values=values, boutique=boutique
    )
    evidence.seek(0)
    body = evidence.read()
    name = f"{secrets.token_urlsafe(24)}{extension}"
    path = scan_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    try:
        submission = PaperFormSubmission(
            client=client,
            version=version,
            language=language,
            requested_services=sorted(services),
            fields_completed=sorted(
                k for k, v in values.items() if str(v or "").strip()
            ),
            signed_on=signed_on,
            boutique=boutique,
            scan_name=name,
            scan_content_type=content_type,
            scan_size=len(body),
            scan_sha256=hashlib.sha256(body).hexdigest(),
            recorded_by=acting_user,
            recorded_at=now,
        )
        _save(submission, acting_user)
        decisions = []
        current = (
            {}
            if created
            else current_decisions(
                client_ids=[client.pk],
                purpose_ids=[w.purpose_id for w in wordings.values()],
            )
        )
        for code, wording in wordings.items():
            state = current.get((client.pk, wording.purpose_id))
            if state is not None and state.decided_at > signed_at:
                continue
            granted = bool(state and state.decision == Decision.GRANT)
            if code in consents:
                decision = Decision.GRANT
            elif granted:
                decision = Decision.WITHDRAW
            else:
                continue
            decisions.append(
                consent_record(
                    acting_user=acting_user,
                    client=client,
                    purpose_code=code,
                    decision=decision,
                    channel=channel,
                    wording=wording,
                    submission=submission,
                    now=signed_at,
                )
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Capture(client, submission, decisions, created)


# --- Tablet capture (the clienteling-tool form, signed on screen) ---------------

# A drawn signature is a few tens of KB; anything near this is not one.
SIGNATURE_MAX_BYTES = 2 * 1024 * 1024
# Width x height a signature box can reach on a large screen at 3x pixel
# density; a larger "signature" is refused before Pillow decodes it.
SIGNATURE_MAX_PIXELS = 4_000_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def signature_validate(upload) -> tuple[str, str]:
    """Check a drawn signature: a PNG (by content), at most 2 MB, not blank.

    Returns (content type, extension) like scan_validate; raises a
    ValidationError naming the `signature` field otherwise.
    """
    if upload is None:
        raise ValidationError(
            {"signature": _("The client has not signed: ask them to sign in the box.")}
        )
    if upload.size > SIGNATURE_MAX_BYTES:
        raise ValidationError(
            {
                "signature": (
                    _("The signature is %(size)s KB; the limit is %(limit)s KB.")
                    % {
                        "size": upload.size // 1024,
                        "limit": SIGNATURE_MAX_BYTES // 1024,
                    }
                )
            }
        )
    not_an_image = ValidationError(
        {
            "signature": _(
                "The signature must be a PNG image drawn in the signature box "
                "(checked by its content, not its name)."
            )
        }
    )
    upload.seek(0)
    if upload.read(len(PNG_MAGIC)) != PNG_MAGIC:
        upload.seek(0)
        raise not_an_image
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.width * image.height > SIGNATURE_MAX_PIXELS:
                raise not_an_image
            image.load()
            drawn = _has_ink(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image from None
    finally:
        upload.seek(0)
    if not drawn:
        raise ValidationError(
            {"signature": _("The signature box is empty: ask the client to sign.")}
        )
    return "image/png", ".png"


def _has_ink(image) -> bool:
    """Whether anything was drawn: on a white sheet (transparency laid on
    white, as the pad's canvas is), some pixel differs from the others."""
    if "A" in image.getbands() or image.mode == "P":
        sheet = Image.new("RGBA", image.size, (255, 255, 255, 255))
        sheet.alpha_composite(image.convert("RGBA"))
        image = sheet
    low, high = image.convert("L").getextrema()
    return low != high


def tablet_version() -> FormTemplateVersion:
    """The latest published clienteling-tool form version."""
    version = (
        FormTemplateVersion.objects.filter(
            template__kind=FormTemplate.Kind.CLIENTELING_TOOL
        )
        .select_related("template")
        .order_by("-published_at", "-number")
        .first()
    )
    if version is None:
        raise ValidationError(_("No clienteling-tool form version is published."))
    return version


@transaction.atomic
def tablet_capture(
    *,
    acting_user,
    client: Client,
    version: FormTemplateVersion,
    services: list[str],
    values: dict,
    consents: list[str],
    signature,
    boutique: Boutique,
    language: str,
    now: datetime | None = None,
) -> Capture:
    """Record the clienteling-tool form the client signed on the tablet.

    Like paper_form_capture, all or nothing, with the drawn signature (a
    PNG, SHA-256 kept) as the evidence file in private storage and the
    submission naming the version and the language whose wordings the
    client read. The decisions are dated when the client signed (now).
    """
    now = _now(now)
    if version.template.kind != FormTemplate.Kind.CLIENTELING_TOOL:
        raise ValidationError(
            {
                "version": (
                    _("%(version)s is not a clienteling-tool form version.")
                    % {"version": version}
                )
            }
        )
    wordings = {
        w.purpose.code: w
        for w in version.wordings.filter(language=language).select_related("purpose")
    }
    if not wordings:
        raise ValidationError(
            {
                "language": (
                    _("%(version)s has no wording in the language %(language)s.")
                    % {"version": version, "language": repr(language)}
                )
            }
        )
    kind = _capture_check(
        version=version,
        services=services,
        values=values,
        consents=consents,
        wordings=wordings,
        signed_on=timezone.localdate(now),
        evidence=lambda: signature_validate(signature),
        now=now,
    )
    return _form_record(
        acting_user=acting_user,
        version=version,
        services=services,
        values=values,
        consents=consents,
        wordings=wordings,
        evidence=signature,
        evidence_kind=kind,
        signed_on=timezone.localdate(now),
        signed_at=now,
        boutique=boutique,
        client=client,
        language=language,
        channel=Channel.CLIENTELING_TOOL,
        now=now,
    )


def _capture_check(
    *, version, services, values, consents, wordings, signed_on, evidence, now
) -> tuple[str, str]:
    """Every refusal of a form at once; returns the evidence file's kind
    (`evidence()` checks the scan or the signature, raising if refused)."""
    errors: dict[str, list[str]] = {}
    if signed_on is None:
        errors.setdefault("signed_on", []).append(
            _("Enter the date the form was signed.")
        )
    elif signed_on > timezone.localdate(now):
        errors.setdefault("signed_on", []).append(
            _("The signature date cannot be in the future.")
        )
    offered = set(version.services.values_list("code", flat=True))
    for code in services:
        if code not in offered:
            errors.setdefault("services", []).append(
                f"Unknown service {code!r} for {version}."
            )
    for code in consents:
        if code not in wordings:
            errors.setdefault("consents", []).append(
                _("Unknown purpose %(code)s: %(version)s has no consent for it.")
                % {"code": repr(code), "version": version}
            )
    for key, message in missing_mandatory_fields(
        version=version, services=services, values=values
    ).items():
        errors.setdefault(key, []).append(message)
    kind = ("", "")
    try:
        kind = evidence()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return kind


def _client_from_form(
    *,
    acting_user,
    client: Client | None,
    values: dict,
    boutique: Boutique,
    source: str = Client.Source.PAPER_FORM,
) -> tuple[Client, bool]:
    fields = {k: values[k] for k in CLIENT_FIELDS if values.get(k) not in (None, "")}
    email = (values.get("email") or "").strip()
    phone = (values.get("phone") or "").strip()
    if phone and not normalise_phone(phone):
        raise ValidationError(
            {
                "phone": (
                    _("%(phone)s is not a valid phone number.") % {"phone": repr(phone)}
                )
            }
        )
    created = client is None
    if created:
        client = clienteling_services.client_create(
            acting_user=acting_user,
            home_boutique=boutique,
            source=source,
            email=email,
            phone=normalise_phone(phone) if phone else "",
            **fields,
        )
    else:
        for key, value in fields.items():
            setattr(client, key, value)
        _save(client, acting_user)
        if email and not client.emails.filter(address__iexact=email).exists():
            _save(
                ClientEmail(
                    client=client,
                    address=email,
                    is_primary=not client.emails.filter(is_primary=True).exists(),
                ),
                acting_user,
            )
        number = normalise_phone(phone) if phone else None
        if number and not client.phones.filter(number=number).exists():
            _save(
                ClientPhone(
                    client=client,
                    number=number,
                    is_primary=not client.phones.filter(is_primary=True).exists(),
                ),
                acting_user,
            )
    line1 = (values.get("address_line1") or "").strip()
    if line1 and not client.addresses.filter(line1__iexact=line1).exists():
        _save(
            ClientAddress(
                client=client,
                line1=line1,
                postal_code=(values.get("postal_code") or "").strip(),
                city=(values.get("city") or "").strip(),
                country=values.get("country") or boutique.country,
                is_primary=not client.addresses.filter(is_primary=True).exists(),
            ),
            acting_user,
        )
    return client, created


# --- Client merges -----------------------------------------------------------------


def ledger_merge(*, survivor: Client, duplicate: Client, acting_user) -> dict[str, int]:
    """Carry the duplicate's consent history over to the surviving record.

    Registered with core.hooks and run inside client_merge. Ledger
    rows are evidence and cannot be re-pointed, so each of the duplicate's
    decisions is copied onto the survivor with its original time, channel,
    wording and evidence; the latest-decision rule then gives the merged
    person's current consent. If the result leaves no current explicit
    consent for allergy-aware service, the allergy rows that moved to the
    survivor are erased, history included, as a withdrawal would.
    """
    copies = [
        ConsentDecision(
            client=survivor,
            purpose_id=row.purpose_id,
            decision=row.decision,
            channel=row.channel,
            wording_id=row.wording_id,
            language=row.language,
            submission_id=row.submission_id,
            recorded_by_id=row.recorded_by_id,
            decided_at=row.decided_at,
            ip_address=row.ip_address,
            user_agent=row.user_agent,
        )
        for row in ConsentDecision.objects.filter(client=duplicate).order_by("id")
    ]
    ConsentDecision.objects.bulk_create(copies)
    erased = 0
    if MetalAllergy.objects.filter(client=survivor).exists():
        try:
            allergy_gate(survivor)
        except ValidationError:
            erased = MetalAllergy.objects.filter(client=survivor).count()
            _erase_allergies(survivor)
    result = {ConsentDecision._meta.label: len(copies)}
    if erased:
        result["clienteling.MetalAllergy erased for want of consent"] = erased
    return result
