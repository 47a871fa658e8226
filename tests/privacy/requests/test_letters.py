"""Letters to the person at each step (issue 18, decision 0055): in their
language (French, English; others English and saying so), as a PDF and an
email through Django's email backend, recorded with the request; refused
when the request is not at the step the letter tells of."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consents.documents.render import long_date
from privacy import letters
from privacy import requests as dsr
from privacy.models import DataSubjectRequest, RequestLetter
from tests.clienteling.factories import ClientFactory, compliance

pytestmark = pytest.mark.django_db

Kind = RequestLetter.Kind


def _open(user, *, received_on=None, **person):
    person.setdefault("person_name", "Paul Inconnu")
    person.setdefault("person_email", "paul@example.org")
    return dsr.request_open(
        acting_user=user,
        kind="access",
        channel="email",
        received_on=received_on or timezone.localdate(),
        **person,
    )


def _verified(request, user):
    return dsr.request_verify_identity(
        acting_user=user, request=request, method="id_document"
    )


def test_someone_not_on_file_gets_the_we_hold_nothing_letter_by_email_with_pdf():
    officer = compliance()
    request = _verified(_open(officer, language="fr"), officer)
    request = dsr.request_nothing_held(acting_user=officer, request=request)

    letter = letters.letter_send(
        acting_user=officer, request=request, kind=Kind.NOTHING_HELD
    )

    assert list(request.letters.all()) == [letter]
    assert (letter.language, letter.sent_to) == ("fr", "paul@example.org")
    sent = mail.outbox[-1]
    assert sent.to == ["paul@example.org"]
    assert "Nous ne détenons aucune donnée personnelle vous concernant" in sent.body
    assert "CNIL" in sent.body
    assert "Bonjour Paul Inconnu" in sent.body
    name, content, mime = sent.attachments[0]
    assert (name, mime) == ("nothing_held.pdf", "application/pdf")
    assert content.startswith(b"%PDF")


def test_the_extension_letter_is_refused_after_the_first_month():
    officer = compliance()
    received = date(2026, 1, 31)
    request = _verified(_open(officer, received_on=received), officer)
    request = dsr.request_extend(
        acting_user=officer,
        request=request,
        months=1,
        reason="Forty years of records across three boutiques.",
        now=datetime(2026, 2, 10, 10, 0, tzinfo=timezone.get_current_timezone()),
    )

    within = letters.letter_send(
        acting_user=officer,
        request=request,
        kind=Kind.EXTENSION,
        now=datetime(2026, 2, 20, 10, 0, tzinfo=timezone.get_current_timezone()),
    )
    assert "Forty years of records" in within.body
    assert "Article 12(3)" in within.body
    sent = len(mail.outbox)
    with pytest.raises(ValidationError, match="first month ended"):
        letters.letter_send(
            acting_user=officer,
            request=request,
            kind=Kind.EXTENSION,
            now=datetime(2026, 3, 1, 10, 0, tzinfo=timezone.get_current_timezone()),
        )
    assert len(mail.outbox) == sent
    assert request.letters.count() == 1


def test_the_completion_letter_is_refused_before_the_report_exists():
    officer = compliance()
    request = _verified(_open(officer, client=ClientFactory()), officer)

    with pytest.raises(ValidationError, match="report does not exist yet"):
        letters.letter_send(acting_user=officer, request=request, kind=Kind.COMPLETION)
    assert not RequestLetter.objects.exists()
    assert mail.outbox == []


def test_the_refusal_letter_gives_the_reasons_and_the_right_to_complain():
    officer = compliance()
    request = dsr.request_close(
        acting_user=officer,
        request=_open(officer),
        status=DataSubjectRequest.Status.REFUSED,
        outcome="The identity could not be confirmed after two reminders.",
    )

    letter = letters.letter_send(
        acting_user=officer, request=request, kind=Kind.REFUSAL
    )

    assert "could not be confirmed after two reminders" in letter.body
    assert "CNIL" in letter.body
    assert "court" in letter.body
    with pytest.raises(ValidationError, match="Refuse the request"):
        letters.letter_send(
            acting_user=officer, request=_open(officer), kind=Kind.REFUSAL
        )


def test_a_language_without_letters_gets_english_and_says_so():
    officer = compliance()
    request = _open(officer, language="de")

    letter = letters.letter_send(
        acting_user=officer, request=request, kind=Kind.ACKNOWLEDGEMENT
    )

    assert (letter.language, letter.requested_language) == ("en", "de")
    assert (
        "This document is not yet available in German; it is given in English."
        in letter.body
    )
    assert "We received your request on" in letter.body


def test_without_an_email_the_letter_is_recorded_for_the_post():
    officer = compliance()
    request = _open(officer, person_email="", person_address="3 rue Cambon, Paris")

    letter = letters.letter_send(
        acting_user=officer, request=request, kind=Kind.IDENTITY
    )

    assert letter.sent_to == ""
    assert mail.outbox == []
    assert "3 rue Cambon, Paris" in letters.letter_html(letter)


def test_compliance_sends_a_letter_and_opens_its_pdf(client):
    officer = compliance()
    client.force_login(officer)
    request = _open(officer)
    url = reverse("admin:privacy_request_action", args=[request.pk, "letter"])

    page = client.get(url)
    assert page.status_code == 200
    assert b"paul@example.org" in page.content
    response = client.post(url, {"kind": Kind.ACKNOWLEDGEMENT})
    assert response.status_code == 302
    letter = RequestLetter.objects.get()
    change = client.get(
        reverse("admin:privacy_datasubjectrequest_change", args=[request.pk])
    )
    assert b'id="dsr-letters"' in change.content
    pdf = client.get(
        reverse("admin:privacy_request_letter_pdf", args=[request.pk, letter.pk])
    )

    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert len(mail.outbox) == 1


def test_a_refused_letter_keeps_the_page_and_says_why(client):
    client.force_login(compliance())
    request = _open(compliance())
    url = reverse("admin:privacy_request_action", args=[request.pk, "letter"])

    response = client.post(url, {"kind": Kind.COMPLETION})

    assert response.status_code == 200
    assert b"report does not exist yet" in response.content
    assert not RequestLetter.objects.exists()


def test_received_and_due_dates_read_in_the_person_s_language():
    officer = compliance()
    request = _open(
        officer, language="fr", received_on=timezone.localdate() - timedelta(1)
    )

    letter = letters.letter_send(
        acting_user=officer, request=request, kind=Kind.ACKNOWLEDGEMENT
    )

    assert "Nous avons reçu votre demande le" in letter.body
    assert long_date(request.due_on, "fr", "Europe/Paris") in letter.body
    assert request.due_on.isoformat() not in letter.body
