"""The inactive-clients rule runs from the end of the commercial
relationship: the latest of the last purchase, the last contact the client
initiated, the last web login and the last consent given
(docs/retention-rules.md). Each source is tested alone, a day inside and a
day past the boundary, on a client created long before it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clienteling.models import Client, WebAccount, WebEvent
from consents import registry
from orders.models import Order
from privacy import retention
from privacy.models import RetentionRule
from tests.clienteling.factories import ClientFactory
from tests.consents.factories import grant
from tests.orders.factories import order

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=ZoneInfo("Europe/Paris"))
LONG_AGO = NOW - timedelta(days=3650)


def _purchase(client, at):
    sale = order(client=client, status=Order.Status.INVOICED)
    Order.objects.filter(pk=sale.pk).update(created_at=at)


def _draft_order(client, at):
    # Not a purchase: an order that never became a sale extends nothing.
    draft = order(client=client)
    Order.objects.filter(pk=draft.pk).update(created_at=at)


def _contact(client, at):
    Client.objects.filter(pk=client.pk).update(last_client_initiated_contact_at=at)


def _login_event(client, at):
    WebEvent.objects.create(
        client=client, kind="login", occurred_at=at, external_id=f"login-{client.pk}"
    )


def _login_account(client, at):
    WebAccount.objects.create(
        client=client,
        login_identifier=f"web-{client.pk}@example.com",
        created_at=LONG_AGO,
        last_login_at=at,
    )


def _consent(client, at):
    grant(client, registry.NEWSLETTERS, now=at)


def _client_with(source, at) -> Client:
    client = ClientFactory()
    source(client, at)
    # Created long ago: only the source may keep the client.
    Client.objects.filter(pk=client.pk).update(created_at=LONG_AGO)
    return client


def _erased(client) -> bool:
    return Client.objects.get(pk=client.pk).client_number.startswith("ERASED-")


def _run():
    return retention.retention_run_now(acting_user=None, dry_run=False, now=NOW)


@pytest.fixture
def only_inactive_clients(settings, tmp_path):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    RetentionRule.objects.exclude(code="inactive_clients").update(is_active=False)
    return NOW - timedelta(
        days=RetentionRule.objects.get(code="inactive_clients").effective_days()
    )


@pytest.mark.parametrize(
    "source",
    [_purchase, _contact, _login_event, _login_account, _consent],
    ids=["purchase", "contact", "web-login-event", "web-login-account", "consent"],
)
def test_each_source_keeps_the_client_a_day_inside_and_not_a_day_past(
    source, only_inactive_clients
):
    # given two clients created ten years ago, whose only activity is the
    # source, a day inside the period and a day past it
    boundary = only_inactive_clients
    inside = _client_with(source, boundary + timedelta(days=1))
    past = _client_with(source, boundary - timedelta(days=1))

    # when
    run = _run()

    # then
    assert not _erased(inside)
    assert _erased(past)
    assert run.counts["inactive_clients"]["clients_erased"] == 1


def test_a_client_who_buys_every_year_but_never_calls_is_kept(only_inactive_clients):
    # given a client created ten years ago who bought once a year
    client = ClientFactory()
    for years in range(10):
        _purchase(client, NOW - timedelta(days=365 * years + 30))
    Client.objects.filter(pk=client.pk).update(created_at=LONG_AGO)

    _run()

    assert not _erased(client)


def test_an_order_that_never_became_a_sale_does_not_extend_the_period(
    only_inactive_clients,
):
    client = _client_with(_draft_order, only_inactive_clients + timedelta(days=1))

    _run()

    assert _erased(client)


def test_the_latest_source_wins_over_older_ones(only_inactive_clients):
    # given old purchases and contact, and one recent consent
    boundary = only_inactive_clients
    client = _client_with(_purchase, boundary - timedelta(days=400))
    _contact(client, boundary - timedelta(days=10))
    _consent(client, boundary + timedelta(days=1))

    _run()

    assert not _erased(client)
