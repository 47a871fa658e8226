"""The personal-data breach register (GDPR Art. 33/34): services and reads.

A breach is recorded once (breach_record), with the affected clients found
by a query and stored as ids; its risk is assessed (breach_assess: the
latest assessment decides whether the CNIL and the people are told) and
notifications are recorded (breach_notify). Nothing is ever edited: new
facts are new rows. The 72-hour clock runs from awareness; compliance is
alerted at 48 and 66 hours (breaches_alert, the beat task
privacy.breach_alerts). docs/decisions/0060.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from clienteling.models import Client
from core import data_map, downloads, jobs, roles
from core.classification import Category
from core.display import moment
from core.jobs.models import Job
from core.writes import now_or as _now
from privacy.models import (
    Breach,
    BreachAlert,
    BreachAssessment,
    BreachClient,
    BreachLetter,
    BreachNotification,
)

DEADLINE = timedelta(hours=72)  # Art. 33(1): "not later than 72 hours"
ALERT_HOURS = (48, 66)
# Affected clients are written by chunks: a breach of a whole boutique is
# tens of thousands of ids, one INSERT of 1,000 rows each.
CHUNK = 1000

# The data map's categories in staff's (and clients') words.
CATEGORY_LABELS = {
    Category.IDENTITY.value: _("identity"),
    Category.CONTACT.value: _("contact details"),
    Category.PAYMENT.value: _("payment details"),
    Category.TECHNICAL.value: _("technical data"),
    Category.PREFERENCES.value: _("preferences"),
    Category.HEALTH.value: _("health (metal allergies)"),
    Category.CEREMONY.value: _("selling ceremony (ring sizes, dates)"),
    Category.CONTACT_HISTORY.value: _("contact history"),
    Category.WEB_ACTIVITY.value: _("website activity"),
    Category.PURCHASES.value: _("purchases"),
    Category.STAFF_NOTES.value: _("staff notes"),
}
DATA_CATEGORIES = list(CATEGORY_LABELS.items())


# --- Affected clients ------------------------------------------------------------


def _with_category(queryset, category: str):
    """Clients holding data of `category` (the data map says where)."""
    if category in data_map.categories_of(Client):
        return queryset
    holders = Q(pk__in=[])
    for model, entry in data_map.client_models():
        if model is Client or not entry.client_path:
            continue
        if any(f.category.value == category for f in entry.fields.values()):
            rows = model._default_manager.filter(**{entry.client_path: OuterRef("pk")})
            holders |= Q(Exists(rows))
    return queryset.filter(holders)


def affected_clients(
    *,
    boutique_codes: list[str] = (),
    created_from: date | None = None,
    created_to: date | None = None,
    category: str = "",
    client_numbers: list[str] = (),
):
    """The clients a breach concerns: every criterion given must hold."""
    found = Client.objects.exclude(client_number__startswith="ERASED-")
    if boutique_codes:
        found = found.filter(home_boutique__code__in=boutique_codes)
    if created_from:
        found = found.filter(created_at__date__gte=created_from)
    if created_to:
        found = found.filter(created_at__date__lte=created_to)
    if category:
        found = _with_category(found, category)
    if client_numbers:
        found = found.filter(client_number__in=client_numbers)
    return found


def _query_errors(query: dict, people: list[str]) -> dict:
    errors = {}
    if "clients" in people and not any(query.values()):
        errors["boutique_codes"] = _(
            "Clients are concerned: say which ones (a boutique, dates, a data "
            "category or client numbers)."
        )
    if query.get("category") and query["category"] not in dict(DATA_CATEGORIES):
        errors["category"] = _("Unknown data category.")
    numbers = query.get("client_numbers") or []
    if numbers:
        known = set(
            Client.objects.filter(client_number__in=numbers).values_list(
                "client_number", flat=True
            )
        )
        unknown = [n for n in numbers if n not in known]
        if unknown:
            errors["client_numbers"] = _("Unknown client numbers: %(numbers)s.") % {
                "numbers": ", ".join(unknown[:10])
            }
    start, end = query.get("created_from"), query.get("created_to")
    if start and end and start > end:
        errors["created_to"] = _("The end of the range is before its start.")
    return errors


# --- Recording -------------------------------------------------------------------


def breach_check(*, occurred_at, aware_at, query: dict, now=None, **facts) -> None:
    """Why a breach cannot be recorded as given (field by field), or None."""
    at = _now(now)
    errors = {}
    if occurred_at and occurred_at > at:
        errors["occurred_at"] = _("The breach cannot have happened in the future.")
    if aware_at and aware_at > at:
        errors["aware_at"] = _("Awareness cannot be in the future.")
    if occurred_at and aware_at and aware_at < occurred_at:
        errors["aware_at"] = _(
            "The house cannot have become aware (%(aware)s) before the breach "
            "happened (%(occurred)s)."
        ) % {"aware": moment(aware_at), "occurred": moment(occurred_at)}
    unknown = set(facts.get("data_categories") or []) - set(dict(DATA_CATEGORIES))
    if unknown:
        errors["data_categories"] = _("Unknown data categories: %(names)s.") % {
            "names": ", ".join(sorted(unknown))
        }
    if not facts.get("data_categories"):
        errors["data_categories"] = _("Choose at least one category of data.")
    if not facts.get("people_categories"):
        errors["people_categories"] = _("Choose at least one category of people.")
    errors.update(_query_errors(query, facts.get("people_categories") or []))
    if errors:
        raise ValidationError(errors)


def _stored_query(query: dict) -> dict:
    return {
        key: (value.isoformat() if isinstance(value, date) else value)
        for key, value in query.items()
        if value
    }


@transaction.atomic
def breach_record(
    *, acting_user, query: dict, now: datetime | None = None, **facts
) -> Breach:
    """Record a breach and the clients it affects (ids, counted).

    Refused, nothing written, when awareness is before occurrence, a date
    is in the future, no category or no client criterion is given, or a
    client number is unknown.
    """
    at = _now(now)
    breach_check(query=query, now=at, **facts)
    breach = Breach(
        recorded_by=acting_user,
        recorded_at=at,
        client_query=_stored_query(query),
        **facts,
    )
    breach.full_clean()
    breach.save()
    found = affected_clients(**query) if any(query.values()) else Client.objects.none()
    ids = list(found.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        BreachClient.objects.bulk_create(
            [
                BreachClient(breach=breach, client_id=i)
                for i in ids[start : start + CHUNK]
            ]
        )
    breach.clients_found = len(ids)
    breach.save(update_fields=["clients_found"])
    return breach


@transaction.atomic
def breach_assess(
    *,
    acting_user,
    breach: Breach,
    risk: str,
    reasoning: str,
    reasons_not_notified: str = "",
    now: datetime | None = None,
) -> BreachAssessment:
    """Assess the risk: a risk means the CNIL is told; a high risk means
    the people too, unless a reason of Art. 34(3) is given. Not notifying
    the CNIL needs its reason."""
    Risk = BreachAssessment.Risk
    reasons = reasons_not_notified.strip()
    if risk == Risk.UNLIKELY and not reasons:
        raise ValidationError(
            {
                "reasons_not_notified": _(
                    "The CNIL is not notified: say why the breach is unlikely "
                    "to result in a risk to people."
                )
            }
        )
    assessment = BreachAssessment(
        breach=breach,
        risk=risk,
        reasoning=reasoning,
        notify_authority=risk != Risk.UNLIKELY,
        notify_people=risk == Risk.HIGH and not reasons,
        reasons_not_notified=reasons,
        assessed_by=acting_user,
        assessed_at=_now(now),
    )
    assessment.full_clean()
    assessment.save()
    return assessment


def latest_assessment(breach: Breach) -> BreachAssessment | None:
    return breach.assessments.order_by("-assessed_at", "-id").first()


@transaction.atomic
def breach_notify(
    *,
    acting_user,
    breach: Breach,
    to: str,
    notified_at: datetime,
    reference: str = "",
    delay_reason: str = "",
    now: datetime | None = None,
) -> BreachNotification:
    """Record a notification made. To the CNIL after 72 hours from
    awareness, the reason for the delay is required (Art. 33(1))."""
    at = _now(now)
    errors = {}
    if notified_at > at:
        errors["notified_at"] = _("A notification cannot be recorded in advance.")
    elif notified_at < breach.aware_at:
        errors["notified_at"] = _(
            "The notification cannot be before the house became aware."
        )
    late = notified_at > breach.aware_at + DEADLINE
    if to == BreachNotification.To.AUTHORITY and late and not delay_reason.strip():
        errors["delay_reason"] = _(
            "Notified more than 72 hours after awareness (%(aware)s): give the "
            "reason for the delay."
        ) % {"aware": moment(breach.aware_at)}
    if errors:
        raise ValidationError(errors)
    notification = BreachNotification(
        breach=breach,
        to=to,
        notified_at=notified_at,
        reference=reference,
        delay_reason=delay_reason.strip(),
        recorded_by=acting_user,
        recorded_at=at,
    )
    notification.full_clean()
    notification.save()
    return notification


# --- The 72-hour clock -----------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    deadline: datetime
    state: str  # "running", "overdue", "notified", "not_required"
    hours_left: int  # negative once overdue
    notified_at: datetime | None = None
    late: bool = False

    @property
    def sentence(self) -> str:
        if self.state == "notified":
            if self.late:
                return _("The CNIL was notified on %(when)s, after the 72 hours.") % {
                    "when": moment(self.notified_at)
                }
            return _("The CNIL was notified on %(when)s, within the 72 hours.") % {
                "when": moment(self.notified_at)
            }
        if self.state == "not_required":
            return _(
                "Assessed as unlikely to result in a risk: the CNIL is not notified."
            )
        if self.state == "overdue":
            return _(
                "The 72 hours ran out on %(deadline)s, %(hours)s hours ago: "
                "notify the CNIL with the reason for the delay."
            ) % {"deadline": moment(self.deadline), "hours": -self.hours_left}
        return _("%(hours)s hours left to notify the CNIL (by %(deadline)s).") % {
            "hours": self.hours_left,
            "deadline": moment(self.deadline),
        }


def breach_clock(breach: Breach, *, now: datetime | None = None) -> Clock:
    at = _now(now)
    deadline = breach.aware_at + DEADLINE
    left = int((deadline - at).total_seconds() // 3600)
    told = (
        breach.notifications.filter(to=BreachNotification.To.AUTHORITY)
        .order_by("notified_at")
        .first()
    )
    if told is not None:
        return Clock(
            deadline, "notified", left, told.notified_at, told.notified_at > deadline
        )
    assessment = latest_assessment(breach)
    if assessment is not None and not assessment.notify_authority:
        return Clock(deadline, "not_required", left)
    return Clock(deadline, "overdue" if at > deadline else "running", left)


def _clock_open(now: datetime):
    """Breaches whose CNIL notification is neither made nor ruled out."""
    told = BreachNotification.objects.filter(
        breach=OuterRef("pk"), to=BreachNotification.To.AUTHORITY
    )
    latest = BreachAssessment.objects.filter(breach=OuterRef("pk")).order_by(
        "-assessed_at", "-id"
    )
    return (
        Breach.objects.filter(aware_at__lte=now - timedelta(hours=min(ALERT_HOURS)))
        .exclude(Exists(told))
        .annotate(ruled_out=Exists(latest.filter(notify_authority=False)[:1]))
    )


def _compliance_emails() -> list[str]:
    return list(
        get_user_model()
        .objects.filter(groups__name=roles.COMPLIANCE, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


@transaction.atomic
def breaches_alert(*, now: datetime | None = None) -> list[tuple[int, int]]:
    """Alert compliance at 48 and 66 hours from awareness, once each, for
    every breach not yet notified to the CNIL nor assessed as not to be.
    A run that missed a threshold (beat down) sends it late, once."""
    at = _now(now)
    sent = []
    for breach in _clock_open(at):
        latest = latest_assessment(breach)
        if latest is not None and not latest.notify_authority:
            continue
        for hours in ALERT_HOURS:
            if at < breach.aware_at + timedelta(hours=hours):
                continue
            _alert, created = BreachAlert.objects.get_or_create(
                breach=breach, hours=hours, defaults={"sent_at": at}
            )
            if created:
                sent.append((breach.pk, hours))
                _mail_alert(breach, hours, at)
    return sent


def _mail_alert(breach: Breach, hours: int, at: datetime) -> None:
    clock = breach_clock(breach, now=at)
    recipients = _compliance_emails()
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            _("Breach #%(pk)s: %(hours)s hours since awareness")
            % {"pk": breach.pk, "hours": hours},
            str(clock.sentence),
            None,
            recipients,
            fail_silently=True,
        )


# --- Generated texts -------------------------------------------------------------


def _context(breach: Breach) -> dict:
    return {
        "breach": breach,
        "assessment": latest_assessment(breach),
        "clock": breach_clock(breach),
        "categories": [str(CATEGORY_LABELS.get(c, c)) for c in breach.data_categories],
        "people": [
            str(dict(Breach.PEOPLE).get(p, p)) for p in breach.people_categories
        ],
        "controller": settings.PRIVACY_CONTROLLER,
        "dpo": settings.PRIVACY_DPO,
    }


# French typography: a no-break space before a colon, a narrow one before
# ; ! ? and inside « »; a colon in a time or a URL (no space after it) is
# left alone.
_BEFORE_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]?:(?=\s|$)", re.MULTILINE)
_BEFORE_HIGH = re.compile(r"(?<=\S)[ \u00a0\u202f]?([;!?])(?=\s|$)", re.MULTILINE)


def french_typography(text: str) -> str:
    text = _BEFORE_COLON.sub("\u00a0:", text)
    text = _BEFORE_HIGH.sub("\u202f\\1", text)
    text = re.sub(r"«[ \u00a0\u202f]?", "«\u202f", text)
    return re.sub(r"[ \u00a0\u202f]?»", "\u202f»", text)


def cnil_notification_text(breach: Breach) -> str:
    """The answers of the CNIL's notification form, in French (the CNIL's
    language, with its typography), from the register: nothing about any
    one person."""
    with translation.override("fr"):
        return french_typography(
            render_to_string("privacy/breaches/cnil.txt", _context(breach))
        )


@dataclass(frozen=True)
class Letter:
    language: str
    language_name: str
    clients: int
    text: str


def people_letters(breach: Breach) -> list[Letter]:
    """One letter per language the affected clients read (Art. 34(2)):
    the same words for everyone of that language, addressed at sending."""
    ids = BreachClient.objects.filter(breach=breach).values("client_id")
    languages = Counter(
        Client.objects.filter(pk__in=ids).values_list("preferred_language", flat=True)
    )
    names = dict(settings.LANGUAGES)
    letters = []
    for language, count in sorted(languages.items()):
        with translation.override(language):
            text = render_to_string("privacy/breaches/letter.txt", _context(breach))
        if language.startswith("fr"):
            text = french_typography(text)
        letters.append(
            Letter(language, str(names.get(language, language)), count, text)
        )
    return letters


BREACH_LETTER_PDF = downloads.register(
    downloads.Download(
        key="breach-letter-pdf",
        label=_("Letter to the people affected by a breach (PDF)"),
        sites=(
            "privacy.breaches.breach_letter_pdf",
            "privacy.breaches.breach_letters_job",
            "privacy.admin.breaches.BreachAdmin.letter_pdf_view",
        ),
        spreadsheet=False,
        not_spreadsheet_because=(
            "a PDF letter, the same words for everyone of one language"
        ),
    )
)


def breach_letter_pdf(breach: Breach, letter: Letter) -> bytes:
    """The letter as a PDF in its language, with the house's letterhead."""
    from weasyprint import HTML

    with translation.override(letter.language):
        subject = str(_("A personal-data incident that concerns you"))
    html = render_to_string(
        "privacy/breaches/letter.html",
        {
            "language": letter.language,
            "subject": subject,
            "house": settings.HOUSE_NAME,
            "primary": settings.HOUSE_PRIMARY_COLOUR,
            "accent": settings.HOUSE_ACCENT_COLOUR,
            "address": settings.PRIVACY_POSTAL_ADDRESS,
            "paragraphs": [
                p.split("\n") for p in letter.text.split("\n\n") if p.strip()
            ],
        },
    )
    return HTML(string=html).write_pdf()


