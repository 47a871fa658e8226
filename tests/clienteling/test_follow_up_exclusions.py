"""Generated follow-ups ("call the client") leave out the clients whose
processing is restricted (Art. 18) and those who object (Art. 21), through
the same filters every bulk use applies (core.hooks)."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from clienteling import services
from clienteling.models import FollowUp, ImportantDate
from clienteling.tasks import generate_follow_ups
from consents import registry
from consents import services as consent_services
from core import jobs
from core.models import Job
from tests.clienteling.factories import ClientFactory
from tests.consents.factories import grant

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 28)
LONG_AGO = timezone.make_aware(datetime.combine(date(2024, 1, 1), time()))


def _due_for_both_kinds():
    """A client with an anniversary next week who has also lapsed."""
    client = ClientFactory(last_contact_at=LONG_AGO)
    ImportantDate.objects.create(client=client, kind="wedding", date=date(2016, 12, 3))
    return client


def _object(client, code):
    consent_services.consent_record(
        acting_user=None,
        client=client,
        purpose_code=code,
        decision="object",
        channel="email",
    )


def test_restricted_and_objecting_clients_get_no_follow_up():
    # given four clients due for an anniversary and a lapse follow-up
    plain = _due_for_both_kinds()
    restricted = _due_for_both_kinds()
    consent_services.restriction_start(
        acting_user=None, client=restricted, reason="accuracy contested"
    )
    objecting_relations = _due_for_both_kinds()
    _object(objecting_relations, registry.CUSTOMER_RELATIONS)
    objecting_marketing = _due_for_both_kinds()
    _object(objecting_marketing, registry.NEWSLETTERS)

    # when
    run = services.follow_ups_generate(today=TODAY)

    # then only the plain client has follow-ups, one of each kind
    assert run.created == {"anniversary": 1, "lapsing": 1}
    assert set(FollowUp.objects.values_list("client_id", flat=True)) == {plain.pk}


def test_an_objection_replaced_by_a_later_consent_no_longer_excludes():
    # given a client who objected to newsletters, then consented again
    client = _due_for_both_kinds()
    _object(client, registry.NEWSLETTERS)
    grant(client, registry.NEWSLETTERS)

    run = services.follow_ups_generate(today=TODAY)

    assert run.created == {"anniversary": 1, "lapsing": 1}


def test_an_objection_to_an_unrelated_purpose_does_not_exclude():
    # Statistics are not an approach to the client.
    client = _due_for_both_kinds()
    _object(client, "statistics_segmentation")

    run = services.follow_ups_generate(today=TODAY)

    assert run.total == 2
    assert set(FollowUp.objects.values_list("client_id", flat=True)) == {client.pk}


def test_a_lifted_restriction_no_longer_excludes():
    client = _due_for_both_kinds()
    restriction = consent_services.restriction_start(
        acting_user=None, client=client, reason="accuracy contested"
    )
    consent_services.restriction_lift(acting_user=None, restriction=restriction)

    assert services.follow_ups_generate(today=TODAY).total == 2


def test_the_nightly_task_leaves_them_out_too():
    # The task calls the service per chunk of ids: the filter holds there.
    restricted = _due_for_both_kinds()
    consent_services.restriction_start(
        acting_user=None, client=restricted, reason="accuracy contested"
    )
    _object(_due_for_both_kinds(), registry.CUSTOMER_RELATIONS)

    # (the nightly task starts one job; it runs here, in-process)
    started = generate_follow_ups.run(today=TODAY.isoformat())
    jobs.run(started["job"])
    result = Job.objects.get(pk=started["job"]).result

    assert result["anniversary"] == result["lapsing"] == 0
    assert not FollowUp.objects.exists()
