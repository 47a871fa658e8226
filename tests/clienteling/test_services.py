from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clienteling import services
from clienteling.models import (
    Client,
    ContactEvent,
    DuplicateFlag,
    FollowUp,
    ImportantDate,
    Invitation,
    MetalAllergy,
    SelectionItem,
)
from core import hooks
from tests.clienteling.factories import (
    BoutiqueFactory,
    ClientFactory,
    ContactFactory,
    EmailFactory,
    PhoneFactory,
    adviser,
)

pytestmark = pytest.mark.django_db


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# --- Contact history -----------------------------------------------------------


def test_contact_log_keeps_last_contact_dates_on_the_client():
    client = ClientFactory()
    user = adviser(client.home_boutique)
    earlier = timezone.now() - timedelta(days=3)

    services.contact_log(
        acting_user=user,
        client=client,
        channel="phone",
        direction="inbound",
        outcome="reached",
        subject="Question",
        occurred_at=earlier,
    )
    services.contact_log(
        acting_user=user,
        client=client,
        channel="email",
        direction="outbound",
        subject="Answer",
    )
    # A late-arriving older contact does not move the dates back.
    services.contact_log(
        acting_user=user,
        client=client,
        channel="post",
        direction="outbound",
        subject="Old letter",
        occurred_at=earlier - timedelta(days=30),
    )

    client.refresh_from_db()
    assert client.last_contact_at > earlier
    assert client.last_client_initiated_contact_at == earlier
    assert ContactEvent.objects.filter(client=client, staff=user).count() == 3


def test_contact_in_the_future_is_refused_and_not_written():
    client = ClientFactory()

    with pytest.raises(ValidationError, match="future"):
        services.contact_log(
            acting_user=None,
            client=client,
            channel="phone",
            direction="inbound",
            outcome="reached",
            subject="x",
            occurred_at=timezone.now() + timedelta(days=1),
        )

    assert not ContactEvent.objects.exists()
    client.refresh_from_db()
    assert client.last_contact_at is None


# --- Nearest boutique ------------------------------------------------------------


def test_nearest_boutique_uses_great_circle_distance():
    paris = BoutiqueFactory(
        code="PAR", latitude=Decimal("48.86746"), longitude=Decimal("2.32944")
    )
    london = BoutiqueFactory(
        code="LON", latitude=Decimal("51.5113"), longitude=Decimal("-0.14377")
    )
    BoutiqueFactory(
        code="OLD",
        latitude=Decimal("48.85"),
        longitude=Decimal("2.35"),
        is_active=False,
    )

    # Lille is closer to Paris (204 km) than to London (226 km).
    assert services.nearest_boutique(latitude=50.6292, longitude=3.0573) == paris
    # Calais: London 150 km, Paris 240 km.
    assert services.nearest_boutique(latitude=50.9513, longitude=1.8587) == london


def test_client_locate_keeps_the_boutique_not_the_coordinates():
    client = ClientFactory()

    services.client_locate(
        acting_user=None,
        client=client,
        latitude=48.8,
        longitude=2.3,
        display_language="fr",
    )

    client.refresh_from_db()
    assert client.nearest_boutique == client.home_boutique
    stored = {f.name for f in Client._meta.get_fields()}
    assert not {"latitude", "longitude"} & stored


def test_out_of_range_coordinates_are_refused():
    with pytest.raises(ValidationError):
        services.nearest_boutique(latitude=123, longitude=0)


# --- Allergy gate ----------------------------------------------------------------


def test_allergy_is_refused_when_a_gate_refuses():
    client = ClientFactory()

    def no_consent(c):
        raise ValidationError("No explicit consent for allergy-aware service.")

    with (
        hooks.override("allergy_gate", no_consent),
        pytest.raises(ValidationError, match="No explicit consent"),
    ):
        services.allergy_record(acting_user=None, client=client, metal="nickel")

    assert not MetalAllergy.objects.exists()
    assert not MetalAllergy.history.exists()


def test_allergy_is_refused_when_no_gate_is_installed():
    with (
        hooks.override("allergy_gate"),
        pytest.raises(ValidationError, match="no consent check is installed"),
    ):
        services.allergy_record(
            acting_user=None, client=ClientFactory(), metal="nickel"
        )

    assert not MetalAllergy.objects.exists()


def test_allergy_history_is_deleted_with_the_allergy():
    with hooks.override("allergy_gate", lambda client: None):
        allergy = services.allergy_record(
            acting_user=None, client=ClientFactory(), metal="nickel", notes="rash"
        )
    allergy.notes = "severe rash"
    allergy.save()

    allergy.delete()

    assert not MetalAllergy.history.exists()


# --- Events ------------------------------------------------------------------------


