"""Requests from anyone (issue 18, decision 0054): a request is about a
person as they gave themselves, linked to zero, one or several client
records found by a search; "we hold nothing" is an answer; a client of a
boutique the user cannot see is refused."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clienteling.models import ClientAddress, ClientEmail, ClientPhone
from privacy import reports
from privacy import requests as dsr
from privacy.models import DataSubjectRequest
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    UserFactory,
    adviser,
    compliance,
    customer_service,
)

pytestmark = pytest.mark.django_db

INLINES = {
    "edits-TOTAL_FORMS": "0",
    "edits-INITIAL_FORMS": "0",
    "reports-TOTAL_FORMS": "0",
    "reports-INITIAL_FORMS": "0",
}


def _open(user, **person):
    return dsr.request_open(
        acting_user=user,
        kind="access",
        channel="email",
        received_on=timezone.localdate(),
        **person,
    )


def _verified(request, user):
    return dsr.request_verify_identity(
        acting_user=user, request=request, method="id_document", note="Passport seen"
    )


def _on_file(first, last, email, phone, boutique=None):
    client = ClientFactory(
        first_name=first,
        last_name=last,
        **({"home_boutique": boutique} if boutique else {}),
    )
    ClientEmail.objects.create(client=client, address=email, is_primary=True)
    ClientPhone.objects.create(client=client, number=phone, kind="mobile")
    ClientAddress.objects.create(
        client=client, line1="3 rue Cambon", postal_code="75001", city="Paris"
    )
    return client


def test_someone_not_on_file_is_answered_that_we_hold_nothing():
    officer = compliance()
    _on_file("Anne", "Autre", "anne@example.com", "+33611111111")

    request = _open(
        officer, person_name="Paul Inconnu", person_email="paul@example.org"
    )
    found = dsr.request_candidates(acting_user=officer, request=request)
    request = _verified(request, officer)
    request = dsr.request_nothing_held(acting_user=officer, request=request)

    assert found == {"candidates": [], "hidden": 0}
    assert request.client is None
    assert not request.clients.exists()
    assert request.status == DataSubjectRequest.Status.COMPLETED
    assert request.outcome == dsr.NOTHING_HELD_OUTCOME
    assert request.nothing_held_at is not None


def test_a_request_with_no_way_to_reach_the_person_writes_nothing():
    officer = compliance()

    with pytest.raises(ValidationError) as refused:
        _open(officer, person_name="Paul Inconnu")
    with pytest.raises(ValidationError) as nameless:
        _open(officer, person_email="paul@example.org")

    assert "at least one way to answer the person" in str(
        refused.value.message_dict["person_email"]
    )
    assert "person's name" in str(nameless.value.message_dict["person_name"])
    assert not DataSubjectRequest.objects.exists()


def test_records_are_found_by_email_phone_and_name_with_their_contact_details():
    officer = compliance()
    by_email = _on_file("Claire", "Dupont", "claire@example.com", "+33622222222")
    by_phone = _on_file("C.", "Martin", "cm@example.com", "+33633333333")
    _on_file("Jean", "Autre", "jean@example.com", "+33644444444")

    request = _open(
        officer,
        person_name="Zoé Introuvable",
        person_email="claire@example.com",
        person_phone="06 33 33 33 33",
    )
    found = dsr.request_candidates(acting_user=officer, request=request)

    by_client = {c.client: c for c in found["candidates"]}
    assert set(by_client) == {by_email, by_phone}
    assert "email" in by_client[by_email].matched
    assert "phone" in by_client[by_phone].matched
    assert by_client[by_email].emails == ("claire@example.com",)
    assert by_client[by_phone].phones == ("+33633333333",)
    assert by_client[by_email].addresses == ("3 rue Cambon, 75001, Paris",)

    request = dsr.request_link_clients(
        acting_user=officer, request=request, clients=[by_email, by_phone]
    )
    assert set(request.clients.all()) == {by_email, by_phone}
    assert request.client == by_email
    with pytest.raises(ValidationError, match="linked to 2 client records"):
        dsr.request_nothing_held(
            acting_user=officer, request=_verified(request, officer)
        )


def test_a_client_of_a_boutique_the_user_cannot_see_is_refused_nothing_written():
    paris, london = BoutiqueFactory(), BoutiqueFactory()
    handler = UserFactory(boutiques=[paris])
    handler.user_permissions.add(
        Permission.objects.get(codename="change_datasubjectrequest"),
        Permission.objects.get(codename="view_datasubjectrequest"),
    )
    theirs = _on_file("Lise", "Londres", "lise@example.com", "+447700900123", london)
    request = _open(
        handler, person_name="Lise Londres", person_email="lise@example.com"
    )

    found = dsr.request_candidates(acting_user=handler, request=request)
    with pytest.raises(ValidationError) as refused:
        dsr.request_link_clients(acting_user=handler, request=request, clients=[theirs])

    assert found == {"candidates": [], "hidden": 1}  # counted, never named
    assert theirs.client_number in str(refused.value)
    assert "boutique you cannot see" in str(refused.value)
    assert not request.clients.exists()
    assert DataSubjectRequest.objects.count() == 1


def test_no_report_before_a_client_record_is_linked():
    officer = compliance()
    request = _verified(
        _open(officer, person_name="Paul Inconnu", person_phone="+33655555555"),
        officer,
    )

    with pytest.raises(ValidationError, match="Link the person's client record"):
        reports.report_request(acting_user=officer, request=request)


# --- Admin pages (compliance is the role that handles requests) -------------


def test_compliance_registers_someone_not_on_file_finds_links_and_answers(client):
    officer = compliance()
    client.force_login(officer)
    on_file = _on_file("Claire", "Dupont", "claire@example.com", "+33622222222")

    response = client.post(
        reverse("admin:privacy_datasubjectrequest_add"),
        {
            "person_name": "Claire Dupont",
            "person_email": "claire@example.com",
            "kind": "access",
            "channel": "email",
            "received_on": timezone.localdate().isoformat(),
            **INLINES,
        },
    )
    assert response.status_code == 302, response.content[:3000]
    request = DataSubjectRequest.objects.get()
    assert request.client is None
    assert (
        client.get(reverse("admin:privacy_datasubjectrequest_changelist")).status_code
        == 200
    )
    change = client.get(
        reverse("admin:privacy_datasubjectrequest_change", args=[request.pk])
    )
    assert b'id="dsr-find"' in change.content

    find_url = reverse("admin:privacy_request_find", args=[request.pk])
    page = client.get(find_url)
    assert page.status_code == 200
    assert b"claire@example.com" in page.content
    assert b"3 rue Cambon" in page.content
    response = client.post(find_url, {"clients": [on_file.pk]})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.client == on_file


def test_compliance_answers_nothing_held_through_its_page(client):
    officer = compliance()
    client.force_login(officer)
    request = _verified(
        _open(officer, person_name="Paul Inconnu", person_email="paul@example.org"),
        officer,
    )
    url = reverse("admin:privacy_request_action", args=[request.pk, "nothing-held"])

    page = client.get(url)
    assert page.status_code == 200
    assert b"dsr-nothing-held-explained" in page.content
    assert b"Paul Inconnu" in page.content
    response = client.post(url)

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == DataSubjectRequest.Status.COMPLETED


def test_the_add_form_refuses_a_person_with_no_way_to_reach_them(client):
    client.force_login(compliance())

    response = client.post(
        reverse("admin:privacy_datasubjectrequest_add"),
        {
            "person_name": "Paul Inconnu",
            "kind": "access",
            "channel": "post",
            "received_on": timezone.localdate().isoformat(),
            **INLINES,
        },
    )

    assert response.status_code == 200
    assert b"at least one way to answer the person" in response.content
    assert not DataSubjectRequest.objects.exists()


@pytest.mark.parametrize("make", [adviser, customer_service])
def test_other_roles_cannot_reach_the_request_pages(client, make):
    request = _open(compliance(), person_name="Paul", person_email="p@example.org")
    client.force_login(make(BoutiqueFactory()) if make is adviser else make())

    for url in (
        reverse("admin:privacy_request_find", args=[request.pk]),
        reverse("admin:privacy_request_action", args=[request.pk, "nothing-held"]),
    ):
        assert client.get(url).status_code in (403, 404), url


# --- Identity evidence -------------------------------------------------------

PDF = b"%PDF-1.4\n% identity card scan\n"


def _upload(body=PDF, name="id.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body, content_type="application/pdf")


def test_identity_evidence_is_kept_privately_and_deleted_when_the_request_closes(
    django_capture_on_commit_callbacks,
):
    officer = compliance()
    request = _open(officer, person_name="Paul Inconnu", person_email="p@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        request = dsr.request_attach_evidence(
            acting_user=officer, request=request, upload=_upload()
        )
    path = dsr.evidence_path(request)
    assert path.read_bytes() == PDF
    assert "id.pdf" not in path.name  # a random name, never the person's
    with django_capture_on_commit_callbacks(execute=True):
        request = dsr.request_close(
            acting_user=officer,
            request=request,
            status=DataSubjectRequest.Status.WITHDRAWN,
        )

    assert not path.exists()
    assert request.identity_evidence_name == ""
    assert request.identity_evidence_deleted_at == request.closed_at
    with pytest.raises(ValidationError, match="closed"):
        dsr.request_attach_evidence(
            acting_user=officer, request=request, upload=_upload()
        )


def test_evidence_that_is_not_a_scan_is_refused_nothing_written(settings):
    officer = compliance()
    request = _open(officer, person_name="Paul Inconnu", person_email="p@example.org")

    with pytest.raises(ValidationError) as refused:
        dsr.request_attach_evidence(
            acting_user=officer, request=request, upload=_upload(b"MZ\x90binary")
        )

    assert "PDF, JPEG or PNG" in str(refused.value.message_dict["evidence"])
    request.refresh_from_db()
    assert request.identity_evidence_name == ""
    folder = dsr.evidence_folder()
    assert not folder.exists() or not any(folder.iterdir())


def test_erasure_deletes_the_evidence_of_the_clients_requests():
    officer = compliance()
    on_file = ClientFactory()
    request = dsr.request_attach_evidence(
        acting_user=officer,
        request=_open(officer, client=on_file),
        upload=_upload(),
    )
    path = dsr.evidence_path(request)

    assert dsr.evidence_erase(client_ids=[on_file.pk]) == 1
    assert not path.exists()


def test_compliance_attaches_and_opens_the_evidence_logged(
    client, django_capture_on_commit_callbacks
):
    from core.models import AccessLogEntry

    officer = compliance()
    client.force_login(officer)
    request = _open(officer, person_name="Paul Inconnu", person_email="p@example.org")
    url = reverse("admin:privacy_request_evidence", args=[request.pk])

    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"evidence": _upload()})
    assert response.status_code == 302
    change = client.get(
        reverse("admin:privacy_datasubjectrequest_change", args=[request.pk])
    )
    assert b"kept until the request closes" in change.content
    opened = client.get(
        reverse("admin:privacy_request_evidence_file", args=[request.pk])
    )

    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == PDF
    assert AccessLogEntry.objects.filter(
        action="download", object_type="privacy.datasubjectrequest"
    ).exists()
