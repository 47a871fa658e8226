"""Segments: bad input (issue 15), scope and sharing, and the pages under
every role that reaches them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clienteling.models import FollowUp
from core import roles
from core.models import AccessLogEntry, Job
from segments import services
from segments.models import Campaign, Segment
from tests.clienteling.factories import UserFactory, adviser, compliance
from tests.helpers import form_data
from tests.segments.people import build_house

pytestmark = pytest.mark.django_db

ADD = "admin:segments_segment_add"


@pytest.fixture
def house():
    return build_house()


def _post_add(client, house, **fields):
    page = client.get(reverse(ADD))
    data = form_data(page.text, "segment_form")
    data.update({"name": "Test segment", "boutiques": [str(house.paris.pk)]})
    data.update(fields)
    return client.post(reverse(ADD), data)


def _errors(response) -> dict:
    return response.context["adminform"].form.errors


# --- Bad input: a clear message, nothing written ------------------------------


def test_an_empty_segment_is_refused(client, house):
    client.force_login(house.alice)
    before = Segment.objects.count()

    response = _post_add(client, house)

    assert response.status_code == 200
    assert "This segment has no criterion" in str(_errors(response)["__all__"])
    assert Segment.objects.count() == before


def test_a_channel_without_its_purpose_is_refused(client, house):
    client.force_login(house.alice)
    before = Segment.objects.count()

    response = _post_add(client, house, eligible_channel="email")

    assert "Choose the purpose" in str(_errors(response)["eligible_purpose"])
    assert Segment.objects.count() == before


def test_reversed_purchase_dates_are_refused(client, house):
    client.force_login(house.alice)
    before = Segment.objects.count()

    response = _post_add(
        client, house, purchased_from="2026-06-01", purchased_to="2026-01-01"
    )

    assert "purchase dates are reversed" in str(_errors(response)["purchased_to"])
    assert Segment.objects.count() == before


def test_an_amount_in_the_wrong_format_is_refused(client, house):
    client.force_login(house.alice)
    before = Segment.objects.count()

    response = _post_add(client, house, purchase_min_eur="1 500 euros")

    assert "amount in euros as a number" in str(_errors(response)["purchase_min_eur"])
    assert Segment.objects.count() == before


def test_reversed_amounts_are_refused(client, house):
    client.force_login(house.alice)

    response = _post_add(
        client, house, lifetime_value_min_eur="5000", lifetime_value_max_eur="100"
    )

    assert "lowest lifetime value is above" in str(
        _errors(response)["lifetime_value_max_eur"]
    )


def test_sharing_to_a_boutique_the_user_cannot_see_is_refused(client, house):
    client.force_login(house.alice)
    before = Segment.objects.count()

    response = _post_add(
        client,
        house,
        language="fr",
        boutiques=[str(house.paris.pk), str(house.munich.pk)],
    )

    assert "You do not work in Munich" in str(_errors(response)["boutiques"])
    assert Segment.objects.count() == before


def test_service_refuses_the_same_without_the_form(house):
    with pytest.raises(ValidationError) as refused:
        services.segment_save(
            acting_user=house.alice,
            segment=Segment(name="Too wide", language="fr"),
            boutiques=[house.munich],
        )

    assert "Munich" in str(refused.value)
    assert not Segment.objects.filter(name="Too wide").exists()


def test_another_boutiques_segment_by_url_is_404_logged_as_denied(client, house):
    munich_adviser = adviser(house.munich)
    client.force_login(munich_adviser)

    for name in ("change", "clients", "campaign", "delete", "history"):
        url = reverse(f"admin:segments_segment_{name}", args=[house.segment.pk])
        assert client.get(url).status_code == 404, name

    denied = AccessLogEntry.objects.filter(
        action="denied", user=munich_adviser, object_id=str(house.segment.pk)
    )
    assert denied.count() == 5


def test_an_unshared_segment_is_its_creators_only(client, house):
    colleague = adviser(house.paris)
    house.segment.shared = False
    house.segment.save()
    client.force_login(colleague)

    url = reverse("admin:segments_segment_change", args=[house.segment.pk])
    assert client.get(url).status_code == 404
    listing = client.get(reverse("admin:segments_segment_changelist"))
    assert "French speakers" not in listing.text


def test_a_shared_segment_is_seen_by_its_boutiques_staff(client, house):
    colleague = adviser(house.paris)
    client.force_login(colleague)

    listing = client.get(reverse("admin:segments_segment_changelist"))

    assert "French speakers" in listing.text


def test_campaign_due_in_the_past_is_refused(client, house):
    client.force_login(house.alice)
    url = reverse("admin:segments_segment_campaign", args=[house.segment.pk])
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    response = client.post(
        url, {"due_date": yesterday.isoformat(), "note": "Call", "confirm": "yes"}
    )

    assert response.status_code == 200
    assert "The due date is in the past." in response.text
    assert not Campaign.objects.exists()
    assert not FollowUp.objects.exists()


# --- Pages under each role ----------------------------------------------------


@pytest.mark.parametrize("role", [roles.ADVISER, roles.MANAGER])
def test_pages_of_a_segment_for_advisers_and_managers(client, house, role):
    user = UserFactory(role=role, boutiques=[house.paris])
    client.force_login(user)
    pk = house.segment.pk

    for name in ("changelist", "add"):
        assert client.get(reverse(f"admin:segments_segment_{name}")).status_code == 200
    for name in ("change", "clients", "campaign"):
        url = reverse(f"admin:segments_segment_{name}", args=[pk])
        assert client.get(url).status_code == 200, name


def test_compliance_reads_segments_but_plans_no_campaign(client, house):
    client.force_login(compliance())
    pk = house.segment.pk

    assert (
        client.get(reverse("admin:segments_segment_change", args=[pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("admin:segments_segment_clients", args=[pk])).status_code
        == 200
    )
    campaign = reverse("admin:segments_segment_campaign", args=[pk])
    assert client.get(campaign).status_code == 403
    assert client.get(reverse(ADD)).status_code == 403


def test_campaign_is_checked_then_confirmed(
    client, house, django_capture_on_commit_callbacks
):
    client.force_login(house.manager)
    url = reverse("admin:segments_segment_campaign", args=[house.segment.pk])
    due = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()

    check = client.post(url, {"due_date": due, "note": "Spring preview"})

    assert check.status_code == 200
    assert "Create 2 follow-ups?" in check.text
    assert "Alice Adviser: 2" in check.text
    assert not Campaign.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url, {"due_date": due, "note": "Spring preview", "confirm": "yes"}
        )

    assert done.status_code == 302
    campaign = Campaign.objects.get()
    assert Job.objects.filter(pk=campaign.job_id).exists()
    assert campaign.segment == house.segment


def test_a_valid_add_creates_the_segment(client, house):
    client.force_login(house.alice)

    response = _post_add(client, house, language="fr", purchase_min_eur="1500.50")

    assert response.status_code == 302
    segment = Segment.objects.get(name="Test segment")
    assert segment.created_by == house.alice
    assert str(segment.purchase_min_eur) == "1500.50"
    assert list(segment.boutiques.all()) == [house.paris]


def test_a_due_date_too_far_is_refused_before_the_check_page(client, house):
    client.force_login(house.alice)
    url = reverse("admin:segments_segment_campaign", args=[house.segment.pk])

    response = client.post(url, {"due_date": "2099-01-01", "note": "Call"})

    assert response.status_code == 200
    assert "The due date is more than a year away." in response.text
    assert "Create 2 follow-ups?" not in response.text
    assert not Campaign.objects.exists()
