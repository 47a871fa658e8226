from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Client, ClientAddress, ClientEmail
from consents import registry, services
from consents.models import ConsentDecision, PaperFormSubmission
from consents.tasks import remove_orphan_scans
from tests.clienteling.factories import BoutiqueFactory, adviser
from tests.consents.factories import PDF_BYTES, ClientFactory, grant, paper_version

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
VALUES = {
    "first_name": "Léa",
    "last_name": "Exemple",
    "email": "lea@example.com",
    "address_line1": "1 rue de l'Exemple",
    "city": "Paris",
    "country": "FR",
}


def _scan(body=PDF_BYTES, name="form.pdf"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _capture(**overrides):
    kwargs = {
        "acting_user": overrides.pop("acting_user", None) or adviser(),
        "version": paper_version(),
        "services": [registry.NEWSLETTERS, "boutique_orders"],
        "values": dict(VALUES),
        "consents": [registry.NEWSLETTERS, registry.ALLERGY_AWARE_SERVICE],
        "signed_on": TODAY,
        "scan": _scan(),
        "boutique": BoutiqueFactory(),
    }
    kwargs.update(overrides)
    return services.paper_form_capture(**kwargs)


def _nothing_written(settings):
    assert not Client.objects.exists()
    assert not ConsentDecision.objects.exists()
    assert not PaperFormSubmission.objects.exists()
    scans = settings.PRIVATE_STORAGE_ROOT / "consent-scans"
    assert not scans.exists() or not any(scans.iterdir())


def test_valid_capture_creates_exactly_the_expected_rows(settings):
    user = adviser(BoutiqueFactory())

    result = _capture(acting_user=user)

    client = Client.objects.get()
    assert result.client_created
    assert (client.first_name, client.source) == ("Léa", Client.Source.PAPER_FORM)
    assert ClientEmail.objects.get().address == "lea@example.com"
    assert ClientAddress.objects.get().city == "Paris"
    submission = PaperFormSubmission.objects.get()
    assert submission.recorded_by == user
    assert submission.requested_services == ["boutique_orders", registry.NEWSLETTERS]
    decisions = ConsentDecision.objects.order_by("purpose__code")
    assert [(d.purpose.code, d.decision, d.submission_id) for d in decisions] == [
        (registry.ALLERGY_AWARE_SERVICE, "grant", submission.pk),
        (registry.NEWSLETTERS, "grant", submission.pk),
    ]
    assert all(d.wording.version_id == submission.version_id for d in decisions)
    stored = settings.PRIVATE_STORAGE_ROOT / "consent-scans" / submission.scan_name
    assert stored.read_bytes() == PDF_BYTES
    assert "form" not in submission.scan_name


def test_missing_mandatory_field_is_refused_and_keeps_nothing(settings):
    values = dict(VALUES, email="")

    with pytest.raises(ValidationError) as refused:
        _capture(values=values)

    assert "Email address is compulsory" in refused.value.message_dict["email"][0]
    _nothing_written(settings)


def test_capture_without_signature_date_is_refused(settings):
    with pytest.raises(ValidationError) as refused:
        _capture(signed_on=None)

    assert "signed_on" in refused.value.message_dict
    _nothing_written(settings)


def test_signature_date_in_the_future_is_refused(settings):
    with pytest.raises(ValidationError, match="future"):
        _capture(signed_on=TODAY + timedelta(days=2))

    _nothing_written(settings)


def test_html_renamed_pdf_is_refused(settings):
    html = SimpleUploadedFile(
        "form.pdf", b"<html><script>x</script></html>", "application/pdf"
    )

    with pytest.raises(ValidationError, match="PDF, JPEG or PNG"):
        _capture(scan=html)

    _nothing_written(settings)


def test_scan_over_the_size_limit_is_refused(settings):
    settings.CONSENT_SCAN_MAX_BYTES = 10

    with pytest.raises(ValidationError, match="limit"):
        _capture()

    _nothing_written(settings)


def test_consent_for_an_unknown_purpose_on_a_form_is_refused(settings):
    with pytest.raises(ValidationError, match="Unknown purpose 'horoscopes'"):
        _capture(consents=["horoscopes"])

    _nothing_written(settings)


def test_failure_after_the_scan_was_written_rolls_everything_back(
    settings, monkeypatch
):
    def boom(**kwargs):
        raise ValidationError("injected failure")

    monkeypatch.setattr(services, "consent_record", boom)

    with pytest.raises(ValidationError, match="injected"):
        _capture()

    _nothing_written(settings)


def test_png_and_jpeg_scans_are_accepted():
    assert services.scan_kind(b"\x89PNG\r\n\x1a\nrest") == ("image/png", ".png")
    assert services.scan_kind(b"\xff\xd8\xff\xe0rest") == ("image/jpeg", ".jpg")
    assert services.scan_kind(b"GIF89a") is None


def test_capture_for_an_existing_client_records_unticked_grants_as_withdrawn():
    client = ClientFactory(first_name="Léa", last_name="Exemple")
    grant(client, registry.EVENTS, now=timezone.now() - timedelta(days=2))

    result = _capture(
        client=client,
        services=["boutique_orders"],
        consents=[registry.NEWSLETTERS],
        boutique=client.home_boutique,
    )

    assert not result.client_created
    states = {d.purpose.code: d.decision for d in result.decisions}
    assert states == {registry.NEWSLETTERS: "grant", registry.EVENTS: "withdraw"}
    assert Client.objects.count() == 1


# --- The capture page ------------------------------------------------------------


def _post(client_http, url, **overrides):
    data = {
        "version": paper_version().pk,
        "boutique": overrides.pop("boutique"),
        "services": [registry.NEWSLETTERS],
        "consents": [registry.NEWSLETTERS],
        "signed_on": TODAY.isoformat(),
        "scan": _scan(),
        "language": "en",
        **VALUES,
    }
    data.update(overrides)
    return client_http.post(url, data)


def test_capture_page_refusal_keeps_typed_values_and_quotes_the_notice(
    client, settings
):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))
    url = reverse("admin:consents_capture_new")

    response = _post(client, url, boutique=boutique.pk, email="", city="Lyon")

    assert response.status_code == 400
    assert "will not be able to answer your requests" in response.text
    assert settings.HOUSE_NAME in response.text
    assert "Email address is compulsory" in response.text
    assert 'value="Léa"' in response.text
    assert 'value="Lyon"' in response.text
    _nothing_written(settings)


