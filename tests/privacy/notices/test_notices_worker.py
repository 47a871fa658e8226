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
