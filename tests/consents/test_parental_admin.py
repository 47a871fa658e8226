"""The parental consent forms (decision 0098): recorded from the client page
of a minor or in the admin, with its evidence, by the roles the matrix
gives (advisers and managers add and correct, compliance views); every bad
input refused with a clear message and nothing written."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consents.models import ParentalConsent
from consents.parental import evidence_path, parental_consent_record, today
from core import roles
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    UserFactory,
    adviser,
    compliance,
    customer_service,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% the parent's signed consent\n"
ADD = reverse("admin:consents_parentalconsent_add")


def _born_years_ago(years: int) -> date:
    day = today()
    return day.replace(year=day.year - years, day=min(day.day, 28))


def _scan(body=PDF, name="consent.pdf"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _minor(boutique, **kwargs):
    return ClientFactory(
        home_boutique=boutique,
        first_name="Léa",
        last_name="Martin",
        birth_date=_born_years_ago(12),
        **kwargs,
    )


def _staff(role, boutique):
    if role == "adviser":
        return adviser(boutique)
    if role == "manager":
        return UserFactory(role=roles.MANAGER, boutiques=[boutique])
    if role == "compliance":
        return compliance()
    return customer_service()


def _data(client, **overrides):
    data = {
        "client": client.pk if client else "",
        "parent_name": "Claire Martin",
        "relation": "mother",
        "given_on": today().isoformat(),
        "evidence": _scan(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _change_url(row):
    return reverse("admin:consents_parentalconsent_change", args=[row.pk])


def _stored(settings):
    folder = settings.PRIVATE_STORAGE_ROOT / "parental-consents"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _recorded(minor, user):
    return parental_consent_record(
        acting_user=user,
        client=minor,
        parent_name="Claire Martin",
        relation="mother",
        given_on=today(),
        evidence=_scan(),
    )


@pytest.mark.parametrize("role", ["adviser", "manager"])
def test_boutique_staff_record_a_parents_consent_from_the_client_page(
    client, settings, role
):
    # given a minor of the boutique, no parent's consent yet
    boutique = BoutiqueFactory()
    minor = _minor(boutique)
    client.force_login(_staff(role, boutique))

    # the client page offers the form, for this client
    card = client.get(reverse("admin:clienteling_client_card", args=[minor.pk]))
    assert f"{ADD}?client={minor.pk}" in card.text
    page = client.get(ADD, {"client": minor.pk})
    assert page.status_code == 200
    assert 'name="evidence"' in page.text

    # when the form is sent with the signed consent
    response = client.post(ADD, _data(minor))

    # then the consent is recorded with its evidence, by this user
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = ParentalConsent.objects.get()
    assert (row.client, row.parent_name, row.relation) == (
        minor,
        "Claire Martin",
        "mother",
    )
    assert row.recorded_by.username == response.wsgi_request.user.username
    assert evidence_path(row.evidence_name).read_bytes() == PDF
    # and the client page now offers the correction instead
    card = client.get(reverse("admin:clienteling_client_card", args=[minor.pk]))
    assert _change_url(row) in card.text


@pytest.mark.parametrize("role", ["adviser", "manager"])
def test_boutique_staff_correct_a_parents_consent_and_replace_its_file(
    client, settings, role, django_capture_on_commit_callbacks
):
    boutique = BoutiqueFactory()
    minor = _minor(boutique)
    user = _staff(role, boutique)
    row = _recorded(minor, user)
    old = evidence_path(row.evidence_name)
    client.force_login(user)

    page = client.get(_change_url(row))
    assert page.status_code == 200
    assert f'value="{today().isoformat()}"' in page.text  # sent back as shown
    assert reverse("admin:consents_parental_evidence", args=[row.pk]) in page.text

    new_body = b"%PDF-1.4\n% a clearer scan\n"
    # the old file is deleted once the change is committed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _change_url(row),
            {
                "parent_name": "Paul Martin",
                "relation": "father",
                "given_on": today().isoformat(),
                "evidence": _scan(new_body),
            },
        )

    assert response.status_code == 302, response.context["adminform"].form.errors
    row.refresh_from_db()
    assert (row.parent_name, row.relation) == ("Paul Martin", "father")
    assert evidence_path(row.evidence_name).read_bytes() == new_body
    assert not old.exists()
    assert _stored(settings) == [evidence_path(row.evidence_name)]


def test_a_correction_without_a_new_file_keeps_the_evidence(client, settings):
    boutique = BoutiqueFactory()
    minor = _minor(boutique)
    user = adviser(boutique)
    row = _recorded(minor, user)
    client.force_login(user)

    response = client.post(
        _change_url(row),
        {
            "parent_name": "Claire Martin-Dubois",
            "relation": "mother",
            "given_on": today().isoformat(),
        },
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.parent_name == "Claire Martin-Dubois"
    assert evidence_path(row.evidence_name).read_bytes() == PDF


def test_compliance_views_the_consent_and_its_evidence_but_does_not_edit(
    client, settings
):
    boutique = BoutiqueFactory()
    minor = _minor(boutique)
    row = _recorded(minor, adviser(boutique))
    client.force_login(compliance())

    assert client.get(_change_url(row)).status_code == 200
    evidence = client.get(reverse("admin:consents_parental_evidence", args=[row.pk]))
    assert b"".join(evidence.streaming_content) == PDF
    assert client.get(ADD).status_code == 403
    response = client.post(_change_url(row), {"parent_name": "X", "relation": "father"})
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.parent_name == "Claire Martin"


def test_customer_service_and_other_boutiques_cannot_reach_the_forms(client, settings):
    boutique = BoutiqueFactory()
    minor = _minor(boutique)
    row = _recorded(minor, adviser(boutique))

    client.force_login(customer_service())
    assert client.get(ADD).status_code == 403
    assert client.get(_change_url(row)).status_code == 403

    # an adviser of another boutique does not see the row nor its client
    client.force_login(adviser(BoutiqueFactory()))
    assert client.get(_change_url(row)).status_code in (302, 404)
    response = client.post(ADD, _data(minor))
    assert response.status_code == 200
    assert "client" in response.context["adminform"].form.errors
    assert ParentalConsent.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"evidence": None}, "evidence", "Attach the scan of the parent"),
        (
            {"evidence": _scan(b"MZ not a scan", "consent.pdf")},
            "evidence",
            "must be a PDF, JPEG or PNG",
        ),
        ({"parent_name": "Léa Martin"}, "parent_name", "the client's own name"),
        ({"parent_name": "MARTIN lea"}, "parent_name", "the client's own name"),
        ({"parent_name": ""}, "parent_name", ""),
        ({"relation": ""}, "relation", ""),
        ({"given_on": "2999-01-01"}, "given_on", "in the future"),
    ],
)
def test_a_bad_consent_is_refused_with_a_clear_message_and_nothing_written(
    client, settings, overrides, field, message
):
    boutique = BoutiqueFactory()
    minor = _minor(boutique)
    client.force_login(adviser(boutique))

    response = client.post(ADD, _data(minor, **overrides))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not ParentalConsent.objects.exists()
    assert _stored(settings) == []


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        (_born_years_ago(30), "a parental consent is needed only under 15"),
        (None, "Enter the client's birth date first"),
    ],
)
def test_a_client_who_is_not_a_minor_is_refused(client, settings, birth_date, message):
    boutique = BoutiqueFactory()
    adult = ClientFactory(home_boutique=boutique, birth_date=birth_date)
    client.force_login(adviser(boutique))

    response = client.post(ADD, _data(adult))

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["client"])
    assert not ParentalConsent.objects.exists()
    assert _stored(settings) == []


def test_a_bad_correction_changes_nothing(client, settings):
    boutique = BoutiqueFactory()
    minor = _minor(boutique)
    user = adviser(boutique)
    row = _recorded(minor, user)
    before = _stored(settings)
    client.force_login(user)

    response = client.post(
        _change_url(row),
        {
            "parent_name": "Léa Martin",
            "relation": "father",
            "given_on": today().isoformat(),
            "evidence": _scan(b"not a scan"),
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "the client's own name" in " ".join(errors["parent_name"])
    assert "evidence" in errors
    row.refresh_from_db()
    assert (row.parent_name, row.relation) == ("Claire Martin", "mother")
    assert _stored(settings) == before
