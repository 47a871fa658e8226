"""The segment's clients page reads its members uncounted and counts the
clients left out from the few the exclusions name (selectors.
left_out_by_reason, segment_member_list): the same answers as
segment_membership, which counts every member."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consents import registry, services
from consents.models import Channel
from consents.selectors import Reason
from core.paginators import EstimatedCountPaginator
from segments import selectors
from tests.segments.people import _client, build_house

pytestmark = pytest.mark.django_db


@pytest.fixture
def house():
    return build_house()


def _restrict(client):
    services.restriction_start(
        acting_user=None,
        client=client,
        reason="Accuracy contested",
        now=timezone.now() - timedelta(minutes=1),
    )


def test_left_out_by_reason_equals_the_full_count(house):
    full = selectors.segment_membership(house.segment, user=house.alice)

    left_out = selectors.left_out_by_reason(house.segment, user=house.alice)

    assert left_out == full.excluded_by_reason
    assert left_out == {
        Reason.RESTRICTED: 1,
        Reason.OBJECTED: 1,
        Reason.SUPPRESSED: 1,
    }


def test_a_client_with_two_reasons_counts_once_under_the_first(house):
    # Suppressed, then restricted as well: restricted comes first.
    services.suppression_add_client(client=house.restricted, reason="bounced")
    both = _client(house.paris, "Twice", advised_by=house.alice)
    _restrict(both)
    services.consent_record(
        acting_user=None,
        client=both,
        purpose_code=registry.STATISTICS_SEGMENTATION,
        decision="object",
        channel=Channel.EMAIL,
    )

    left_out = selectors.left_out_by_reason(house.segment, user=house.alice)

    assert left_out == {
        Reason.RESTRICTED: 2,
        Reason.OBJECTED: 1,
        Reason.SUPPRESSED: 1,
    }
    assert (
        left_out
        == selectors.segment_membership(
            house.segment, user=house.alice
        ).excluded_by_reason
    )


def test_excluded_clients_outside_the_segment_are_not_counted(house):
    # Restricted, but English-speaking: not matching, so not "left out".
    english = _client(house.paris, "Anglais", language="en", advised_by=house.alice)
    _restrict(english)

    left_out = selectors.left_out_by_reason(house.segment, user=house.alice)

    assert left_out[Reason.RESTRICTED] == 1


def test_member_list_pages_the_members_only(house):
    listing = selectors.segment_member_list(house.segment, user=house.alice)
    paginator = EstimatedCountPaginator(listing.pages(), 50)

    assert list(paginator.page(1).object_list) == [c.pk for c in house.kept]
    assert paginator.count == 2
    assert paginator.more_than is None
    assert listing.excluded_by_reason == {
        Reason.RESTRICTED: 1,
        Reason.OBJECTED: 1,
        Reason.SUPPRESSED: 1,
    }


def test_member_list_with_an_eligibility_criterion(house):
    from consents.models import Purpose

    segment = house.segment
    segment.eligible_purpose = Purpose.objects.get(code=registry.NEWSLETTERS)
    segment.eligible_channel = "email"
    segment.save()
    full = selectors.segment_membership(segment, user=house.alice)

    listing = selectors.segment_member_list(segment, user=house.alice)

    assert listing.pages() == full.client_ids
    assert listing.excluded_by_reason == full.excluded_by_reason


def test_clients_page_past_the_bound_says_more_than(client, house, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "reachable_rows", 1)
    client.force_login(house.alice)

    page = client.get(
        reverse("admin:segments_segment_clients", args=[house.segment.pk])
    )

    assert page.status_code == 200
    assert "More than 1 clients" in page.text
    assert "Processing restricted (Art. 18): 1" in page.text
    assert "On the suppression list: 1" in page.text