@dataclass(frozen=True)
class LettersSent:
    emailed: int
    to_post: int
    notification: BreachNotification
    failed: int = 0


# Emails per connection: one SMTP session for a few hundred messages, so a
# breach of thousands of clients does not open thousands of sessions.
_EMAIL_CHUNK = 500


# The job kind (privacy/jobs.py); never renamed: stored on job rows.
LETTERS_KIND = "privacy.breach_letters"


class LettersFailed(Exception):
    """Some letters could not be emailed: the job's next attempt tries
    them again (the sent ones are not sent twice)."""


def _letters_refusal(breach: Breach) -> None:
    assessment = latest_assessment(breach)
    if assessment is None or not assessment.notify_people:
        raise ValidationError(
            _(
                "The latest assessment does not call for telling the people "
                "affected: assess the breach first. Nothing was sent."
            )
        )
    told = breach.notifications.filter(to=BreachNotification.To.PEOPLE).first()
    if told is not None:
        raise ValidationError(
            _("The people were already told on %(when)s. Nothing was sent.")
            % {"when": moment(told.notified_at)}
        )


def breach_letters_start(
    *, acting_user, breach: Breach, now: datetime | None = None
) -> Job:
    """Queue the job that emails each affected client the letter in their
    language, its PDF attached (Art. 34; decision 0097). Refused, nothing
    queued, when the latest assessment does not call for telling the
    people, when they were already told, or while a job is sending."""
    _letters_refusal(breach)
    try:
        with transaction.atomic():
            return jobs.enqueue(
                kind=LETTERS_KIND,
                label=str(_("Letters for breach #%(pk)s") % {"pk": breach.pk}),
                acting_user=acting_user,
                params={"breach": breach.pk},
                dedupe_key=f"breach-letters:{breach.pk}",
                now=now,
            )
    except jobs.AlreadyQueued:
        raise ValidationError(
            _(
                "The letters of this breach are already being emailed: follow "
                "the job on the jobs page."
            )
        ) from None


