"""The nightly client snapshots (decision 0111): the manager's new and
lapsing clients and consent rates, and the compliance retention
forecast, read from segments.ClientSnapshot when it was taken today,
equal the live figures over the same fixed data set; a snapshot of
another day is not read."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clienteling.models import Client
from consents import registry, services
from consents.models import Channel
from privacy.models import RetentionRule
from segments import facts, figures
from segments.figures import Period
from segments.models import ClientSnapshot, FactsRebuild
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, adviser
from tests.consents.factories import grant

pytestmark = pytest.mark.django_db


def _aged(client, *, days: int, contacted_days_ago: int | None = None):
    created = timezone.now() - datetime.timedelta(days=days)
    contacted = (
        None
        if contacted_days_ago is None
        else timezone.now() - datetime.timedelta(days=contacted_days_ago)
    )
    Client.objects.filter(pk=client.pk).update(
        created_at=created,
        last_contact_at=contacted,
        last_client_initiated_contact_at=None,
    )
    return client


@pytest.fixture
def house():
    today = timezone.localdate()
    paris = BoutiqueFactory(name="Paris")
    munich = BoutiqueFactory(name="Munich")
    alice = adviser(paris, first_name="Alice", last_name="A")
    # New over three months (and two today, which the snapshot leaves to
    # the live count), lapsing ones (no contact for 18 months).
    for days in (3, 3, 40, 70):
        _aged(ClientFactory(home_boutique=paris, primary_adviser=alice), days=days)
    for _ in range(2):
        ClientFactory(home_boutique=paris)
    lapsing = [
        _aged(ClientFactory(home_boutique=paris), days=900, contacted_days_ago=600),
        _aged(ClientFactory(home_boutique=paris), days=700),
    ]
    _aged(ClientFactory(home_boutique=munich), days=5)
    # A merged record: never counted.
    _aged(
        ClientFactory(
            home_boutique=paris,
            status=Client.Status.MERGED,
            merged_into=lapsing[0],
        ),
        days=10,
    )
    paris_clients = list(Client.objects.live().filter(home_boutique=paris))
    # Consents: two grants, one withdrawn later, one on paper.
    grant(paris_clients[0], registry.NEWSLETTERS)
    grant(paris_clients[1], registry.NEWSLETTERS)
    grant(paris_clients[2], registry.EVENTS)
    services.consent_record(
        acting_user=None,
        client=paris_clients[1],
        purpose_code=registry.NEWSLETTERS,
        decision="withdraw",
        channel=Channel.EMAIL,
    )
    # Due for erasure within 30 and within 90 days.
    inactive = RetentionRule.objects.get(code="inactive_clients").effective_days()
    for days_left in (10, 60):
        _aged(ClientFactory(home_boutique=munich), days=inactive - days_left)
    return {
        "today": today,
        "paris": paris,
        "period": Period(today - datetime.timedelta(days=100), today),
    }


def _figures(house):
    today, paris, period = house["today"], house["paris"], house["period"]
    return [
        figures.new_and_lapsing_clients(paris, period, today=today),
        figures.consent_rates(paris, today=today),
        figures.retention_forecast(today=today),
    ]


def _values(figure):
    return [(r.label, r.values, r.url) for r in figure.rows]


def test_snapshot_figures_equal_the_live_figures(house):
    live = _figures(house)
    assert figures.snapshots(ClientSnapshot.Kind.CLIENTS, today=house["today"]) is None

    facts.sales_facts_rebuild()
    read = _figures(house)

    assert figures.snapshots(ClientSnapshot.Kind.CLIENTS, today=house["today"])
    new_live, new_read = live[0], read[0]
    # Known answers: 4 created before today and 2 today (counted live on top
    # of the snapshot), 2 lapsing: the same rows and links as the live figure.
    assert sum(r.values[0] for r in new_read.rows[:-1]) == 6
    assert new_read.rows[-1].values == [2]
    assert _values(new_read) == _values(new_live)
    for live_figure, read_figure in zip(live[1:], read[1:], strict=True):
        assert _values(read_figure) == _values(live_figure), live_figure.key
    forecast = read[2]
    rule = str(RetentionRule.objects.get(code="inactive_clients"))
    assert [r.values for r in forecast.rows if r.label == rule] == [[1, 2]]
    newsletters = next(r for r in read[1].rows if "ewsletter" in r.label)
    # 1 current grant of the 8 live Paris clients.
    assert sum(newsletters.values) == Decimal("12.5")


def test_snapshot_equals_a_direct_query(house):
    facts.sales_facts_rebuild()
    paris = house["paris"]

    taken = ClientSnapshot.objects.filter(boutique=paris)

    assert (
        sum(taken.filter(kind="clients").values_list("clients", flat=True))
        == Client.objects.live().filter(home_boutique=paris).count()
        == 8
    )
    assert sum(taken.filter(kind="lapsing").values_list("clients", flat=True)) == 2
    assert (
        sum(taken.filter(kind="consents").values_list("clients", flat=True)) == 2
    )  # newsletters (paris_clients[0]) and events


def test_a_snapshot_of_another_day_is_not_read(house):
    facts.sales_facts_rebuild()
    yesterday = timezone.now() - datetime.timedelta(days=1)
    FactsRebuild.objects.update(built_at=yesterday)
    # A snapshot that would be wrong today: it must not be read.
    ClientSnapshot.objects.filter(kind="lapsing").update(clients=99)

    figure = figures.new_and_lapsing_clients(
        house["paris"], house["period"], today=house["today"]
    )

    assert figures.snapshots("lapsing", today=house["today"]) is None
    assert figure.rows[-1].values == [2]


def test_rebuild_twice_writes_the_same_snapshots(house):
    facts.sales_facts_rebuild()
    first = sorted(
        ClientSnapshot.objects.values_list(
            "kind",
            "boutique_id",
            "day",
            "purpose_id",
            "channel",
            "rule_code",
            "within_days",
            "clients",
        ),
        key=str,
    )
    facts.sales_facts_rebuild()
    again = sorted(
        ClientSnapshot.objects.values_list(
            "kind",
            "boutique_id",
            "day",
            "purpose_id",
            "channel",
            "rule_code",
            "within_days",
            "clients",
        ),
        key=str,
    )
    assert first == again
