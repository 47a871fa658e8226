"""Outreach lists built by a real Celery worker, through the broker, on
PostgreSQL."""

import pytest

from consents import outreach, registry
from consents.models import OutreachList, Purpose
from consents.tasks import build_outreach_list
from tests.clienteling.factories import BoutiqueFactory, adviser
from tests.consents.outreach_people import expected_rows, populate, read_csv

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker]


def _ask_and_wait(user) -> OutreachList:
    outreach_list = outreach.outreach_list_request(
        acting_user=user,
        purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
        channel="email",
    )
    # The on_commit hook has sent it; wait on a second, idempotent delivery
    # (the solo worker takes it once the first is done, and leaves it).
    result = build_outreach_list.delay(outreach_list.pk).get(timeout=120)
    assert result == {"list": outreach_list.pk, "status": "done"}
    return OutreachList.objects.get(pk=outreach_list.pk)


def test_a_list_built_by_a_real_worker_in_chunks_of_any_size(
    celery_worker, monkeypatch
):
    # given the registry and roles (a transactional test flushed them), an
    # adviser's boutique with a client per outcome, and another boutique
    from consents.registry import sync_registry
    from core.roles import sync_roles

    sync_registry()
    sync_roles()
    people = populate(BoutiqueFactory())
    populate(BoutiqueFactory(), prefix="Other")
    user = adviser(people.boutique)
    # when the list is built in one chunk, then two clients at a time
    whole = _ask_and_wait(user)
    monkeypatch.setattr(outreach, "CHUNK_SIZE", 2)
    chunked = _ask_and_wait(user)
    # then both hold the eligible clients of the adviser's boutique only,
    # with the excluded counted by reason
    for outreach_list in (whole, chunked):
        assert outreach_list.status == OutreachList.Status.DONE
        assert read_csv(outreach_list) == [
            ["client number", "name", "email", "basis"],
            *expected_rows(people),
        ]
        assert outreach_list.excluded_by_reason == people.excluded
        assert outreach_list.progress_done == outreach_list.progress_total == 7
    # and the delivery that found the list done left it as it was
    assert whole.attempt == chunked.attempt == 1
