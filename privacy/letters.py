"""Letters to the person at each step of their request (decision 0055).

A letter is written in the person's language (French or English; any
other language gets English with a line saying so, as every client
document does: consents.documents.languages), rendered as a PDF
(WeasyPrint) and sent by email through Django's email backend with the
PDF attached; without an email address it is recorded for printing and
posting. Each letter sent is a RequestLetter row holding its text: the PDF
is rendered again from the row, so what was sent is what is shown.

The texts are documents for a person, like consents.documents: one dict
per language here, not the staff catalogue.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consents.documents.languages import DocumentLanguage, document_language
from consents.documents.render import long_date
from core.display import day
from core.writes import now_or as _now
from privacy.models import DataSubjectRequest, RequestLetter

Kind = RequestLetter.Kind
Status = DataSubjectRequest.Status

CNIL = {
    "en": (
        "You may lodge a complaint with the Commission nationale de "
        "l’informatique et des libertés (CNIL, 3 place de Fontenoy, TSA 80715, "
        "75334 Paris Cedex 07, www.cnil.fr) and seek a judicial remedy before "
        "the competent court."
    ),
    "fr": (
        "Vous pouvez introduire une réclamation auprès de la Commission "
        "nationale de l’informatique et des libertés (CNIL, 3 place de "
        "Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr) et former un "
        "recours devant la juridiction compétente."
    ),
}

TEXTS = {
    "en": {
        "greeting": "Dear {name},",
        "greeting_plain": "Dear Sir or Madam,",
        "closing": "Yours sincerely,",
        "signature": "The data protection team, {house}",
        "contact": "Write to us at {email} or {address}; our data protection "
        "officer: {dpo}.",
        "reference": "Your request of {received}",
        Kind.ACKNOWLEDGEMENT: (
            "We received your request ({kind}) on {received}",
            "We received your request on {received}. We will answer by "
            "{due} at the latest, one month after we received it.",
        ),
        Kind.IDENTITY: (
            "Your request: we need to confirm your identity",
            "To make sure we answer you and nobody else, please send us a "
            "proof of identity (a copy of an identity document, or reply from "
            "the email address you gave us when you became our client). We "
            "delete it as soon as your request is closed. The time we take to "
            "answer runs from the day we receive it.",
        ),
        Kind.EXTENSION: (
            "Your request: we need more time",
            "We must answer your request within one month. Because of its "
            "complexity and the number of requests we are handling, we extend "
            "this period, as Article 12(3) of the GDPR allows, until {due}. "
            "The reasons: {reasons}",
        ),
        Kind.REFUSAL: (
            "Your request: our answer",
            "We cannot act on your request, for the following reasons: {reasons}",
        ),
        Kind.COMPLETION: (
            "Your request is complete",
            "We have done what you asked ({kind}). {outcome}",
        ),
        Kind.NOTHING_HELD: (
            "Your request: we hold no data about you",
            "We searched our records by the name and the contact details you "
            "gave us. We hold no personal data about you.",
        ),
        "report_ready": "Your report is ready; we send it to you separately, "
        "in a protected way.",
    },
    "fr": {
        "greeting": "Bonjour {name},",
        "greeting_plain": "Madame, Monsieur,",
        "closing": "Nous vous prions d’agréer nos salutations distinguées.",
        "signature": "Le service de la protection des données, {house}",
        "contact": "Écrivez-nous à {email} ou par courrier : {address} ; notre "
        "délégué à la protection des données : {dpo}.",
        "reference": "Votre demande du {received}",
        Kind.ACKNOWLEDGEMENT: (
            "Nous avons reçu votre demande ({kind}) le {received}",
            "Nous avons reçu votre demande le {received}. Nous vous répondrons "
            "au plus tard le {due}, un mois après sa réception.",
        ),
        Kind.IDENTITY: (
            "Votre demande : nous devons confirmer votre identité",
            "Pour être certains de répondre à vous et à personne d’autre, "
            "merci de nous adresser un justificatif d’identité (la copie d’une "
            "pièce d’identité, ou une réponse depuis l’adresse e-mail que vous "
            "nous avez donnée en devenant client). Nous le supprimons dès la "
            "clôture de votre demande. Notre délai de réponse court à compter "
            "de sa réception.",
        ),
        Kind.EXTENSION: (
            "Votre demande : nous avons besoin de plus de temps",
            "Nous devons répondre à votre demande dans un délai d’un mois. En "
            "raison de sa complexité et du nombre de demandes que nous "
            "traitons, nous prolongeons ce délai, comme le permet l’article "
            "12, paragraphe 3, du RGPD, jusqu’au {due}. Les raisons : {reasons}",
        ),
        Kind.REFUSAL: (
            "Votre demande : notre réponse",
            "Nous ne pouvons pas donner suite à votre demande, pour les raisons "
            "suivantes : {reasons}",
        ),
        Kind.COMPLETION: (
            "Votre demande est traitée",
            "Nous avons fait ce que vous nous avez demandé ({kind}). {outcome}",
        ),
        Kind.NOTHING_HELD: (
            "Votre demande : nous ne détenons aucune donnée vous concernant",
            "Nous avons cherché dans nos fichiers à partir du nom et des "
            "coordonnées que vous nous avez indiqués. Nous ne détenons aucune "
            "donnée personnelle vous concernant.",
        ),
        "report_ready": "Votre rapport est prêt ; nous vous l’adressons "
        "séparément, de façon protégée.",
    },
}

KIND_NAMES = {
    "en": {
        "access": "access to your data",
        "rectification": "rectification",
        "erasure": "erasure",
        "restriction": "restriction of processing",
        "objection": "objection",
        "portability": "portability",
        "consent_withdrawal": "withdrawal of a consent",
    },
    "fr": {
        "access": "accès à vos données",
        "rectification": "rectification",
        "erasure": "effacement",
        "restriction": "limitation du traitement",
        "objection": "opposition",
        "portability": "portabilité",
        "consent_withdrawal": "retrait d’un consentement",
    },
}


def language_of(request: DataSubjectRequest) -> DocumentLanguage:
    """The person's language: the one recorded with the request, else the
    linked client's preferred language, else English."""
    wanted = request.language or (
        request.client.preferred_language if request.client_id else ""
    )
    return document_language(wanted or "en")


