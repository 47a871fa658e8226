"""Minors: the client's age and the parental consent an under-15 needs.

GDPR Art. 8 lets each state set the age of digital consent; France set it
at 15 (Loi Informatique et Libertés, art. 45). Below it, a consent to an
information-society service (the house's emails, texts, website account)
needs the consent of a person holding parental responsibility as well,
recorded here with its evidence. Outreach (consents.selectors) leaves out
a minor without one and counts them under "minor without parental
consent".

The age comes from the client's birth date (identity data, not
encrypted): `age_on` is the whole years completed on a local day. A client
with no birth date has no age, and is not treated as a minor.
"""

import hashlib
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.models import Client
from consents.models import ParentalConsent
from core.id_arrays import in_ids
from core.writes import now_or as _now
from core.writes import save_with_author as _save

# France (the house's establishment): the age of digital consent.
DIGITAL_CONSENT_AGE = 15


def age_on(birth_date: date | None, day: date) -> int | None:
    """Whole years completed on `day` (None without a birth date)."""
    if birth_date is None:
        return None
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_minor(birth_date: date | None, day: date) -> bool:
    """Under the age of digital consent on `day`."""
    age = age_on(birth_date, day)
    return age is not None and age < DIGITAL_CONSENT_AGE


def today(now: datetime | None = None) -> date:
    return timezone.localdate(_now(now))