def _letter_messages(breach: Breach, client_ids: list[int], addresses, languages):
    from django.core.mail import EmailMessage

    letters = {letter.language: letter for letter in people_letters(breach)}
    pdfs = {}
    for client_id in client_ids:
        language = languages[client_id]
        letter = letters[language]
        if language not in pdfs:
            pdfs[language] = breach_letter_pdf(breach, letter)
        with translation.override(language):
            subject = str(_("A personal-data incident that concerns you"))
        message = EmailMessage(subject, letter.text, None, [addresses[client_id]])
        message.attach("letter.pdf", pdfs[language], "application/pdf")
        yield client_id, message


def _letters_chunk(job, ctx, breach, *, connection, chunk, addresses, languages):
    """Email one chunk over one SMTP session; record each letter's outcome."""
    outcomes = {}
    connection.open()
    try:
        for client_id, message in _letter_messages(breach, chunk, addresses, languages):
            try:
                connection.send_messages([message])
            except Exception as exc:  # noqa: BLE001 - recorded per letter
                # Only the exception's kind: its text may quote the address.
                outcomes[client_id] = (BreachLetter.Outcome.FAILED, exc)
            else:
                outcomes[client_id] = (BreachLetter.Outcome.SENT, None)
    finally:
        connection.close()
    at = timezone.now()
    with ctx.fenced():
        for client_id, (outcome, exc) in outcomes.items():
            row, _made = BreachLetter.objects.get_or_create(
                breach=breach,
                client_id=client_id,
                defaults={"job": job, "outcome": outcome},
            )
            row.job = job
            row.outcome = outcome
            row.attempts += 1
            row.sent_at = at if exc is None else None
            row.detail = "" if exc is None else type(exc).__name__[:300]
            row.save()


