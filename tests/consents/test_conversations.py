"""Consent given or withdrawn by phone or email (consents.conversations,
views.conversation_consent, decision 0072)."""

import hashlib
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consents import conversations, registry, services
from consents.models import (
    Channel,
    ConsentConversation,
    ConsentDecision,
    FormTemplateVersion,
)
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    EmailFactory,
    adviser,
    customer_service,
)
from tests.consents.factories import PDF_BYTES, grant, paper_version

pytestmark = pytest.mark.django_db

EML = (
    b"From: Client <client@example.com>\r\nTo: service@example.com\r\n"
    b"Subject: Newsletter\r\nDate: Mon, 7 Dec 2026 10:00:00 +0100\r\n\r\n"
    b"Yes, please send me your newsletter.\r\n"
)


def _url(client):
    return reverse("admin:consents_conversation", args=[client.pk])


def _copy(body=EML, name="message.eml"):
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


def _post(http, customer, **overrides):
    data = {
        "decision": "grant",
        "purposes": [registry.NEWSLETTERS],
        "channel": "phone",
        "version": paper_version().pk,
        "language": "en",
        "reference": "CALL-2026-0001",
    }
    data.update(overrides)
    return http.post(_url(customer), data)


def _nothing_written():
    assert not ConsentConversation.objects.exists()
    assert not ConsentDecision.objects.exists()


def _stored_files(settings):
    folder = settings.PRIVATE_STORAGE_ROOT / "consent-scans"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_customer_service_records_a_phone_consent_with_its_call_id(client):
    # given a client and a customer-service agent
    customer = ClientFactory(preferred_language="en")
    agent = customer_service()
    client.force_login(agent)

    # when the agent records the consent given on the phone
    response = _post(client, customer)

    # then one ledger row names the call, the wording and who recorded it
    assert response.status_code == 302
    row = ConsentDecision.objects.get()
    assert row.decision == ConsentDecision.Decision.GRANT
    assert row.channel == Channel.PHONE
    assert row.recorded_by == agent
    assert row.conversation.reference == "CALL-2026-0001"
    assert row.conversation.recorded_by == agent
    assert row.wording.version == paper_version()
    assert row.wording.language == "en"
    page = client.get(response["Location"])
    assert "CALL-2026-0001" in page.text
    assert "Newsletters" in page.text


def test_the_page_offers_the_wording_in_the_clients_language(client):
    customer = ClientFactory(preferred_language="fr")
    client.force_login(customer_service())

    page = client.get(_url(customer))

    assert page.status_code == 200
    french = paper_version().wordings.get(
        purpose__code=registry.NEWSLETTERS, language="fr"
    )
    assert french.text in page.text
    # contract purposes are not offered
    assert 'value="boutique_orders"' not in page.text


def test_a_phone_consent_without_a_call_id_writes_nothing(client):
    customer = ClientFactory()
    client.force_login(customer_service())

    response = _post(client, customer, reference="  ")

    assert response.status_code == 400
    assert "call id" in response.text
    _nothing_written()