def recipient_of(request: DataSubjectRequest) -> str:
    """The email address to write to: the one the person gave, else the
    linked client's primary one; empty when the letter goes by post."""
    if request.person_email:
        return request.person_email
    if request.client_id:
        email = (
            request.client.emails.order_by("-is_primary", "pk")
            .values_list("address", flat=True)
            .first()
        )
        return email or ""
    return ""


def _name(request: DataSubjectRequest) -> str:
    if request.person_name:
        return request.person_name
    if request.client_id:
        return f"{request.client.first_name} {request.client.last_name}".strip()
    return ""


def letter_check(request: DataSubjectRequest, kind: str, *, today) -> None:
    """Why this letter cannot be sent now, as a ValidationError."""
    if kind in (Kind.ACKNOWLEDGEMENT, Kind.IDENTITY) and not request.is_open:
        raise ValidationError(_("This request is closed: it needs no such letter."))
    if kind == Kind.IDENTITY and request.identity_verified_at is not None:
        raise ValidationError(
            _("The identity was already checked: no proof needs asking for.")
        )
    if kind == Kind.EXTENSION:
        if request.extended_due_on is None:
            raise ValidationError(
                _(
                    "Record the extension and its reasons on the request first "
                    "(“Extend deadline”)."
                )
            )
        if today > request.due_on:
            raise ValidationError(
                _(
                    "The first month ended on %(due)s: Article 12(3) requires "
                    "the person to be told of an extension within it."
                )
                % {"due": day(request.due_on)}
            )
    if kind == Kind.REFUSAL and request.status != Status.REFUSED:
        raise ValidationError(
            _("Refuse the request with its reasons first (“Close”, refused).")
        )
    if kind == Kind.COMPLETION:
        if request.nothing_held_at is not None:
            raise ValidationError(
                _("This request was answered that we hold nothing: send that letter.")
            )
        if request.status != Status.COMPLETED:
            if request.kind in ("access", "portability"):
                raise ValidationError(
                    _(
                        "The report does not exist yet: build it and complete "
                        "the request before the completion letter."
                    )
                )
            if request.kind == "erasure":
                raise ValidationError(
                    _(
                        "The erasure is not done yet: carry it out and complete "
                        "the request before the completion letter."
                    )
                )
            raise ValidationError(
                _("Complete the request before the completion letter.")
            )
    if kind == Kind.NOTHING_HELD and request.nothing_held_at is None:
        raise ValidationError(_("Answer that we hold nothing on the request first."))