def breach_letters_job(job: Job, ctx) -> dict:
    """One run of the letters job: email every affected client with an
    address whose letter is not yet sent, one SMTP session per chunk; each
    letter's outcome is recorded (BreachLetter, ids only) chunk by chunk,
    fenced by the job's lease. Failed letters make the attempt fail, so
    the job rules try them again; on the last attempt the sending is
    recorded as the notification to the people with the failures counted."""
    from django.core.mail import get_connection

    from clienteling.models import ClientEmail

    breach = Breach.objects.filter(pk=job.params["breach"]).first()
    if breach is None:
        raise jobs.JobRefused(_("The breach these letters were for no longer exists."))
    try:
        _letters_refusal(breach)
    except ValidationError as exc:
        raise jobs.JobRefused(" ".join(exc.messages)) from None
    ids = BreachClient.objects.filter(breach=breach).values("client_id")
    languages = dict(
        Client.objects.filter(pk__in=ids).values_list("pk", "preferred_language")
    )
    addresses = dict(
        ClientEmail.objects.filter(
            client_id__in=list(languages), is_primary=True
        ).values_list("client_id", "address")
    )
    letters = BreachLetter.objects.filter(breach=breach)
    sent = set(
        letters.filter(outcome=BreachLetter.Outcome.SENT).values_list(
            "client_id", flat=True
        )
    )
    todo = sorted(pk for pk in addresses if pk not in sent)
    total = len(addresses)
    ctx.progress(len(sent), total, "Emailing the letters", force=True)
    connection = get_connection()
    for start in range(0, len(todo), _EMAIL_CHUNK):
        chunk = todo[start : start + _EMAIL_CHUNK]
        _letters_chunk(
            job,
            ctx,
            breach,
            connection=connection,
            chunk=chunk,
            addresses=addresses,
            languages=languages,
        )
        ctx.progress(
            len(sent) + start + len(chunk),
            total,
            f"Emailing the letters: {len(sent) + start + len(chunk)} of {total}",
        )
    failed = letters.filter(outcome=BreachLetter.Outcome.FAILED).count()
    if failed and job.attempts < job.max_attempts:
        raise LettersFailed(
            f"{failed} letter(s) could not be emailed; they are tried again "
            f"(attempt {job.attempts} of {job.max_attempts})."
        )
    emailed = letters.filter(outcome=BreachLetter.Outcome.SENT).count()
    to_post = len(languages) - len(addresses)
    if failed:
        reference = _(
            "%(emailed)s emailed with the letter, %(failed)s failed after "
            "every attempt, %(post)s to post"
        ) % {"emailed": emailed, "failed": failed, "post": to_post}
    else:
        reference = _("%(emailed)s emailed with the letter, %(post)s to post") % {
            "emailed": emailed,
            "post": to_post,
        }
    with ctx.fenced():
        notification = breach_notify(
            acting_user=job.owner,
            breach=breach,
            to=BreachNotification.To.PEOPLE,
            notified_at=timezone.now(),
            reference=str(reference),
        )
    return {
        "breach": breach.pk,
        "emailed": emailed,
        "failed": failed,
        "to_post": to_post,
        "notification": notification.pk,
    }