def test_an_email_consent_keeps_a_copy_of_the_email(client, settings):
    customer = ClientFactory()
    agent = customer_service()
    client.force_login(agent)

    response = _post(
        client, customer, channel="email", reference="", email_copy=_copy()
    )

    assert response.status_code == 302
    conversation = ConsentConversation.objects.get()
    assert conversation.channel == "email"
    assert conversation.copy_content_type == "message/rfc822"
    assert conversation.copy_sha256 == hashlib.sha256(EML).hexdigest()
    assert conversation.copy_size == len(EML)
    path = conversations.email_copy_path(conversation)
    assert path.read_bytes() == EML
    assert ConsentDecision.objects.get().conversation == conversation
    # and the copy is served to staff who see the client, as an attachment
    download = client.get(reverse("admin:consents_email_copy", args=[conversation.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == EML
    assert download["Content-Disposition"].startswith("attachment")


def test_an_email_consent_without_a_copy_writes_nothing(client, settings):
    customer = ClientFactory()
    client.force_login(customer_service())

    response = _post(client, customer, channel="email", reference="")

    assert response.status_code == 400
    assert "Attach a copy" in response.text
    _nothing_written()
    assert _stored_files(settings) == []


def test_an_email_copy_too_big_is_refused_and_not_stored(client, settings):
    settings.CONSENT_SCAN_MAX_BYTES = 100
    customer = ClientFactory()
    client.force_login(customer_service())

    response = _post(
        client, customer, channel="email", email_copy=_copy(EML + b"x" * 200)
    )

    assert response.status_code == 400
    assert "the limit is 0 KB" in response.text
    _nothing_written()
    assert _stored_files(settings) == []


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (EML, "message.exe"),  # a type not accepted
        (b"not a pdf at all", "message.pdf"),  # a name its content belies
        (b"\x00\x01binary", "message.txt"),
        (PDF_BYTES, "message.eml"),  # no From nor Subject
    ],
)
def test_an_email_copy_of_a_wrong_type_is_refused(client, settings, body, name):
    customer = ClientFactory()
    client.force_login(customer_service())

    response = _post(client, customer, channel="email", email_copy=_copy(body, name))

    assert response.status_code == 400
    assert ".eml, .msg, .pdf or .txt" in response.text
    _nothing_written()
    assert _stored_files(settings) == []


def test_a_pdf_copy_is_accepted(client):
    customer = ClientFactory()
    client.force_login(customer_service())

    response = _post(
        client, customer, channel="email", email_copy=_copy(PDF_BYTES, "mail.pdf")
    )

    assert response.status_code == 302
    assert ConsentConversation.objects.get().copy_content_type == "application/pdf"


def test_a_contract_purpose_is_refused_by_the_service():
    customer = ClientFactory()

    with pytest.raises(ValidationError) as refused:
        conversations.conversation_consent_record(
            acting_user=customer_service(),
            client=customer,
            channel="phone",
            purpose_codes=["boutique_orders"],
            decision="grant",
            version=paper_version(),
            language="en",
            reference="CALL-1",
        )

    assert "not consent" in str(refused.value)
    _nothing_written()


def test_a_purpose_not_offered_is_refused_on_the_page(client):
    customer = ClientFactory()
    client.force_login(customer_service())

    response = _post(client, customer, purposes=["boutique_orders"])

    assert response.status_code == 400
    assert "is not a purpose whose consent is recorded here" in response.text
    _nothing_written()


def test_a_channel_not_offered_is_refused(client):
    customer = ClientFactory()
    client.force_login(customer_service())

    response = _post(client, customer, channel="website")

    assert response.status_code == 400
    _nothing_written()


def test_a_phone_withdrawal_is_recorded_and_named(client):
    customer = ClientFactory()
    grant(customer, registry.NEWSLETTERS)
    client.force_login(customer_service())

    response = _post(client, customer, decision="withdraw")

    assert response.status_code == 302
    latest = ConsentDecision.objects.order_by("-pk").first()
    assert latest.decision == ConsentDecision.Decision.WITHDRAW
    assert latest.conversation.reference == "CALL-2026-0001"
    page = client.get(response["Location"])
    assert "consent withdrawn from" in page.text


def test_withdrawing_what_was_not_granted_writes_nothing(client):
    customer = ClientFactory()
    client.force_login(customer_service())

    response = _post(client, customer, decision="withdraw")

    assert response.status_code == 400
    assert "nothing to withdraw" in response.text
    _nothing_written()


def test_a_version_without_the_wording_is_refused():
    customer = ClientFactory()
    version = FormTemplateVersion.objects.filter(wordings__isnull=False).first()

    with pytest.raises(ValidationError) as refused:
        conversations.conversation_consent_record(
            acting_user=customer_service(),
            client=customer,
            channel="phone",
            purpose_codes=[registry.NEWSLETTERS],
            decision="grant",
            version=version,
            language="xx",
            reference="CALL-1",
        )

    assert "no wording" in str(refused.value)
    _nothing_written()


def test_advisers_do_not_record_consent_by_phone(client):
    boutique = BoutiqueFactory()
    customer = ClientFactory(home_boutique=boutique)
    client.force_login(adviser(boutique))

    assert client.get(_url(customer)).status_code == 403
    assert _post(client, customer).status_code == 403
    card = client.get(reverse("admin:consents_client", args=[customer.pk]))
    assert _url(customer) not in card.text
    _nothing_written()


def test_customer_service_finds_the_screen_on_the_client_page(client):
    customer = ClientFactory()
    client.force_login(customer_service())

    page = client.get(reverse("admin:consents_client", args=[customer.pk]))

    assert _url(customer) in page.text


def test_a_failed_write_removes_the_stored_copy(settings, monkeypatch):
    # given the ledger refusing the row after the copy was stored
    customer = ClientFactory()
    EmailFactory(client=customer)

    def refuse(**kwargs):
        raise ValidationError({"purpose": "refused for the test"})

    monkeypatch.setattr(services, "consent_record", refuse)

    with pytest.raises(ValidationError):
        conversations.conversation_consent_record(
            acting_user=customer_service(),
            client=customer,
            channel="email",
            purpose_codes=[registry.NEWSLETTERS],
            decision="grant",
            version=paper_version(),
            language="en",
            email_copy=_copy(),
        )

    assert _stored_files(settings) == []
    assert not ConsentConversation.objects.exists()


def test_erasure_deletes_the_email_copy_and_the_sweep_keeps_it(settings):
    customer = ClientFactory()
    result = conversations.conversation_consent_record(
        acting_user=customer_service(),
        client=customer,
        channel="email",
        purpose_codes=[registry.NEWSLETTERS],
        decision="grant",
        version=paper_version(),
        language="en",
        email_copy=_copy(),
    )
    path = conversations.email_copy_path(result.conversation)

    # the nightly orphan sweep knows the copy (even when old)
    os.utime(path, (0, 0))
    assert services.scan_orphans_remove()["removed"] == 0
    assert path.is_file()
    # erasure's file step deletes it
    assert services.consent_scans_erase(client_ids=[customer.pk]) == 1
    assert not path.exists()


def test_every_missing_piece_is_reported_at_once(client):
    customer = ClientFactory()
    client.force_login(customer_service())

    response = _post(client, customer, purposes=[], reference="")

    assert response.status_code == 400
    assert "Choose at least one purpose" in response.text
    assert "call id" in response.text
    _nothing_written()
