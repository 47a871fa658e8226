"""The clienteling-tool form signed on the tablet (consents.services.
tablet_capture, views.tablet_capture)."""

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from consents import registry, services
from consents.models import Channel, ConsentDecision, PaperFormSubmission
from core import roles
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    EmailFactory,
    UserFactory,
    adviser,
    compliance,
    customer_service,
)
from tests.consents.factories import PDF_BYTES, grant

pytestmark = pytest.mark.django_db

VALUES = {
    "first_name": "Léa",
    "last_name": "Exemple",
    "email": "lea@example.com",
    "address_line1": "1 rue de l'Exemple",
    "city": "Paris",
    "country": "FR",
}


def signature_png(*, drawn=True, size=(600, 200), sheet=(0, 0, 0, 0)) -> bytes:
    """A PNG like the pad's: a stroke (unless blank) on a transparent or
    white sheet."""
    image = Image.new("RGBA", size, sheet)
    if drawn:
        for x in range(40, 400):
            image.putpixel((x, 100 + (x % 20)), (20, 20, 20, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _signature(body=None, name="signature.png"):
    return SimpleUploadedFile(
        name, signature_png() if body is None else body, content_type="image/png"
    )


def _capture(**overrides):
    boutique = overrides.pop("boutique", None) or BoutiqueFactory()
    kwargs = {
        "acting_user": adviser(boutique),
        "client": ClientFactory(home_boutique=boutique, preferred_language="en"),
        "version": services.tablet_version(),
        "services": [registry.NEWSLETTERS, "boutique_orders"],
        "values": dict(VALUES),
        "consents": [registry.NEWSLETTERS, registry.EVENTS],
        "signature": _signature(),
        "boutique": boutique,
        "language": "en",
    }
    kwargs.update(overrides)
    return services.tablet_capture(**kwargs)


def _nothing_written(settings):
    assert not ConsentDecision.objects.exists()
    assert not PaperFormSubmission.objects.exists()
    scans = settings.PRIVATE_STORAGE_ROOT / "consent-scans"
    assert not scans.exists() or not any(scans.iterdir())


@pytest.mark.parametrize("sheet", [(0, 0, 0, 0), (255, 255, 255, 255)])
def test_a_tablet_capture_keeps_the_signature_as_evidence_of_its_ledger_rows(sheet):
    # given a signature drawn on the tablet
    body = signature_png(sheet=sheet)

    # when the client's form is recorded
    result = _capture(signature=_signature(body))

    # then the PNG is in private storage under its SHA-256, named by the
    # submission the ledger rows point at, with the version and language
    submission = result.submission
    assert submission.version.template.kind == "clienteling_tool"
    assert submission.language == "en"
    assert submission.scan_content_type == "image/png"
    assert submission.scan_sha256 == hashlib.sha256(body).hexdigest()
    assert services.scan_path(submission.scan_name).read_bytes() == body
    rows = ConsentDecision.objects.filter(client=result.client)
    assert {r.purpose.code for r in rows} == {registry.NEWSLETTERS, registry.EVENTS}
    for row in rows:
        assert row.decision == ConsentDecision.Decision.GRANT
        assert row.channel == Channel.CLIENTELING_TOOL
        assert row.submission_id == submission.pk
        assert row.wording.version_id == submission.version_id
        assert row.wording.language == "en"


def test_a_french_client_signs_the_french_wording():
    result = _capture(language="fr")

    row = ConsentDecision.objects.get(
        client=result.client, purpose__code=registry.NEWSLETTERS
    )
    assert row.language == "fr"
    assert row.wording.text.startswith("J’accepte de recevoir")
    assert result.submission.language == "fr"


def test_an_unticked_consent_the_client_had_given_is_withdrawn():
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique)
    grant(customer, registry.EVENTS)

    _capture(client=customer, boutique=boutique, consents=[registry.NEWSLETTERS])

    latest = ConsentDecision.objects.filter(
        client=customer, purpose__code=registry.EVENTS
    ).first()
    assert latest.decision == ConsentDecision.Decision.WITHDRAW
    assert latest.channel == Channel.CLIENTELING_TOOL


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (PDF_BYTES, "must be a PNG image"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10, "must be a PNG image"),
        (b"GIF89a" + b"\x00" * 100, "must be a PNG image"),
        ("transparent", "box is empty"),
        ("white", "box is empty"),
    ],
    ids=["pdf", "png-header-only", "gif", "blank-canvas", "blank-white-canvas"],
)
def test_a_signature_that_is_not_a_drawn_png_is_refused(settings, body, message):
    if body == "transparent":
        body = signature_png(drawn=False)
    elif body == "white":
        body = signature_png(drawn=False, sheet=(255, 255, 255, 255))

    with pytest.raises(ValidationError) as refused:
        _capture(signature=_signature(body))

    assert message in " ".join(refused.value.message_dict["signature"])
    _nothing_written(settings)


def test_a_signature_over_2_mb_is_refused(settings):
    big = signature_png() + b"\x00" * (services.SIGNATURE_MAX_BYTES + 1)

    with pytest.raises(ValidationError) as refused:
        _capture(signature=_signature(big))

    assert "the limit is 2048 KB" in refused.value.message_dict["signature"][0]
    _nothing_written(settings)


def test_no_signature_is_refused(settings):
    with pytest.raises(ValidationError) as refused:
        _capture(signature=None)

    assert "has not signed" in refused.value.message_dict["signature"][0]
    _nothing_written(settings)


