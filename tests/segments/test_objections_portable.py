"""Decision 0094: a segment's current objections are found by NOT EXISTS a
later decision (portable: SQLite has no DISTINCT ON). On PostgreSQL the
new query must give the members and the counts by reason the DISTINCT ON
query gave: objections replaced by a later decision, ties on decided_at
broken by id, objections to a purpose the segment does not look at, and a
client both restricted and objecting (counted once, as restricted)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consents import registry, services
from consents.models import Channel, ConsentDecision, Purpose, PurposeWording
from consents.selectors import OBJECT, Reason
from segments import selectors
from tests.segments.people import _client, build_house

pytestmark = pytest.mark.django_db


def _objecting_by_distinct_on(purpose_ids):
    """The query before decision 0094 (PostgreSQL only)."""
    latest = (
        ConsentDecision.objects.filter(purpose_id__in=purpose_ids)
        .order_by("client_id", "purpose_id", "-decided_at", "-id")
        .distinct("client_id", "purpose_id")
        .values("pk")
    )
    return ConsentDecision.objects.filter(pk__in=latest, decision=OBJECT).values(
        "client_id"
    )


def _decide(client, code, decision, *, at):
    """A ledger row written directly (no side effects: an objection to
    newsletters would also suppress the client's addresses)."""
    purpose = Purpose.objects.get(code=code)
    return ConsentDecision.objects.create(
        client=client,
        purpose=purpose,
        decision=decision,
        channel=Channel.EMAIL,
        wording=PurposeWording.objects.filter(purpose=purpose).first()
        if decision == "grant"
        else None,
        decided_at=at,
    )


def _object(client, code, *, now):
    return _decide(client, code, "object", at=now)


def grant(client, code, *, now):
    return _decide(client, code, "grant", at=now)


@pytest.fixture
def house():
    """build_house (one each restricted, objecting, suppressed, two kept)
    and the harder cases of the ledger, all French speakers of Paris."""
    house = build_house()
    alice, paris = house.alice, house.paris
    # After the newsletters consent each client is built with.
    earlier = timezone.now() + timedelta(minutes=1)
    tie = timezone.now() + timedelta(minutes=2)
    # Objected to newsletters, then consented again: no longer objecting.
    lifted = _client(paris, "Lifted", advised_by=alice)
    _object(lifted, registry.NEWSLETTERS, now=earlier)
    grant(lifted, registry.NEWSLETTERS, now=tie)
    # Consent and objection at the same instant: the later id (the
    # objection) is current.
    tie_objects = _client(paris, "Tieobjects", advised_by=alice)
    grant(tie_objects, registry.NEWSLETTERS, now=tie)
    _object(tie_objects, registry.NEWSLETTERS, now=tie)
    # Objection then consent at the same instant: the consent is current.
    tie_grants = _client(paris, "Tiegrants", advised_by=alice)
    _object(tie_grants, registry.NEWSLETTERS, now=tie)
    grant(tie_grants, registry.NEWSLETTERS, now=tie)
    # Objected to a purpose the segment does not look at: kept.
    elsewhere = _client(paris, "Elsewhere", advised_by=alice)
    _object(elsewhere, registry.STATISTICS_SEGMENTATION, now=earlier)
    house.elsewhere = elsewhere
    # Restricted and objecting: counted once, as restricted.
    both = _client(paris, "Both", advised_by=alice)
    _object(both, registry.STATISTICS_SEGMENTATION, now=earlier)
    services.restriction_start(
        acting_user=None,
        client=both,
        reason="Accuracy contested",
        now=timezone.now() - timedelta(minutes=1),
    )
    house.lifted, house.tie_objects, house.tie_grants = lifted, tie_objects, tie_grants
    house.both = both
    return house


def _purpose_ids(*codes):
    return list(Purpose.objects.filter(code__in=codes).values_list("pk", flat=True))


def test_current_objections_follow_the_latest_decision(house):
    newsletters = _purpose_ids(registry.NEWSLETTERS)
    statistics = _purpose_ids(registry.STATISTICS_SEGMENTATION)

    assert sorted(r["client_id"] for r in selectors._objecting(newsletters)) == [
        house.tie_objects.pk
    ]
    assert sorted(r["client_id"] for r in selectors._objecting(statistics)) == sorted(
        [house.objecting.pk, house.elsewhere.pk, house.both.pk]
    )


def test_segment_counts_on_any_database(house):
    membership = selectors.segment_membership(house.segment, user=house.alice)

    # Statistics and segmentation is always looked at: Elsewhere objected.
    assert membership.excluded_by_reason == {
        Reason.RESTRICTED: 2,
        Reason.OBJECTED: 2,
        Reason.SUPPRESSED: 1,
    }
    assert house.lifted.pk in membership.client_ids
    assert house.tie_grants.pk in membership.client_ids
    assert house.tie_objects.pk in membership.client_ids  # newsletters not looked at


@pytest.mark.postgres
def test_same_objections_as_distinct_on(house):
    for codes in (
        [registry.NEWSLETTERS],
        [registry.STATISTICS_SEGMENTATION],
        [registry.STATISTICS_SEGMENTATION, registry.NEWSLETTERS],
    ):
        ids = _purpose_ids(*codes)
        assert sorted(r["client_id"] for r in selectors._objecting(ids)) == sorted(
            r["client_id"] for r in _objecting_by_distinct_on(ids)
        )


@pytest.mark.postgres
@pytest.mark.parametrize("eligible", [False, True])
def test_same_members_and_counts_as_distinct_on(house, monkeypatch, eligible):
    if eligible:
        house.segment.eligible_purpose = Purpose.objects.get(code=registry.NEWSLETTERS)
        house.segment.eligible_channel = Channel.EMAIL
        house.segment.save()
    now = timezone.now()

    after = selectors.segment_membership(house.segment, user=house.alice, now=now)
    monkeypatch.setattr(selectors, "_objecting", _objecting_by_distinct_on)
    before = selectors.segment_membership(house.segment, user=house.alice, now=now)

    assert after.client_ids == before.client_ids
    assert after.count == before.count
    assert after.excluded_by_reason == before.excluded_by_reason
    assert after.excluded_by_reason[Reason.OBJECTED] == (3 if eligible else 2)
    assert after.excluded_by_reason[Reason.RESTRICTED] == 2
    assert after.excluded_by_reason[Reason.SUPPRESSED] == 1