def test_capture_page_success_redirects_to_the_client(client):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))

    response = _post(
        client, reverse("admin:consents_capture_new"), boutique=boutique.pk
    )

    assert response.status_code == 302
    created = Client.objects.get()
    assert str(created.pk) in response["Location"]
    assert ConsentDecision.objects.filter(client=created).count() == 1


def test_a_consent_captured_from_a_french_form_records_french(client):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))

    response = _post(
        client,
        reverse("admin:consents_capture_new"),
        boutique=boutique.pk,
        language="fr",
    )

    assert response.status_code == 302
    decision = ConsentDecision.objects.get(client=Client.objects.get())
    assert decision.language == "fr"
    assert decision.wording.language == "fr"
    assert decision.wording.text.startswith("J’accepte de recevoir")


def test_capture_page_refuses_a_language_the_form_is_not_printed_in(client, settings):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))

    response = _post(
        client,
        reverse("admin:consents_capture_new"),
        boutique=boutique.pk,
        language="de",
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    _nothing_written(settings)


def test_capture_page_offers_the_client_s_language_first(client):
    boutique = BoutiqueFactory()
    client.force_login(adviser(boutique))
    french = ClientFactory(home_boutique=boutique, preferred_language="fr")

    response = client.get(reverse("admin:consents_capture_client", args=[french.pk]))

    assert response.status_code == 200
    assert '<option value="fr" selected>Français</option>' in response.text


def test_capture_page_refuses_a_boutique_the_adviser_does_not_work_in(client, settings):
    mine, theirs = BoutiqueFactory(), BoutiqueFactory()
    client.force_login(adviser(mine))

    response = _post(client, reverse("admin:consents_capture_new"), boutique=theirs.pk)

    assert response.status_code == 400
    _nothing_written(settings)


def test_capture_page_for_an_out_of_scope_client_is_404(client):
    mine, theirs = BoutiqueFactory(), BoutiqueFactory()
    client.force_login(adviser(mine))
    stranger = ClientFactory(home_boutique=theirs)

    response = client.get(reverse("admin:consents_capture_client", args=[stranger.pk]))

    assert response.status_code == 404


def test_capture_page_needs_the_permission(client):
    from tests.clienteling.factories import UserFactory

    client.force_login(UserFactory())

    response = client.get(reverse("admin:consents_capture_new"))

    assert response.status_code == 403


def test_a_form_keyed_in_late_does_not_undo_a_later_withdrawal():
    # given a client who signed on the 1st, withdrew by phone on the 15th
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    first = _capture(
        acting_user=user, boutique=boutique, signed_on=TODAY - timedelta(days=30)
    )
    customer = first.client
    services.consent_withdraw(
        acting_user=user,
        client=customer,
        purpose_code=registry.NEWSLETTERS,
        channel="phone",
        now=timezone.now() - timedelta(days=15),
    )

    # when a copy of the old form is keyed in today
    _capture(
        acting_user=user,
        boutique=boutique,
        client=customer,
        signed_on=TODAY - timedelta(days=30),
        scan=_scan(),
    )

    # then the phone withdrawal still stands
    from consents.selectors import has_current_grant

    assert not has_current_grant(
        client_id=customer.pk, purpose_code=registry.NEWSLETTERS
    )


def test_form_decisions_are_dated_at_the_signature():
    signed = TODAY - timedelta(days=3)

    result = _capture(signed_on=signed)

    assert {timezone.localtime(d.decided_at).date() for d in result.decisions} == {
        signed
    }


# --- Scans left by captures that never committed -------------------------------


def test_a_scan_whose_capture_rolled_back_is_removed_by_the_nightly_sweep(settings):
    class OuterFailure(Exception):
        pass

    def capture_then_fail():
        with transaction.atomic():
            _capture(acting_user=None, values=dict(VALUES, email="other@example.com"))
            raise OuterFailure

    kept = _capture(acting_user=None)
    with pytest.raises(OuterFailure):
        capture_then_fail()
    scans = settings.PRIVATE_STORAGE_ROOT / "consent-scans"
    assert len(list(scans.iterdir())) == 2  # the rolled-back one stays, for now
    later = timezone.now() + services.SCAN_ORPHAN_GRACE + timedelta(minutes=1)

    too_soon = remove_orphan_scans.delay().get(timeout=10)
    swept = services.scan_orphans_remove(now=later)
    again = services.scan_orphans_remove(now=later)

    assert too_soon == {"checked": 0, "removed": 0}
    assert swept == {"checked": 2, "removed": 1}
    assert again == {"checked": 1, "removed": 0}
    assert [p.name for p in scans.iterdir()] == [kept.submission.scan_name]


def test_the_orphan_scan_sweep_is_scheduled_nightly():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="consents.remove_orphan_scans")

    assert (task.enabled, task.crontab.hour, task.crontab.minute) == (True, "3", "15")


