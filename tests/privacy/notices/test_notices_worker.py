"""Art. 19 notices sent by a real Celery worker through the broker: every
recipient of an erased or rectified client has its notice recorded as
sent within one minute, without waiting for the next sharing batch."""

import time

import pytest
from django.utils import timezone

from privacy import requests as dsr
from privacy.erasure import jobs
from privacy.models import DataSubjectRequest, ErasureJob, RecipientNotice
from tests.clienteling.factories import ClientFactory, UserFactory
from tests.privacy.factories import PartnerFactory, disclosed, verified_erasure_request

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker]

ONE_MINUTE = 60


def _sent_within_a_minute(client, expected: int, started: float):
    """Poll the notices' rows (the worker writes them) for up to a minute
    from `started`; the rows are the proof, not the task's return."""
    while True:
        rows = list(RecipientNotice.objects.filter(client=client))
        if len(rows) == expected and all(r.outcome == "sent" for r in rows):
            return rows, time.monotonic() - started
        if time.monotonic() - started > ONE_MINUTE:
            pytest.fail(f"after a minute: {[(r.recipient, r.outcome) for r in rows]}")
        time.sleep(0.2)


def _setup():
    from consents.registry import sync_registry
    from core.roles import sync_roles

    sync_registry()
    sync_roles()


def test_an_erased_clients_recipients_are_noticed_by_a_worker_within_a_minute(
    celery_worker,
):
    # given a client whose data went to the group and a partner
    _setup()
    client = ClientFactory()
    partner = PartnerFactory()
    disclosed(client, partner=partner)
    erasure = jobs.erasure_request(
        acting_user=UserFactory(),
        client=client,
        request=verified_erasure_request(client),
    )
    # when a second officer approves it (the worker runs the erasure job,
    # whose last step queues the notices)
    started = time.monotonic()
    jobs.erasure_approve(acting_user=UserFactory(), job=erasure)
    rows, elapsed = _sent_within_a_minute(client, 2, started)
    # then the erasure is done and each recipient's notice is recorded
    assert ErasureJob.objects.get(pk=erasure.pk).status == ErasureJob.Status.DONE
    assert sorted((r.recipient, r.kind, r.how) for r in rows) == [
        ("group", "erasure", "file"),
        (partner.code, "erasure", "file"),
    ]
    assert all(r.sent_at >= r.queued_at for r in rows)
    assert all(r.attempts == 1 for r in rows)
    assert elapsed < ONE_MINUTE


def test_a_rectified_clients_recipients_are_noticed_by_a_worker(celery_worker):
    _setup()
    officer = UserFactory()
    client = ClientFactory()
    partner = PartnerFactory()
    disclosed(client, partner=partner)
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
    client.last_name = "Rectifié"
    client._history_user = officer
    client.save()
    started = time.monotonic()
    dsr.rectification_link_edits(acting_user=officer, request=request)
    rows, _elapsed = _sent_within_a_minute(client, 2, started)
    assert {(r.recipient, r.kind, r.reference) for r in rows} == {
        ("group", "rectification", f"request#{request.pk}"),
        (partner.code, "rectification", f"request#{request.pk}"),
    }
    assert {r.queued_by_id for r in rows} == {officer.pk}


def test_an_erased_guest_is_emailed_to_the_event_organiser_by_a_worker(
    celery_worker,
):
    # given a client who attended an event whose guest list went to an
    # organiser (decision 0106), and to the group
    from django.core import mail

    from clienteling.models import Invitation
    from privacy.models import OrganiserDisclosure
    from tests.clienteling.factories import HouseEventFactory
    from tests.privacy.factories import OrganiserFactory, given_to

    _setup()
    client = ClientFactory()
    disclosed(client)
    organiser = OrganiserFactory(contact_email="rsvp@organiser.example")
    event = HouseEventFactory(boutique=client.home_boutique)
    guest_list = given_to(organiser, client, event=event)
    Invitation.objects.filter(client=client).update(status="attended")
    (entry,) = OrganiserDisclosure.objects.filter(guest_list=guest_list)
    erasure = jobs.erasure_request(
        acting_user=UserFactory(),
        client=client,
        request=verified_erasure_request(client),
    )
    # when a second officer approves it and the worker runs the erasure
    started = time.monotonic()
    jobs.erasure_approve(acting_user=UserFactory(), job=erasure)
    rows, elapsed = _sent_within_a_minute(client, 2, started)
    # then the organiser's notice is recorded as emailed, within the minute
    notice = next(r for r in rows if r.how == "email")
    assert (notice.recipient, notice.kind, notice.client_ref) == (
        f"organiser:{organiser.pk}",
        "erasure",
        f"guest:G{entry.pk}",
    )
    assert notice.reference == f"erasure#{erasure.pk}"
    assert notice.sent_at >= notice.queued_at
    assert notice.attempts == 1
    assert elapsed < ONE_MINUTE
    # and the worker's email went to the organiser's address
    assert [m.to for m in mail.outbox if f"G{entry.pk}" in m.body] == [
        ["rsvp@organiser.example"]
    ]


def test_an_organiser_without_an_address_is_recorded_by_the_worker(celery_worker):
    from tests.privacy.factories import OrganiserFactory, given_to

    _setup()
    officer = UserFactory()
    client = ClientFactory()
    organiser = OrganiserFactory(name="Traiteur Muet", contact_email="")
    given_to(organiser, client)
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
    client.last_name = "Rectifiée"
    client._history_user = officer
    client.save()
    started = time.monotonic()
    dsr.rectification_link_edits(acting_user=officer, request=request)
    while True:
        notice = RecipientNotice.objects.filter(client=client).first()
        if notice is not None and notice.outcome != "pending":
            break
        if time.monotonic() - started > ONE_MINUTE:
            pytest.fail(f"after a minute: {notice and notice.outcome}")
        time.sleep(0.2)
    assert (notice.kind, notice.how, notice.outcome) == (
        "rectification",
        "email",
        "failed",
    )
    assert notice.detail.startswith("Traiteur Muet has no contact email")
