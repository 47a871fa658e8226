"""Minors (issue 18): age from the birth date, a parent's consent with its
evidence for an under-15, outreach leaving out minors without it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from clienteling.models import User
from consents import registry
from consents.models import ParentalConsent
from consents.parental import (
    age_on,
    evidence_path,
    is_minor,
    parental_consent_record,
    parental_evidence_erase,
    today,
)
from consents.selectors import Reason, outreach_eligibility
from tests.consents.factories import ClientFactory, grant

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 6, 12, tzinfo=PARIS)
PDF = b"%PDF-1.4\n% parent's signed consent\n"


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2011, 12, 6), date(2026, 12, 6), 15),  # the 15th birthday
        (date(2011, 12, 7), date(2026, 12, 6), 14),  # the day before
        (date(2012, 2, 29), date(2027, 2, 28), 14),
        (date(2012, 2, 29), date(2027, 3, 1), 15),
        (None, date(2026, 12, 6), None),
    ],
)
def test_age_is_whole_years_completed(born, day, age):
    assert age_on(born, day) == age
    assert is_minor(born, day) is (age is not None and age < 15)


def _scan(body=PDF):
    return SimpleUploadedFile("consent.pdf", body, content_type="application/pdf")


@pytest.fixture
def officer(db):
    return User.objects.create(username="officer-minors")


def _minor(born=date(2013, 5, 1)):
    client = ClientFactory(birth_date=born)
    client.emails.create(address=f"{client.first_name}@example.com", is_primary=True)
    grant(client, registry.NEWSLETTERS)
    return client


@pytest.mark.django_db
def test_outreach_leaves_out_a_minor_without_parental_consent_and_says_why(officer):
    minor, adult = _minor(), _minor(born=date(1990, 1, 1))

    result = outreach_eligibility(
        purpose_code=registry.NEWSLETTERS,
        channel="email",
        client_ids=[minor.pk, adult.pk],
        now=NOW,
    )

    assert result.eligible == [adult.pk]
    assert result.excluded == {minor.pk: Reason.MINOR}
    assert Reason.MINOR == "Minor without parental consent"


@pytest.mark.django_db
def test_a_minor_with_parental_consent_recorded_is_eligible(
    officer, settings, tmp_path
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    minor = _minor()
    row = parental_consent_record(
        acting_user=officer,
        client=minor,
        parent_name="Claire Martin",
        relation=ParentalConsent.Relation.MOTHER,
        given_on=date(2026, 11, 30),
        evidence=_scan(),
        now=NOW,
    )

    result = outreach_eligibility(
        purpose_code=registry.NEWSLETTERS,
        channel="email",
        client_ids=[minor.pk],
        now=NOW,
    )

    assert result.eligible == [minor.pk]
    assert evidence_path(row.evidence_name).read_bytes() == PDF
    assert row.evidence_size == len(PDF)
    assert row.recorded_by == officer
    assert parental_evidence_erase(client_ids=[minor.pk]) == 1
    assert not evidence_path(row.evidence_name).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("born", "changes", "field", "message"),
    [
        (date(1990, 1, 1), {}, "client", "needed only under 15"),
        (None, {}, "client", "birth date first"),
        (date(2013, 5, 1), {"parent_name": "  "}, "parent_name", "name of the parent"),
        (date(2013, 5, 1), {"relation": "aunt"}, "relation", "relation"),
        (date(2013, 5, 1), {"given_on": date(2027, 1, 1)}, "given_on", "future"),
        (date(2013, 5, 1), {"evidence": None}, "evidence", "Attach the scan"),
        (
            date(2013, 5, 1),
            {"evidence": SimpleUploadedFile("x.pdf", b"MZ not a scan")},
            "evidence",
            "PDF, JPEG or PNG",
        ),
    ],
)
def test_bad_parental_consent_is_refused_and_writes_nothing(  # noqa: PLR0917
    officer, settings, tmp_path, born, changes, field, message
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    client = ClientFactory(birth_date=born)
    arguments = {
        "acting_user": officer,
        "client": client,
        "parent_name": "Claire Martin",
        "relation": "mother",
        "given_on": date(2026, 11, 30),
        "evidence": _scan(),
        "now": NOW,
        **changes,
    }

    with pytest.raises(ValidationError) as refused:
        parental_consent_record(**arguments)

    assert message in " ".join(refused.value.message_dict[field])
    assert not ParentalConsent.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


@pytest.mark.django_db
def test_the_client_card_shows_the_age_and_a_minor_notice(officer, rf):
    from consents.panels import consent_card_summary, consent_panel_context

    minor = ClientFactory(birth_date=date(2013, 5, 1))
    adult = ClientFactory(birth_date=date(1990, 1, 1))
    request = rf.get("/")
    request.user = officer

    card = consent_card_summary(request, minor, consent_panel_context(request, minor))
    adult_card = consent_card_summary(
        request, adult, consent_panel_context(request, adult)
    )

    assert ("Age", str(age_on(minor.birth_date, today()))) in [
        (str(k), v) for k, v in card.facts
    ]
    assert [str(n) for n in card.notices] == [
        "Minor (under 15): no parent's consent recorded, so outreach leaves "
        "this client out."
    ]
    assert adult_card.notices == []
