"""Breach letters (issue 17, Art. 34): the CNIL text in French typography,
a PDF per language, and the letters emailed to the people affected in
their language, recorded as the notification to the people."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.jobs.models import Job
from privacy import breaches
from privacy.models import Breach, BreachAssessment, BreachNotification
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    EmailFactory,
    compliance,
)

pytestmark = pytest.mark.django_db

AWARE = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _breach(officer, boutique, *, risk=BreachAssessment.Risk.HIGH):
    breach = breaches.breach_record(
        acting_user=officer,
        query={"boutique_codes": [boutique.code]},
        now=AWARE + timedelta(hours=1),
        title="Laptop stolen",
        occurred_at=AWARE - timedelta(hours=5),
        aware_at=AWARE,
        nature=Breach.Nature.CONFIDENTIALITY,
        description="An unencrypted laptop with a client export was stolen.",
        data_categories=["identity", "contact"],
        people_categories=["clients"],
        approx_people=3,
        approx_records=3,
        consequences="Phishing.",
        measures_taken="Device wiped.",
        measures_proposed="",
    )
    extra = {} if risk == BreachAssessment.Risk.HIGH else {"reasons_not_notified": ""}
    breaches.breach_assess(
        acting_user=officer,
        breach=breach,
        risk=risk,
        reasoning="Names and emails in clear.",
        now=AWARE + timedelta(hours=2),
        **extra,
    )
    return breach


def test_the_cnil_text_follows_french_typography():
    officer = compliance()
    boutique = BoutiqueFactory()
    ClientFactory(home_boutique=boutique, preferred_language="fr")
    text = breaches.cnil_notification_text(_breach(officer, boutique))
    assert "Délégué à la protection des données\u00a0:" in text
    # no colon glued to its word, nor after a plain space
    assert not re.search(r"[^\s\u00a0]:\s", text)
    assert not re.search(r" :", text)


def test_french_typography_leaves_times_and_urls_alone():
    assert (
        breaches.french_typography("Heure : 14:30, voir http://x.example ; fin!")
        == "Heure\u00a0: 14:30, voir http://x.example\u202f; fin\u202f!"
    )


def test_the_letters_are_emailed_in_each_language_with_their_pdf(settings):
    officer = compliance()
    boutique = BoutiqueFactory()
    french = ClientFactory(home_boutique=boutique, preferred_language="fr")
    english = ClientFactory(home_boutique=boutique, preferred_language="en")
    ClientFactory(home_boutique=boutique, preferred_language="en")  # no email
    EmailFactory(client=french, address="fr.client@example.com", is_primary=True)
    EmailFactory(client=english, address="en.client@example.com", is_primary=True)
    breach = _breach(officer, boutique)
    sent = breaches.breach_letters_send(
        acting_user=officer, breach=breach, now=AWARE + timedelta(hours=3)
    )
    assert (sent.emailed, sent.to_post) == (2, 1)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "Chère cliente, cher client" in by_address["fr.client@example.com"].body
    assert "Dear client" in by_address["en.client@example.com"].body
    for message in mail.outbox:
        (name, content, mimetype) = message.attachments[0]
        assert (name, mimetype) == ("letter.pdf", "application/pdf")
        assert content.startswith(b"%PDF")
    told = BreachNotification.objects.get(breach=breach)
    assert told.to == BreachNotification.To.PEOPLE
    # and a second send is refused, nothing sent again
    mail.outbox.clear()
    with pytest.raises(ValidationError, match="already told"):
        breaches.breach_letters_send(acting_user=officer, breach=breach)
    assert mail.outbox == []
    assert BreachNotification.objects.filter(breach=breach).count() == 1


def test_no_letter_when_the_assessment_does_not_call_for_one():
    officer = compliance()
    boutique = BoutiqueFactory()
    client = ClientFactory(home_boutique=boutique)
    EmailFactory(client=client, address="c@example.com", is_primary=True)
    breach = _breach(officer, boutique, risk=BreachAssessment.Risk.RISK)
    with pytest.raises(ValidationError, match="assess the breach first"):
        breaches.breach_letters_send(acting_user=officer, breach=breach)
    assert mail.outbox == []
    assert not BreachNotification.objects.exists()


def test_the_breach_page_offers_each_letter_as_a_pdf_and_sends_them(
    client, django_capture_on_commit_callbacks
):
    officer = compliance()
    boutique = BoutiqueFactory()
    person = ClientFactory(home_boutique=boutique, preferred_language="fr")
    EmailFactory(client=person, address="p@example.com", is_primary=True)
    breach = _breach(officer, boutique)
    client.force_login(officer)
    page = client.get(reverse("admin:privacy_breach_change", args=[breach.pk]))
    pdf_url = reverse("admin:privacy_breach_letter_pdf", args=[breach.pk, "fr"])
    assert pdf_url in page.content.decode()
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    missing = reverse("admin:privacy_breach_letter_pdf", args=[breach.pk, "de"])
    assert client.get(missing).status_code == 404
    # the page starts the job (run at commit: Celery is eager in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:privacy_breach_send_letters", args=[breach.pk])
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["p@example.com"]]
    job = Job.objects.get(kind=breaches.LETTERS_KIND)
    assert (job.status, job.result["emailed"], job.result["to_post"]) == (
        "done",
        1,
        0,
    )
    page = client.get(reverse("admin:privacy_breach_change", args=[breach.pk]))
    assert "Letters emailed so far: 1; failed: 0" in page.content.decode()
    assert "breach-send-letters" not in page.content.decode()  # told: no button
