"""Must show (issue 15): a restricted, objecting or suppressed client never
appears in a segment's list, count, outreach list or campaign, and each is
counted by reason."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.models import FollowUp
from consents import outreach, registry
from consents.models import Purpose
from consents.selectors import Reason
from segments import selectors, services
from tests.consents.outreach_people import read_csv
from tests.segments.people import build_house

pytestmark = pytest.mark.django_db

LEFT_OUT = {Reason.RESTRICTED: 1, Reason.OBJECTED: 1, Reason.SUPPRESSED: 1}


@pytest.fixture
def house():
    return build_house()


def test_count_leaves_them_out_and_counts_them_by_reason(house):
    membership = selectors.segment_membership(house.segment, user=house.alice)

    assert membership.client_ids == [c.pk for c in house.kept]
    assert membership.count == 2
    assert membership.excluded_by_reason == LEFT_OUT


def test_segment_page_shows_the_count_and_the_reasons(client, house):
    client.force_login(house.alice)

    page = client.get(reverse("admin:segments_segment_change", args=[house.segment.pk]))

    assert page.status_code == 200
    assert "2 clients" in page.text
    assert "Processing restricted (Art. 18): 1" in page.text
    assert "Objected to the purpose (Art. 21): 1" in page.text
    assert "On the suppression list: 1" in page.text


def test_client_list_shows_only_the_members(client, house):
    client.force_login(house.alice)

    page = client.get(
        reverse("admin:segments_segment_clients", args=[house.segment.pk])
    )

    assert page.status_code == 200
    for kept in house.kept:
        assert kept.client_number in page.text
    for left_out in (house.restricted, house.objecting, house.suppressed):
        assert left_out.client_number not in page.text
    assert "English" not in page.text
    assert "Munichois" not in page.text


def test_outreach_list_holds_only_the_members(
    client, house, django_capture_on_commit_callbacks
):
    client.force_login(house.alice)
    purpose = Purpose.objects.get(code=registry.NEWSLETTERS)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:segments_segment_outreach", args=[house.segment.pk]),
            {"purpose": purpose.pk, "channel": "email"},
        )

    assert response.status_code == 302
    built = outreach.outreach_list_build(list_id=outreach.OutreachList.objects.get().pk)
    rows = read_csv(built)[1:]
    assert sorted(r[0] for r in rows) == sorted(c.client_number for c in house.kept)
    # The build counts what it checks itself; the objector to segmentation
    # is not a member, so never reaches it.
    assert built.eligible_count == 2
    assert built.excluded_by_reason == {
        Reason.RESTRICTED: 1,
        Reason.SUPPRESSED: 1,
    }


def test_campaign_writes_follow_ups_for_the_members_only(house):
    due = timezone.localdate() + datetime.timedelta(days=3)
    campaign = services.campaign_request(
        acting_user=house.alice, segment=house.segment, due_date=due, note="Call"
    )

    campaign = services.campaign_run_here(campaign_id=campaign.pk)

    follow_ups = FollowUp.objects.filter(source_key__startswith="campaign:")
    assert sorted(f.client_id for f in follow_ups) == [c.pk for c in house.kept]
    assert {f.adviser_id for f in follow_ups} == {house.alice.pk}
    assert {f.due_date for f in follow_ups} == {due}
    assert campaign.created_count == 2
    assert campaign.excluded_by_reason == LEFT_OUT


def test_campaign_run_twice_writes_each_follow_up_once(house):
    due = timezone.localdate() + datetime.timedelta(days=3)
    campaign = services.campaign_request(
        acting_user=house.alice, segment=house.segment, due_date=due, note="Call"
    )
    services.campaign_run_here(campaign_id=campaign.pk)

    class Ctx:
        def progress(self, *args, **kwargs):
            pass

        def fenced(self):
            from django.db import transaction

            return transaction.atomic()

    result = services.campaign_write(campaign, Ctx())

    assert result["created"] == 2
    assert FollowUp.objects.filter(source_key__startswith="campaign:").count() == 2
