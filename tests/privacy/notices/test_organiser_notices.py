"""Event organisers: the guest lists they receive are recorded per guest,
and an erasure, a rectification or a restriction of a guest is emailed to
them at their contact address, in their language (decision 0106)."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from clienteling.models import Invitation
from core import roles
from core.models import AccessLogEntry
from privacy import notices, organisers, processors
from privacy import requests as dsr
from privacy.erasure import jobs
from privacy.models import (
    DataSubjectRequest,
    GuestListDisclosure,
    OrganiserDisclosure,
    Recipient,
    RecipientNotice,
)
from tests.clienteling.factories import (
    ClientFactory,
    EmailFactory,
    HouseEventFactory,
    InvitationFactory,
    UserFactory,
)
from tests.privacy.factories import (
    OrganiserFactory,
    PartnerFactory,
    RecipientFactory,
    disclosed,
    given_to,
    run_erasure,
    verified_erasure_request,
)

pytestmark = pytest.mark.django_db


def _erase(client, django_capture_on_commit_callbacks):
    erasure = jobs.erasure_request(
        acting_user=UserFactory(),
        client=client,
        request=verified_erasure_request(client),
    )
    with django_capture_on_commit_callbacks(execute=True):
        erasure = jobs.erasure_approve(acting_user=UserFactory(), job=erasure)
    with django_capture_on_commit_callbacks(execute=True):
        run_erasure(erasure)
    return erasure


# --- The guest list and its per-guest record ----------------------------------


def test_giving_a_guest_list_records_each_guest_who_holds_a_seat_and_no_data():
    event = HouseEventFactory(name="Soirée Opale")
    accepted = InvitationFactory(event=event, status=Invitation.Status.ACCEPTED)
    attended = InvitationFactory(event=event, status=Invitation.Status.ATTENDED)
    InvitationFactory(event=event, status=Invitation.Status.DECLINED)
    InvitationFactory(event=event, status=Invitation.Status.INVITED)
    organiser = OrganiserFactory()
    officer = UserFactory()

    guest_list = organisers.guest_list_give(
        acting_user=officer, event=event, organiser=organiser, categories=["names"]
    )

    assert guest_list.guest_count == 2
    assert guest_list.disclosed_by == officer
    rows = OrganiserDisclosure.objects.filter(guest_list=guest_list)
    assert {r.client_id for r in rows} == {accepted.client_id, attended.client_id}
    assert {r.organiser_id for r in rows} == {organiser.pk}
    # ids, dates and the organiser only: no name, no address copied
    assert {f.name for f in OrganiserDisclosure._meta.concrete_fields} == {
        "id",
        "guest_list",
        "organiser",
        "client",
        "disclosed_at",
    }


def test_the_guest_list_carries_the_guest_reference_and_only_the_data_given():
    client = ClientFactory(first_name="Aurèle", last_name="Vantongeren")
    EmailFactory(client=client, address="aurele@example.org", is_primary=True)
    guest_list = given_to(OrganiserFactory(), client, categories=["names"])

    rows = organisers.guest_list_rows(guest_list)

    (entry,) = OrganiserDisclosure.objects.filter(guest_list=guest_list)
    assert rows == [
        {
            "guest_ref": f"G{entry.pk}",
            "first_name": "Aurèle",
            "last_name": "Vantongeren",
        }
    ]
    assert organisers.guest_list_columns(guest_list) == [
        "guest_ref",
        "first_name",
        "last_name",
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("not_an_organiser", "organiser", "Choose an event organiser"),
        ("inactive", "organiser", "is no longer active"),
        ("no_category", "categories", "Choose the data the guest list gives."),
        ("no_guest", "event", "has accepted: there is no guest list to give"),
    ],
)
def test_a_bad_guest_list_is_refused_with_the_reason_and_nothing_written(
    change, field, message
):
    event = HouseEventFactory()
    if change != "no_guest":
        InvitationFactory(event=event, status=Invitation.Status.ACCEPTED)
    organiser = {
        "not_an_organiser": RecipientFactory,
        "inactive": lambda: OrganiserFactory(is_active=False),
    }.get(change, OrganiserFactory)()
    categories = [] if change == "no_category" else ["names"]

    with pytest.raises(ValidationError) as refused:
        organisers.guest_list_give(
            acting_user=None, event=event, organiser=organiser, categories=categories
        )

    assert message in " ".join(refused.value.message_dict[field])
    assert not GuestListDisclosure.objects.exists()
    assert not OrganiserDisclosure.objects.exists()


# --- Notices emailed to the organiser --------------------------------------------


def test_an_erased_guest_is_emailed_to_the_organiser_in_its_language(
    django_capture_on_commit_callbacks,
):
    # given a guest of an event whose guest list went to a French organiser,
    # and to a partner
    client = ClientFactory(first_name="Zéphyrine", last_name="Quillfeather")
    partner = PartnerFactory()
    disclosed(client, partner=partner)
    organiser = OrganiserFactory(
        name="Salons Opale", contact_email="rsvp@opale.example", contact_language="fr"
    )
    event = HouseEventFactory(name="Vernissage Opale", boutique=client.home_boutique)
    guest_list = given_to(organiser, client, event=event)
    (entry,) = OrganiserDisclosure.objects.filter(guest_list=guest_list)
    # when the client is erased
    erasure = _erase(client, django_capture_on_commit_callbacks)
    # then the organiser's notice is recorded as emailed, with the others
    sent = RecipientNotice.objects.filter(client=client).order_by("recipient")
    assert {(n.recipient, n.how, n.outcome) for n in sent} == {
        ("group", "file", "sent"),
        (partner.code, "file", "sent"),
        (f"organiser:{organiser.pk}", "email", "sent"),
    }
    notice = sent.get(how="email")
    assert notice.client_ref == f"guest:G{entry.pk}"
    assert notice.reference == f"erasure#{erasure.pk}"
    assert notice.sent_at >= notice.queued_at
    assert notice.attempts == 1
    assert "rsvp@opale.example" in notice.detail
    # and the email went to its address, in French, naming the guest by the
    # reference on the list, not by name (the record is erased)
    (message,) = [m for m in mail.outbox if m.to == ["rsvp@opale.example"]]
    assert "Vernissage Opale" in message.subject
    assert f"G{entry.pk}" in message.body
    given_on = timezone.localtime(guest_list.disclosed_at)
    with translation.override("fr"):
        assert date_format(given_on) in message.body  # "8 décembre 2026"
    with translation.override("en"):
        assert date_format(given_on) not in message.body
    assert "Quillfeather" not in message.body
    assert notices.recipient_name(notice.recipient) == "Salons Opale"


def test_a_rectified_guest_is_emailed_with_the_corrected_entry_in_english(
    django_capture_on_commit_callbacks,
):
    officer = UserFactory()
    client = ClientFactory(first_name="Ines", last_name="Wrongname")
    organiser = OrganiserFactory(contact_email="guests@venue.example", country="GB")
    guest_list = given_to(organiser, client, categories=["names"])
    request = dsr.request_open(
        acting_user=officer,
        client=client,
        kind=DataSubjectRequest.Kind.RECTIFICATION,
        channel="email",
        received_on=timezone.localdate(),
    )
    request = dsr.request_verify_identity(
        acting_user=officer, request=request, method="known_email"
    )
    client.last_name = "Rightname"
    client._history_user = officer
    client.save()

    with django_capture_on_commit_callbacks(execute=True):
        dsr.rectification_link_edits(acting_user=officer, request=request)

    notice = RecipientNotice.objects.get(recipient=f"organiser:{organiser.pk}")
    assert (notice.kind, notice.outcome) == ("rectification", "sent")
    (message,) = mail.outbox
    assert message.to == ["guests@venue.example"]
    assert "Hello" in message.body
    with translation.override("en"):
        assert date_format(timezone.localtime(guest_list.disclosed_at)) in (
            message.body
        )
    assert "Name: Ines Rightname" in message.body
    assert "Article 19" in message.body


def test_a_staff_edit_of_a_guests_name_emails_the_organiser_and_not_of_a_birth_date(
    django_capture_on_commit_callbacks,
):
    # given a guest whose name went to an organiser, and no request open
    adviser = UserFactory()
    client = ClientFactory(first_name="Ines", last_name="Typo")
    organiser = OrganiserFactory(contact_email="guests@venue.example", country="GB")
    given_to(organiser, client, categories=["names"])
    # an edit of what the list did not carry tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        client.birth_date = datetime.date(1980, 5, 17)
        client._history_user = adviser
        client.save()
    assert not RecipientNotice.objects.exists()
    # when staff correct the name outside any request (decision 0096)
    with django_capture_on_commit_callbacks(execute=True):
        client.last_name = "Tipo"
        client._history_user = adviser
        client.save()
    # then the organiser is emailed the corrected entry, once
    notice = RecipientNotice.objects.get()
    row = client.history.latest()
    assert (notice.recipient, notice.kind, notice.outcome) == (
        f"organiser:{organiser.pk}",
        "rectification",
        "sent",
    )
    assert notice.reference == f"edit:client#{row.history_id}"
    (message,) = mail.outbox
    assert message.to == ["guests@venue.example"]
    assert "Name: Ines Tipo" in message.body


def test_an_organiser_without_an_email_is_recorded_as_such_then_sent_once_given_one(
    django_capture_on_commit_callbacks,
):
    # given an organiser with no contact address
    client = ClientFactory()
    organiser = OrganiserFactory(name="Traiteur Sans Adresse", contact_email="")
    given_to(organiser, client)
    # when the client's processing is restricted
    with django_capture_on_commit_callbacks(execute=True):
        notices.notices_queue(
            acting_user=None,
            client_ids=[client.pk],
            kind="restriction",
            reference="restriction#1",
        )
    # then the notice is failed, saying why, and counted for compliance
    notice = RecipientNotice.objects.get()
    assert (notice.how, notice.outcome, notice.sent_at) == ("email", "failed", None)
    assert notice.detail == (
        "Traiteur Sans Adresse has no contact email: add one on the recipient "
        "and the notice is sent then."
    )
    assert notice.attempts == 1  # not retried: nothing to retry until then
    assert notices.notice_counts().failed == 1
    assert mail.outbox == []
    # when compliance adds the address
    organiser.contact_email = "contact@traiteur.example"
    with django_capture_on_commit_callbacks(execute=True):
        processors.recipient_save(acting_user=None, recipient=organiser)
    # then the notice goes
    notice.refresh_from_db()
    assert (notice.outcome, notice.attempts) == ("sent", 2)
    assert [m.to for m in mail.outbox] == [["contact@traiteur.example"]]


def test_an_email_that_cannot_go_is_tried_three_times_then_left_failed(
    monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail import EmailMessage

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    client = ClientFactory()
    organiser = OrganiserFactory(contact_email="x@organiser.example")
    given_to(organiser, client)

    with django_capture_on_commit_callbacks(execute=True):
        notices.notices_queue(
            acting_user=None, client_ids=[client.pk], kind="erasure", reference="e"
        )

    notice = RecipientNotice.objects.get()
    assert (notice.outcome, notice.attempts) == ("failed", notices.MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in notice.detail
    assert "attempt 3 of 3" in notice.detail


def test_a_withdrawal_does_not_concern_the_organisers(
    django_capture_on_commit_callbacks,
):
    client = ClientFactory()
    disclosed(client)
    given_to(OrganiserFactory(), client)
    with django_capture_on_commit_callbacks(execute=True):
        notices.notices_queue(
            acting_user=None,
            client_ids=[client.pk],
            kind="withdrawal",
            reference="consent#1",
            purpose_code="cross_group_intelligence",
        )
    assert list(RecipientNotice.objects.values_list("recipient", flat=True)) == [
        "group"
    ]


def test_the_same_cause_emails_the_organiser_once(django_capture_on_commit_callbacks):
    client = ClientFactory()
    given_to(OrganiserFactory(), client)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notices.notices_queue(
                acting_user=None, client_ids=[client.pk], kind="erasure", reference="e"
            )
    assert RecipientNotice.objects.count() == 1
    assert len(mail.outbox) == 1


# --- Who received my data ----------------------------------------------------------


def test_the_access_report_names_the_organiser_who_received_the_guest_list():
    from privacy import report_render, reports

    client = ClientFactory()
    organiser = OrganiserFactory(name="Salons & Soirées Opale")
    given_to(organiser, client)
    bystander = ClientFactory()

    names = [r.name for r in notices.client_recipients([client.pk])]
    assert names == ["Salons & Soirées Opale"]
    assert notices.client_recipients([bystander.pk]) == []

    document = reports.build_document(client)
    labels = {
        record["model"]
        for section in document["categories"]
        for record in section["records"]
    }
    assert "privacy.OrganiserDisclosure" in labels
    page = report_render.render_html(document)
    assert "Your data was actually sent to: Salons &amp; Soirées Opale" in page


# --- The recipient's contact address ----------------------------------------------


def test_an_invalid_contact_email_is_refused_and_nothing_written():
    recipient = Recipient(
        name="Traiteur Invalide",
        kind=Recipient.Kind.EVENT_ORGANISER,
        service="Catering",
        country="FR",
        contact_email="not an address",
    )
    with pytest.raises(ValidationError) as refused:
        processors.recipient_save(acting_user=None, recipient=recipient)
    assert refused.value.message_dict["contact_email"] == [
        "Enter a valid email address."
    ]
    assert not Recipient.objects.exists()


def _compliance(client):
    officer = UserFactory(role=roles.COMPLIANCE)
    client.force_login(officer)
    return officer


def test_compliance_adds_an_organiser_with_its_contact_email(client):
    _compliance(client)
    url = reverse("admin:privacy_recipient_add")
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="contact_email"' in page.text
    assert 'name="contact_language"' in page.text

    response = client.post(
        url,
        {
            "name": "Salons Nacre",
            "kind": "event_organiser",
            "service": "Guest lists",
            "country": "FR",
            "contact_email": "rsvp@nacre.example",
            "contact_language": "fr",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    saved = Recipient.objects.get(name="Salons Nacre")
    assert (saved.contact_email, saved.language) == ("rsvp@nacre.example", "fr")


def test_the_recipient_form_refuses_an_invalid_email_and_writes_nothing(client):
    _compliance(client)
    organiser = OrganiserFactory(contact_email="ok@organiser.example")
    url = reverse("admin:privacy_recipient_change", args=[organiser.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "name": organiser.name,
            "kind": "event_organiser",
            "service": organiser.service,
            "country": "FR",
            "contact_email": "ok@organiser",
            "contact_language": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    organiser.refresh_from_db()
    assert organiser.contact_email == "ok@organiser.example"


def test_compliance_gives_a_guest_list_and_downloads_it(client):
    officer = _compliance(client)
    organiser = OrganiserFactory()
    guest = ClientFactory(last_name="Quartz")
    event = HouseEventFactory(boutique=guest.home_boutique)
    InvitationFactory(event=event, client=guest, status=Invitation.Status.ACCEPTED)
    url = reverse("admin:privacy_guestlistdisclosure_add")
    page = client.get(url)
    assert page.status_code == 200
    assert organiser.name in page.text

    response = client.post(
        url,
        {"event": event.pk, "organiser": organiser.pk, "categories": ["names"]},
    )

    assert response.status_code == 302
    guest_list = GuestListDisclosure.objects.get()
    assert (guest_list.guest_count, guest_list.disclosed_by) == (1, officer)
    (entry,) = OrganiserDisclosure.objects.all()
    assert entry.client == guest
    change = client.get(
        reverse("admin:privacy_guestlistdisclosure_change", args=[guest_list.pk])
    )
    assert change.status_code == 200
    assert "Download the guest list (CSV)" in change.text

    download = client.get(
        reverse("admin:privacy_guestlistdisclosure_download", args=[guest_list.pk])
    )

    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert rows == [
        {
            "guest_ref": f"G{entry.pk}",
            "first_name": guest.first_name,
            "last_name": "Quartz",
        }
    ]
    assert AccessLogEntry.objects.filter(
        action="download", object_type="privacy.guestlistdisclosure", count=1
    ).exists()


def test_the_guest_list_form_refuses_an_event_without_guests(client):
    _compliance(client)
    organiser = OrganiserFactory()
    event = HouseEventFactory(name="Soirée Vide")

    response = client.post(
        reverse("admin:privacy_guestlistdisclosure_add"),
        {"event": event.pk, "organiser": organiser.pk, "categories": ["names"]},
    )

    assert response.status_code == 200
    assert "there is no guest list to give" in response.text
    assert not GuestListDisclosure.objects.exists()


@pytest.mark.parametrize("role", [roles.ADVISER, roles.MANAGER, roles.CUSTOMER_SERVICE])
def test_other_roles_cannot_give_or_download_a_guest_list(client, role):
    from tests.privacy.factories import GuestListDisclosureFactory

    guest_list = GuestListDisclosureFactory()
    client.force_login(UserFactory(role=role, boutiques=[guest_list.event.boutique]))
    assert (
        client.get(reverse("admin:privacy_guestlistdisclosure_add")).status_code == 403
    )
    assert (
        client.get(
            reverse("admin:privacy_guestlistdisclosure_download", args=[guest_list.pk])
        ).status_code
        == 403
    )