def test_invitation_cannot_overbook_an_event():
    from clienteling.models import HouseEvent

    boutique = BoutiqueFactory()
    event = HouseEvent.objects.create(
        name="Viewing", boutique=boutique, starts_at=timezone.now(), capacity=1
    )
    first, second = (
        Invitation.objects.create(
            event=event, client=ClientFactory(home_boutique=boutique)
        )
        for _ in range(2)
    )
    services.invitation_set_status(
        acting_user=None, invitation=first, status="accepted"
    )

    with pytest.raises(ValidationError, match="full"):
        services.invitation_set_status(
            acting_user=None, invitation=second, status="accepted"
        )

    second.refresh_from_db()
    assert second.status == "invited"


# --- Follow-ups ---------------------------------------------------------------------


def test_follow_up_generation_is_idempotent():
    # given a wedding anniversary in 5 days and a client lapsing for 2 years
    today = date(2026, 11, 28)
    user = adviser(BoutiqueFactory())
    married = ClientFactory(primary_adviser=user)
    ImportantDate.objects.create(client=married, kind="wedding", date=date(2016, 12, 3))
    ImportantDate.objects.create(
        client=married, kind="engagement", date=date(2015, 6, 1)
    )
    lapsing = ClientFactory(last_contact_at=_aware(date(2024, 10, 1)))
    ClientFactory(last_contact_at=_aware(date(2026, 10, 1)))  # recent: no follow-up

    # when run twice
    first = services.follow_ups_generate(today=today)
    second = services.follow_ups_generate(today=today)

    # then
    assert first.created == {"anniversary": 1, "lapsing": 1}
    assert second.total == 0
    anniversary = FollowUp.objects.get(reason="anniversary")
    assert anniversary.client == married
    assert anniversary.adviser == user
    assert anniversary.due_date == today  # the date is within a week
    assert FollowUp.objects.get(reason="lapsing").client == lapsing
    assert FollowUp.objects.count() == 2


def test_next_year_brings_a_new_anniversary_follow_up():
    client = ClientFactory()
    ImportantDate.objects.create(client=client, kind="wedding", date=date(2016, 12, 3))

    services.follow_ups_generate(today=date(2026, 11, 28))
    services.follow_ups_generate(today=date(2027, 11, 28))

    assert FollowUp.objects.filter(client=client).count() == 2


def test_29_february_is_remembered_on_28_february():
    client = ClientFactory()
    ImportantDate.objects.create(client=client, kind="wedding", date=date(2020, 2, 29))

    run = services.follow_ups_generate(today=date(2027, 2, 20), horizon_days=14)

    assert run.created["anniversary"] == 1
    assert "28 February" in FollowUp.objects.get().note


def test_merged_clients_get_no_follow_ups():
    survivor, duplicate = ClientFactory(), ClientFactory()
    ImportantDate.objects.create(
        client=duplicate, kind="wedding", date=date(2016, 12, 3)
    )
    services.client_merge(acting_user=None, survivor=survivor, duplicate=duplicate)
    # the date moved to the survivor; nothing is generated for the merged row
    services.follow_ups_generate(today=date(2026, 11, 28))

    assert list(FollowUp.objects.values_list("client", flat=True)) == [survivor.pk]


# --- Duplicates and merge -------------------------------------------------------


def test_same_email_or_phone_is_flagged_once():
    a, b, c = ClientFactory(), ClientFactory(), ClientFactory()
    EmailFactory(client=a, address="Same@Example.com")
    EmailFactory(client=b, address="same@example.com")
    PhoneFactory(client=b, number="+33199001111")
    PhoneFactory(client=c, number="+33199001111")

    assert services.duplicates_detect() == 2
    assert services.duplicates_detect() == 0

    pairs = set(DuplicateFlag.objects.values_list("client", "other", "reason"))
    assert pairs == {
        (a.pk, b.pk, "same_email"),
        (b.pk, c.pk, "same_phone"),
    }