def test_a_compulsory_field_left_empty_is_refused_naming_it(settings):
    values = dict(VALUES, email="")

    with pytest.raises(ValidationError) as refused:
        _capture(values=values)

    assert "compulsory" in refused.value.message_dict["email"][0]
    _nothing_written(settings)


def test_a_paper_version_is_not_a_tablet_version(settings):
    from tests.consents.factories import paper_version

    with pytest.raises(ValidationError) as refused:
        _capture(version=paper_version())

    assert "version" in refused.value.message_dict
    _nothing_written(settings)


# --- The page ----------------------------------------------------------------


def _url(customer):
    return reverse("admin:consents_tablet_capture", args=[customer.pk])


def _post(http, customer, boutique, **overrides):
    data = {
        "boutique": boutique.pk,
        "services": [registry.NEWSLETTERS, "boutique_orders"],
        "consents": [registry.NEWSLETTERS],
        "signature": _signature(),
        "language": "en",
        **VALUES,
    }
    data.update(overrides)
    return http.post(_url(customer), data)


def _manager(boutique):
    return UserFactory(role=roles.MANAGER, boutiques=[boutique])


@pytest.mark.parametrize("make_user", [adviser, _manager], ids=["adviser", "manager"])
def test_boutique_staff_open_the_form_and_record_it(client, make_user):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique, preferred_language="en")
    EmailFactory(client=customer, address="lea@example.com")
    client.force_login(make_user(boutique))

    page = client.get(_url(customer))
    done = _post(client, customer, boutique)

    assert page.status_code == 200
    assert registry._WORDING["en"][registry.NEWSLETTERS] in page.text
    assert "will not be able to answer your requests" in page.text
    assert 'class="mandatory"' in page.text
    assert "signature-pad.js" in page.text
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:consents_client", args=[customer.pk])
    row = ConsentDecision.objects.get(client=customer)
    assert row.channel == Channel.CLIENTELING_TOOL
    assert row.submission.scan_content_type == "image/png"


def test_the_form_is_in_the_client_s_language_whatever_the_staff_s(client):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique, preferred_language="fr")
    client.force_login(adviser(boutique))

    page = client.get(_url(customer))

    assert registry._WORDING["fr"][registry.NEWSLETTERS] in page.text
    assert registry._WORDING["en"][registry.NEWSLETTERS] not in page.text
    assert "Adresse e-mail" in page.text
    assert "ne sera pas en mesure de répondre" in page.text


def test_a_refused_signature_keeps_what_the_client_typed(client, settings):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique, preferred_language="en")
    client.force_login(adviser(boutique))

    response = _post(
        client, customer, boutique, city="Lyon", signature=_signature(PDF_BYTES)
    )

    assert response.status_code == 400
    assert "must be a PNG image" in response.text
    assert 'value="Lyon"' in response.text
    _nothing_written(settings)


def test_a_missing_compulsory_field_shows_the_notice_sentence_as_an_error(
    client, settings
):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique, preferred_language="en")
    client.force_login(adviser(boutique))

    response = _post(client, customer, boutique, email="")

    assert response.status_code == 400
    assert 'class="tablet-sentence errornote"' in response.text
    assert "is compulsory for the requested service" in response.text
    _nothing_written(settings)


def test_the_form_for_a_client_of_another_boutique_is_404(client):
    mine, theirs = BoutiqueFactory(), BoutiqueFactory()
    client.force_login(adviser(mine))

    response = client.get(_url(ClientFactory(home_boutique=theirs)))

    assert response.status_code == 404


@pytest.mark.parametrize("make_user", [customer_service, compliance])
def test_staff_who_do_not_record_forms_cannot_open_it(client, make_user, settings):
    customer = ClientFactory()
    client.force_login(make_user())

    assert client.get(_url(customer)).status_code == 403
    assert _post(client, customer, customer.home_boutique).status_code == 403
    _nothing_written(settings)


def test_the_card_s_capture_consent_action_opens_the_tablet_form(client):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))

    card = client.get(reverse("admin:clienteling_client_card", args=[customer.pk]))

    assert card.status_code == 200
    assert _url(customer) in card.text
    assert reverse("admin:consents_capture_client", args=[customer.pk]) in card.text


def test_the_ledger_names_the_tablet_signature_as_evidence(client):
    boutique = BoutiqueFactory()
    result = _capture(boutique=boutique)
    client.force_login(adviser(boutique))

    page = client.get(reverse("admin:consents_client", args=[result.client.pk]))
    scan = client.get(reverse("admin:consents_scan", args=[result.submission.pk]))

    assert "signature on the tablet" in page.text
    assert "Clienteling tool form, version 1 · English" in page.text
    assert scan.status_code == 200
    assert scan["Content-Type"] == "image/png"


def test_erasure_deletes_the_signature_image_and_keeps_the_submission():
    result = _capture()
    path = services.scan_path(result.submission.scan_name)
    assert path.is_file()

    deleted = services.consent_scans_erase(client_ids=[result.client.pk])

    assert deleted == 1
    assert not path.exists()
    assert PaperFormSubmission.objects.filter(pk=result.submission.pk).exists()


def test_a_client_whose_language_is_not_complete_reads_english_and_is_told(client):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique, preferred_language="de")
    client.force_login(adviser(boutique))

    page = client.get(_url(customer))

    assert page.status_code == 200
    assert registry._WORDING["en"][registry.NEWSLETTERS] in page.text
    assert 'id="document-fallback"' in page.text
    assert 'name="language" value="en"' in page.text