def letter_counts(breach: Breach) -> dict:
    """Letters emailed and failed so far (the breach's page)."""
    return breach.letters.aggregate(
        sent=Count("id", filter=Q(outcome=BreachLetter.Outcome.SENT)),
        failed=Count("id", filter=Q(outcome=BreachLetter.Outcome.FAILED)),
    )


def breach_letters_send(
    *, acting_user, breach: Breach, now: datetime | None = None
) -> LettersSent:
    """Start the letters job and run it here, now (demo, tests); the
    breach's page only starts it. Refused as breach_letters_start."""
    job = breach_letters_start(acting_user=acting_user, breach=breach, now=now)
    jobs.run(job.pk)
    job.refresh_from_db()
    if job.status != Job.Status.DONE:
        raise ValidationError(job.error or _("The letters job did not finish."))
    result = job.result
    return LettersSent(
        result["emailed"],
        result["to_post"],
        BreachNotification.objects.get(pk=result["notification"]),
        result["failed"],
    )


def breaches_open_count(*, now: datetime | None = None) -> int:
    at = _now(now)
    return sum(
        1
        for breach in Breach.objects.filter(aware_at__gte=at - timedelta(days=30))
        if breach_clock(breach, now=at).state in ("running", "overdue")
    )


__all__ = [
    "ALERT_HOURS",
    "DEADLINE",
    "affected_clients",
    "breach_assess",
    "breach_check",
    "breach_clock",
    "breach_notify",
    "breach_letter_pdf",
    "breach_letters_job",
    "breach_letters_send",
    "breach_letters_start",
    "letter_counts",
    "breach_record",
    "breaches_alert",
    "cnil_notification_text",
    "people_letters",
]