def minors_without_parental_consent(
    client_ids: Iterable[int], *, now: datetime | None = None
) -> set[int]:
    """The clients among `client_ids` under 15 with no parental consent
    recorded (one query, whatever the number of ids)."""
    ids = list(client_ids)
    # Born after this day, 15 years ago: under 15 today.
    limit = _years_before(today(now), DIGITAL_CONSENT_AGE)
    return set(
        Client.objects.filter(pk__in=ids, birth_date__gt=limit)
        .exclude(pk__in=ParentalConsent.objects.values("client_id"))
        .values_list("pk", flat=True)
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def has_parental_consent(client: Client) -> bool:
    return ParentalConsent.objects.filter(client=client).exists()


def evidence_path(name: str) -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "parental-consents" / name


def evidence_folder() -> Path:
    return evidence_path("x").parent


def _folded(text: str) -> str:
    """A name compared without case, accents or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("-", " ").split())


def _is_the_client(parent_name: str, client: Client) -> bool:
    """The parent's name is the minor's own (first last or last first)."""
    name = _folded(parent_name)
    first, last = _folded(client.first_name), _folded(client.last_name)
    return bool(name) and name in {f"{first} {last}", f"{last} {first}"}


def parental_consent_errors(
    *,
    client: Client | None,
    parent_name: str,
    relation: str,
    given_on: date | None,
    evidence,
    evidence_required: bool = True,
    now: datetime | None = None,
) -> dict:
    """What is wrong with a parental consent, field by field (nothing
    written): the record and change services and the admin form all ask
    here, so the form shows every error at once."""
    from consents.services import scan_validate  # services import selectors

    now = _now(now)
    errors = {}
    if client is None:
        errors["client"] = _("Choose the client the parent consented for.")
    elif client.birth_date is None:
        errors["client"] = _(
            "Enter the client's birth date first: a parental consent is "
            "recorded only for a client under 15."
        )
    elif not is_minor(client.birth_date, today(now)):
        errors["client"] = _(
            "This client is %(age)s: a parental consent is needed only under 15."
        ) % {"age": age_on(client.birth_date, today(now))}
    parent_name = (parent_name or "").strip()
    if not parent_name:
        errors["parent_name"] = _("Enter the name of the parent who consented.")
    elif client is not None and _is_the_client(parent_name, client):
        errors["parent_name"] = _(
            "This is the client's own name: a minor cannot give the parent's "
            "consent. Enter the name of the parent or guardian who consented."
        )
    if relation not in ParentalConsent.Relation.values:
        errors["relation"] = _("Choose the parent's relation to the client.")
    if given_on is None:
        errors["given_on"] = _("Enter the date the parent gave their consent.")
    elif given_on > today(now):
        errors["given_on"] = _("The date of the parent's consent is in the future.")
    if evidence is None and not evidence_required:
        return errors
    if evidence is None:
        errors["evidence"] = [
            _(
                "Attach the scan of the parent's signed consent (a PDF, JPEG or PNG "
                "file): it is the evidence of the consent."
            )
        ]
        return errors
    try:
        scan_validate(evidence)
    except ValidationError as error:
        errors["evidence"] = error.message_dict.get("scan", error.messages)
    return errors


def _store_evidence(evidence) -> tuple[str, str, bytes]:
    from consents.services import scan_validate

    content_type, extension = scan_validate(evidence)
    evidence.seek(0)
    body = evidence.read()
    name = f"{secrets.token_urlsafe(24)}{extension}"
    path = evidence_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return name, content_type, body


@transaction.atomic
def parental_consent_record(
    *,
    acting_user,
    client: Client,
    parent_name: str,
    relation: str,
    given_on: date | None,
    evidence,
    now: datetime | None = None,
) -> ParentalConsent:
    """Record a parent's consent for a minor, with its evidence file.

    Refused, with nothing written, for a client who is not a minor (or has
    no birth date), without a parent's name, relation or date, a parent's
    name that is the client's own, a date in the future or an evidence
    file that is missing or not a PDF, JPEG or PNG.
    """
    now = _now(now)
    errors = parental_consent_errors(
        client=client,
        parent_name=parent_name,
        relation=relation,
        given_on=given_on,
        evidence=evidence,
        now=now,
    )
    if errors:
        raise ValidationError(errors)
    name, content_type, body = _store_evidence(evidence)
    path = evidence_path(name)
    try:
        row = ParentalConsent(
            client=client,
            parent_name=parent_name.strip(),
            relation=relation,
            given_on=given_on,
            evidence_name=name,
            evidence_content_type=content_type,
            evidence_size=len(body),
            evidence_sha256=hashlib.sha256(body).hexdigest(),
            recorded_by=acting_user,
            recorded_at=now,
        )
        _save(row, acting_user)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return row


@transaction.atomic
def parental_consent_change(
    *,
    acting_user,
    consent: ParentalConsent,
    parent_name: str,
    relation: str,
    given_on: date | None,
    evidence=None,
    now: datetime | None = None,
) -> ParentalConsent:
    """Correct a recorded parental consent (the parent's name, relation or
    date), and replace its evidence file if a new one is given: the old
    file is deleted once the change is committed (it covered the same
    consent; the row keeps the new file's digest). The same checks as a
    record; the client does not change. Nothing written on an error."""
    now = _now(now)
    errors = parental_consent_errors(
        client=consent.client,
        parent_name=parent_name,
        relation=relation,
        given_on=given_on,
        evidence=evidence,
        evidence_required=False,
        now=now,
    )
    if errors:
        raise ValidationError(errors)
    row = ParentalConsent.objects.select_for_update().get(pk=consent.pk)
    row.parent_name = parent_name.strip()
    row.relation = relation
    row.given_on = given_on
    old_name, new_path = None, None
    if evidence is not None:
        name, content_type, body = _store_evidence(evidence)
        old_name, new_path = row.evidence_name, evidence_path(name)
        row.evidence_name = name
        row.evidence_content_type = content_type
        row.evidence_size = len(body)
        row.evidence_sha256 = hashlib.sha256(body).hexdigest()
    try:
        _save(row, acting_user)
    except Exception:
        if new_path is not None:
            new_path.unlink(missing_ok=True)
        raise
    if old_name:
        transaction.on_commit(lambda: evidence_path(old_name).unlink(missing_ok=True))
    return row


def parental_evidence_erase(*, client_ids: list[int], identifiers=None) -> int:
    """Delete the evidence files of these clients' parental consents
    (erasure): they name the parent and the child."""
    deleted = 0
    # One statement, the ids as one array (core.id_arrays, decision 0089).
    if client_ids:
        names = (
            ParentalConsent.objects.filter(in_ids("client_id", client_ids))
            .exclude(evidence_name="")
            .values_list("evidence_name", flat=True)
        )
        for name in names:
            path = evidence_path(name)
            if path.is_file():
                path.unlink()
                deleted += 1
    return deleted