def test_merge_moves_history_orders_and_selection_and_keeps_provenance():
    # given two records of the same person
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    survivor = ClientFactory(home_boutique=boutique, lifetime_value=Decimal("100"))
    duplicate = ClientFactory(home_boutique=boutique, lifetime_value=Decimal("50"))
    EmailFactory(client=survivor, address="ada@example.com")
    EmailFactory(client=duplicate, address="ADA@example.com")  # same, kept behind
    EmailFactory(client=duplicate, address="ada.work@example.com", is_primary=False)
    ContactFactory.create_batch(3, client=duplicate)
    SelectionItem.objects.create(
        client=duplicate,
        product_reference="R1",
        product_name="Ring",
        added_at=timezone.now(),
    )
    DuplicateFlag.objects.create(client=survivor, other=duplicate, reason="same_email")

    # when
    result = services.client_merge(
        acting_user=user, survivor=survivor, duplicate=duplicate
    )

    # then
    assert result.moved["clienteling.ContactEvent"] == 3
    assert result.moved["clienteling.SelectionItem"] == 1
    assert result.moved["clienteling.ClientEmail"] == 1
    assert result.kept_on_merged == {"clienteling.ClientEmail": 1}
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert survivor.contacts.count() == 3
    assert survivor.emails.filter(is_primary=True).count() == 1
    assert survivor.lifetime_value == Decimal("150")
    assert duplicate.status == Client.Status.MERGED
    assert duplicate.merged_into == survivor
    assert DuplicateFlag.objects.get().status == "merged"
    # provenance: the moved rows' history says where they came from
    moved_history = ContactEvent.history.filter(
        history_change_reason__startswith="merged"
    )
    assert moved_history.count() == 3
    assert duplicate.history.first().history_user == user


def test_merge_refuses_a_merged_record_and_changes_nothing():
    survivor, duplicate, third = ClientFactory(), ClientFactory(), ClientFactory()
    services.client_merge(acting_user=None, survivor=survivor, duplicate=duplicate)
    ContactFactory(client=third)

    with pytest.raises(ValidationError, match="already merged"):
        services.client_merge(acting_user=None, survivor=duplicate, duplicate=third)

    assert third.contacts.count() == 1
    third.refresh_from_db()
    assert third.status == "active"


def test_merge_into_itself_is_refused():
    client = ClientFactory()

    with pytest.raises(ValidationError, match="itself"):
        services.client_merge(acting_user=None, survivor=client, duplicate=client)


def test_merging_three_records_via_the_admin_action_adds_every_lifetime_value(
    admin_client,
):
    from django.urls import reverse

    a, b, c = (ClientFactory(lifetime_value=Decimal(v)) for v in ("100", "50", "30"))
    for x, y in ((a, b), (a, c), (b, c)):
        DuplicateFlag.objects.create(client=x, other=y, reason="same_email")

    # the action on three flags at once merges nothing: one merge, one page
    refused = admin_client.post(
        reverse("admin:clienteling_duplicateflag_changelist"),
        {
            "action": "merge_into_first",
            "_selected_action": list(
                DuplicateFlag.objects.values_list("pk", flat=True)
            ),
        },
        follow=True,
    )
    assert "Select one duplicate flag at a time" in refused.text
    assert not Client.objects.filter(status="merged").exists()

    # each open flag merged through its confirmation page, in turn
    while flag := DuplicateFlag.objects.filter(status="open").order_by("pk").first():
        url = reverse("admin:clienteling_duplicateflag_merge", args=[flag.pk])
        assert admin_client.get(url).status_code == 200
        admin_client.post(url, {"confirm": "yes"})

    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.lifetime_value == Decimal("180")
    # whatever the order, each merged record leads to the survivor
    assert b.merged_into == a
    assert c.merged_into in (a, b)
    assert a.status == "active"
    assert not DuplicateFlag.objects.filter(status="open").exists()


def test_merge_moves_the_website_account_when_the_survivor_has_none():
    from clienteling.models import WebAccount

    survivor, duplicate = ClientFactory(), ClientFactory()
    WebAccount.objects.create(
        client=duplicate, login_identifier="ada@example.com", created_at=timezone.now()
    )

    result = services.client_merge(
        acting_user=None, survivor=survivor, duplicate=duplicate
    )

    assert result.moved["clienteling.WebAccount"] == 1
    assert WebAccount.objects.get().client == survivor


def test_merge_keeps_the_duplicates_primary_email_when_the_survivor_has_none():
    survivor, duplicate = ClientFactory(), ClientFactory()
    EmailFactory(client=duplicate, address="only@example.com", is_primary=True)

    services.client_merge(acting_user=None, survivor=survivor, duplicate=duplicate)

    assert survivor.emails.get().is_primary


def test_a_client_never_contacted_lapses_from_creation():
    old = ClientFactory()
    Client.objects.filter(pk=old.pk).update(created_at=_aware(date(2015, 1, 1)))
    ClientFactory()  # created today: not lapsing

    run = services.follow_ups_generate(today=date(2026, 11, 28))

    assert run.created["lapsing"] == 1
    assert FollowUp.objects.get().client == old


def test_many_records_sharing_an_email_give_a_star_of_flags():
    clients = ClientFactory.create_batch(4)
    for n, client in enumerate(clients):
        EmailFactory(client=client, address="family@example.com", is_primary=n == 0)

    assert services.duplicates_detect() == 3
    assert set(DuplicateFlag.objects.values_list("client", flat=True)) == {
        clients[0].pk
    }