@pytest.mark.parametrize(
    ("key", "text", "found"),
    [
        ("first_name", "Léa 4111\u200b1111\u200b1111\u200b1111", "payment card number"),
        ("last_name", "٤١١١١١١١١١١١١١١١", "payment card number"),
        ("address_line1", "FR76 3000 6000 0112 3456 7890 189", "full IBAN"),
        ("city", "Paris\x00", "NUL character"),
    ],
)
def test_a_paper_form_with_a_payment_number_or_nul_writes_nothing(
    settings, key, text, found
):
    with pytest.raises(ValidationError) as refused:
        _capture(values={**VALUES, key: text})

    assert found in " ".join(refused.value.messages)
    _nothing_written(settings)


def test_capture_page_for_an_existing_client_prefills_its_record(client):
    # given a client with a birth date, a landline, a mobile and an address,
    # seen by a French-speaking adviser (a localised date would be 07/03/1985)
    import datetime

    from clienteling.models import ClientPhone
    from tests.helpers import form_data

    boutique = BoutiqueFactory()
    someone = ClientFactory(
        home_boutique=boutique, birth_date=datetime.date(1985, 3, 7)
    )
    ClientPhone.objects.create(
        client=someone, number="+33199001122", kind="landline", is_primary=True
    )
    ClientPhone.objects.create(client=someone, number="+33699001234", kind="mobile")
    ClientAddress.objects.create(
        client=someone, line1="2 rue Exemple", city="Lyon", country="FR"
    )
    client.force_login(adviser(boutique))

    # when the adviser opens the paper form for that client
    response = client.get(
        reverse("admin:consents_capture_client", args=[someone.pk]),
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    # then the date input holds the ISO date, the mobile (not the landline)
    # and the address are there
    sent = form_data(response.text)
    assert response.status_code == 200
    assert sent["birth_date"] == ["1985-03-07"]
    assert sent["phone"] == ["+33 6 99 00 12 34"]
    assert sent["address_line1"] == ["2 rue Exemple"]
    assert sent["city"] == ["Lyon"]
    assert sent["first_name"] == [someone.first_name]