def _compose(request: DataSubjectRequest, kind: str, language: DocumentLanguage):
    code = language.code
    words = TEXTS[code]
    received = long_date(request.received_on, code, settings.TIME_ZONE)
    due = long_date(request.effective_due_on, code, settings.TIME_ZONE)
    title, body = words[kind]
    values = {
        "kind": KIND_NAMES[code].get(request.kind, request.kind),
        "received": received,
        "due": due,
        "reasons": (
            request.extension_reason if kind == Kind.EXTENSION else request.outcome
        ),
        "outcome": request.outcome,
    }
    paragraphs = [body.format(**values)]
    if kind == Kind.COMPLETION and request.kind in ("access", "portability"):
        paragraphs.append(words["report_ready"])
    if kind in (Kind.REFUSAL, Kind.EXTENSION, Kind.NOTHING_HELD, Kind.COMPLETION):
        paragraphs.append(CNIL[code])
    paragraphs.append(
        words["contact"].format(
            email=settings.PRIVACY_CONTROLLER["email"],
            address=settings.PRIVACY_POSTAL_ADDRESS,
            dpo=settings.PRIVACY_DPO["email"],
        )
    )
    name = _name(request)
    greeting = words["greeting"].format(name=name) if name else words["greeting_plain"]
    lines = [greeting, "", *[p for para in paragraphs for p in (para, "")]]
    lines += [
        words["closing"],
        words["signature"].format(house=settings.HOUSE_NAME),
    ]
    if language.is_fallback:
        lines = [line.text for line in language.fallback] + [""] + lines
    subject = f"{title.format(**values)} · {settings.HOUSE_NAME}"
    return subject, "\n".join(lines)


@transaction.atomic
def letter_send(
    *,
    acting_user,
    request: DataSubjectRequest,
    kind: str,
    now: datetime | None = None,
    connection=None,
) -> RequestLetter:
    """Write, send (email with the PDF attached, when an address is known)
    and record one letter. Refused, nothing sent or written, when the
    request is not at the step the letter tells of (letter_check)."""
    now = _now(now)
    request = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a letter.")})
    letter_check(request, kind, today=timezone.localdate(now))
    language = language_of(request)
    subject, body = _compose(request, kind, language)
    letter = RequestLetter(
        request=request,
        kind=kind,
        language=language.code,
        requested_language=language.requested,
        sent_to=recipient_of(request),
        subject=subject,
        body=body,
        sent_at=now,
        sent_by=acting_user,
    )
    letter.full_clean()
    letter.save()
    if letter.sent_to:
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[letter.sent_to],
            connection=connection,
        )
        message.attach(f"{kind}.pdf", letter_pdf(letter), "application/pdf")
        message.send()  # a failure rolls the letter back
    return letter


def letter_html(letter: RequestLetter) -> str:
    request = letter.request
    paragraphs = [p for p in letter.body.split("\n\n") if p.strip()]
    return render_to_string(
        "privacy/requests/letter.html",
        {
            "letter": letter,
            "house": settings.HOUSE_NAME,
            "primary": settings.HOUSE_PRIMARY_COLOUR,
            "accent": settings.HOUSE_ACCENT_COLOUR,
            "address": settings.PRIVACY_POSTAL_ADDRESS,
            "to_name": _name(request),
            "to_address": request.person_address,
            "date": long_date(letter.sent_at, letter.language, settings.TIME_ZONE),
            "reference": TEXTS[letter.language]["reference"].format(
                received=long_date(
                    request.received_on, letter.language, settings.TIME_ZONE
                )
            ),
            "paragraphs": [p.split("\n") for p in paragraphs],
        },
    )


def letter_pdf(letter: RequestLetter) -> bytes:
    from weasyprint import HTML

    return HTML(string=letter_html(letter)).write_pdf()
