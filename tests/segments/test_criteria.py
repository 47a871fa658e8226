"""Each criterion of a segment picks the clients a direct query does."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clienteling.models import ImportantDate
from orders.models import Order
from segments import selectors, services
from segments.models import Segment
from tests.clienteling.factories import BoutiqueFactory, adviser
from tests.consents.factories import ClientFactory
from tests.orders.factories import ProductFactory, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris():
    return BoutiqueFactory(name="Paris")


def _members(segment, user):
    return set(selectors.segment_membership(segment, user=user).client_ids)


def _segment(user, boutique, **criteria):
    return services.segment_save(
        acting_user=user,
        segment=Segment(name="Criteria", **criteria),
        boutiques=[boutique],
    )


def test_adviser_criterion(paris):
    alice = adviser(paris)
    bob = adviser(paris)
    hers = ClientFactory(home_boutique=paris, primary_adviser=alice)
    ClientFactory(home_boutique=paris, primary_adviser=bob)
    second = ClientFactory(home_boutique=paris, secondary_adviser=alice)

    assert _members(_segment(alice, paris, adviser=alice), alice) == {
        hers.pk,
        second.pk,
    }


def test_purchase_amount_is_in_euros_at_budget_rates(paris, settings):
    alice = adviser(paris)
    tokyo_buyer = ClientFactory(home_boutique=paris)
    paris_buyer = ClientFactory(home_boutique=paris)
    ClientFactory(home_boutique=paris)  # bought nothing
    yen = ProductFactory(price=Decimal("500000"), currency="JPY")
    euro = ProductFactory(price=Decimal("2000"), currency="EUR")
    order(
        client=tokyo_buyer, products=[yen], currency="JPY", status=Order.Status.INVOICED
    )
    order(client=paris_buyer, products=[euro], status=Order.Status.INVOICED)
    rate = Decimal(str(settings.BUDGET_RATES_EUR["JPY"]))
    yen_in_euros = Decimal("500000") * rate  # 3,050 at the demo rate

    at_least_2500 = _segment(alice, paris, purchase_min_eur=Decimal("2500"))
    at_most_2500 = _segment(alice, paris, purchase_max_eur=Decimal("2500"))

    assert yen_in_euros > 2500
    assert _members(at_least_2500, alice) == {tokyo_buyer.pk}
    assert _members(at_most_2500, alice) == {paris_buyer.pk}


def test_purchase_metal_picks_the_buyers_of_a_piece_made_with_it(paris):
    """On any database: the JSON containment lookup PostgreSQL offers is
    not on SQLite (the demo's), so the products are picked in Python."""
    alice = adviser(paris)
    platinum_buyer = ClientFactory(home_boutique=paris)
    mixed_buyer = ClientFactory(home_boutique=paris)
    gold_buyer = ClientFactory(home_boutique=paris)
    platinum = ProductFactory(metals=["platinum"])
    mixed = ProductFactory(metals=["yellow_gold", "platinum"])
    gold = ProductFactory(metals=["yellow_gold"])
    for buyer, product in (
        (platinum_buyer, platinum),
        (mixed_buyer, mixed),
        (gold_buyer, gold),
    ):
        order(client=buyer, products=[product], status=Order.Status.INVOICED)
    order(client=gold_buyer, products=[platinum])  # a draft: no purchase

    assert _members(_segment(alice, paris, purchase_metal="platinum"), alice) == {
        platinum_buyer.pk,
        mixed_buyer.pk,
    }
    assert _members(_segment(alice, paris, purchase_metal="silver"), alice) == set()


def test_a_draft_order_is_no_purchase(paris):
    alice = adviser(paris)
    drafting = ClientFactory(home_boutique=paris)
    order(client=drafting, products=[ProductFactory()])

    assert _members(_segment(alice, paris, bought_within_days=30), alice) == set()
    assert drafting.pk in _members(
        _segment(alice, paris, not_bought_for_days=30), alice
    )


def test_important_date_in_the_next_days(paris):
    alice = adviser(paris)
    today = timezone.localdate()
    soon = ClientFactory(home_boutique=paris)
    ImportantDate.objects.create(
        client=soon,
        kind="wedding",
        date=today.replace(year=today.year - 5) + datetime.timedelta(days=3),
        recurring=True,
    )
    later = ClientFactory(home_boutique=paris)
    ImportantDate.objects.create(
        client=later,
        kind="wedding",
        date=today + datetime.timedelta(days=40),
        recurring=False,
    )

    assert _members(_segment(alice, paris, important_date_within_days=7), alice) == {
        soon.pk
    }


def test_last_contact_windows(paris):
    alice = adviser(paris)
    now = timezone.now()
    recent = ClientFactory(home_boutique=paris)
    old = ClientFactory(home_boutique=paris)
    never = ClientFactory(home_boutique=paris)
    type(recent).objects.filter(pk=recent.pk).update(
        last_contact_at=now - datetime.timedelta(days=2)
    )
    type(old).objects.filter(pk=old.pk).update(
        last_contact_at=now - datetime.timedelta(days=200)
    )

    assert _members(_segment(alice, paris, contacted_within_days=30), alice) == {
        recent.pk
    }
    assert _members(_segment(alice, paris, not_contacted_for_days=90), alice) == {
        old.pk,
        never.pk,
    }


def test_scope_narrows_a_shared_segment(paris):
    munich = BoutiqueFactory(name="Munich")
    both = adviser(paris, munich)
    only_paris = adviser(paris)
    in_paris = ClientFactory(home_boutique=paris, preferred_language="fr")
    in_munich = ClientFactory(home_boutique=munich, preferred_language="fr")
    segment = services.segment_save(
        acting_user=both,
        segment=Segment(name="Both", language="fr", shared=True),
        boutiques=[paris, munich],
    )

    assert _members(segment, both) == {in_paris.pk, in_munich.pk}
    assert _members(segment, only_paris) == {in_paris.pk}
