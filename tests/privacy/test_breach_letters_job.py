"""The breach letters are emailed by a core.jobs job (decision 0097): each
letter's outcome is recorded, a failed letter is tried again by the job's
next attempt, never a sent one twice; the notification to the people is
recorded once, with the failures counted after the last attempt."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend

from core import jobs
from core.jobs import engine
from core.jobs.models import Job
from privacy import breaches
from privacy.models import BreachAssessment, BreachLetter, BreachNotification
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    EmailFactory,
    compliance,
)

# Retries need the job engine's own transactions (as tests/core/test_jobs.py).
pytestmark = pytest.mark.django_db(transaction=True)

AWARE = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
REFUSING: set[str] = set()


class RefusingBackend(EmailBackend):
    """The test outbox, refusing the addresses in REFUSING."""

    def send_messages(self, messages):
        for message in messages:
            refused = set(message.to) & REFUSING
            if refused:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(refused))
        return super().send_messages(messages)


@pytest.fixture
def sends(monkeypatch):
    """The job deliveries the engine sends (run by hand here, in order)."""
    sent = []
    monkeypatch.setattr(
        engine, "_send", lambda job_id, countdown=0: sent.append((job_id, countdown))
    )
    return sent


@pytest.fixture
def refusing(settings, sends):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    REFUSING.clear()
    yield REFUSING
    REFUSING.clear()


def _breach_of_two(officer):
    boutique = BoutiqueFactory()
    good = ClientFactory(home_boutique=boutique, preferred_language="fr")
    bad = ClientFactory(home_boutique=boutique, preferred_language="en")
    ClientFactory(home_boutique=boutique)  # no email: by post
    EmailFactory(client=good, address="good@example.com", is_primary=True)
    EmailFactory(client=bad, address="bad@example.com", is_primary=True)
    breach = breaches.breach_record(
        acting_user=officer,
        query={"boutique_codes": [boutique.code]},
        now=AWARE + timedelta(hours=1),
        title="Export left on a shared drive",
        occurred_at=AWARE - timedelta(hours=3),
        aware_at=AWARE,
        nature="confidentiality",
        description="A client export was readable by everyone.",
        data_categories=["identity", "contact"],
        people_categories=["clients"],
        approx_people=3,
        approx_records=3,
        consequences="Phishing.",
        measures_taken="Access removed.",
        measures_proposed="",
    )
    breaches.breach_assess(
        acting_user=officer,
        breach=breach,
        risk=BreachAssessment.Risk.HIGH,
        reasoning="Names and emails in clear.",
        now=AWARE + timedelta(hours=2),
    )
    return breach, good, bad


def test_a_failed_letter_is_recorded_and_sent_by_the_next_attempt(refusing, sends):
    officer = compliance()
    breach, good, bad = _breach_of_two(officer)
    refusing.add("bad@example.com")
    job = breaches.breach_letters_start(acting_user=officer, breach=breach)

    # first attempt: one sent, one failed, the job queued again with why
    assert jobs.run(job.pk)["outcome"] == "retrying"
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert "1 letter(s) could not be emailed" in job.error
    assert sends == [(job.pk, 0), (job.pk, 5)]  # queued, then again after 5 s
    letters = {row.client_id: row for row in BreachLetter.objects.all()}
    assert (letters[good.pk].outcome, letters[good.pk].attempts) == ("sent", 1)
    assert (letters[bad.pk].outcome, letters[bad.pk].detail) == (
        "failed",
        "SMTPRecipientsRefused",
    )
    assert not BreachNotification.objects.exists()
    assert [m.to for m in mail.outbox] == [["good@example.com"]]

    # the server takes it now: the next attempt sends only the failed one
    refusing.clear()
    assert jobs.run(job.pk)["outcome"] == "done"
    job.refresh_from_db()
    assert job.result["emailed"] == 2
    assert (job.result["failed"], job.result["to_post"]) == (0, 1)
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert [m.to for m in mail.outbox] == [["good@example.com"], ["bad@example.com"]]
    bad_letter = BreachLetter.objects.get(client=bad)
    assert (bad_letter.outcome, bad_letter.attempts) == ("sent", 2)
    told = BreachNotification.objects.get()
    assert told.to == BreachNotification.To.PEOPLE
    assert told.reference == "2 emailed with the letter, 1 to post"


def test_after_the_last_attempt_the_failures_are_counted_in_the_notification(
    refusing,
):
    officer = compliance()
    breach, _good, bad = _breach_of_two(officer)
    refusing.add("bad@example.com")
    job = breaches.breach_letters_start(acting_user=officer, breach=breach)
    outcomes = [jobs.run(job.pk)["outcome"] for _ in range(job.max_attempts)]
    assert outcomes == ["retrying", "retrying", "done"]
    job.refresh_from_db()
    assert (job.result["emailed"], job.result["failed"]) == (1, 1)
    letter = BreachLetter.objects.get(client=bad)
    assert (letter.outcome, letter.attempts) == ("failed", 3)
    assert BreachNotification.objects.get().reference == (
        "1 emailed with the letter, 1 failed after every attempt, 1 to post"
    )
    assert len(mail.outbox) == 1  # the good letter, once


def test_a_second_start_while_one_is_queued_is_refused(refusing):
    officer = compliance()
    breach, _good, _bad = _breach_of_two(officer)
    breaches.breach_letters_start(acting_user=officer, breach=breach)
    with pytest.raises(ValidationError, match="already being emailed"):
        breaches.breach_letters_start(acting_user=officer, breach=breach)
    assert Job.objects.filter(kind=breaches.LETTERS_KIND).count() == 1
    assert not BreachLetter.objects.exists()
