"""The client list shows live clients by default; merged records and erased
tombstones are one filter away, and their pages stay reachable."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clienteling import services
from clienteling.models import Client
from core import roles
from core.paginators import EstimatedCountPaginator
from privacy.erasure import engine
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:clienteling_client_changelist")


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR-L")


@pytest.fixture
def records(paris):
    """One live client, one merged into it, one erased, all of one adviser."""
    user = UserFactory(role=roles.ADVISER, boutiques=[paris])
    live, merged, erased = (
        ClientFactory(home_boutique=paris, primary_adviser=user, last_name=name)
        for name in ("Vivante", "Fusionnée", "Effacée")
    )
    services.client_merge(acting_user=None, survivor=live, duplicate=merged)
    engine.erase_clients(client_ids=[erased.pk])
    for record in (live, merged, erased):
        record.refresh_from_db()
    return user, {"live": live, "merged": merged, "erased": erased}


def _listed(response) -> set[str]:
    return {c.client_number for c in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({}, {"live"}),
        ({"record": "merged"}, {"merged"}),
        ({"record": "erased"}, {"erased"}),
        ({"record": "all"}, {"live", "merged", "erased"}),
        # An unknown view is the default one, not everything.
        ({"record": "bogus"}, {"live"}),
        ({"mine": "1"}, {"live"}),
        ({"mine": "1", "record": "all"}, {"live", "merged", "erased"}),
    ],
)
def test_the_list_shows_the_records_of_the_chosen_view(client, records, query, shown):
    user, by_kind = records
    client.force_login(user)

    response = client.get(CHANGELIST, query)

    assert response.status_code == 200
    assert _listed(response) == {by_kind[kind].client_number for kind in shown}


def test_the_filter_offers_every_view_by_name(client, records):
    user, _ = records
    client.force_login(user)

    page = client.get(CHANGELIST).text

    for label in ("Active clients", "Merged into another record", "Erased"):
        assert label in page
    assert "?record=merged" in page
    assert "?record=all" in page


def test_merged_and_erased_pages_stay_reachable(client, records):
    user, by_kind = records
    client.force_login(user)

    for kind in ("merged", "erased"):
        url = reverse("admin:clienteling_client_change", args=[by_kind[kind].pk])
        assert client.get(url).status_code == 200, kind
    # the merged record leads to the record it was merged into
    merged_page = client.get(
        reverse("admin:clienteling_client_change", args=[by_kind["merged"].pk])
    ).text
    assert by_kind["live"].client_number in merged_page


def test_the_default_view_pages_with_the_estimate_minus_the_retired_rows(records):
    if connection.vendor != "postgresql":
        pytest.skip("the estimate is PostgreSQL's pg_class.reltuples")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clienteling_client")
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class "
            "WHERE oid = 'clienteling_client'::regclass"
        )
        estimate = cursor.fetchone()[0]
    paginator = EstimatedCountPaginator(
        Client.objects.live().order_by("last_name", "first_name", "id"), 50
    )
    paginator.exact_below = 1

    with CaptureQueriesContext(connection) as queries:
        count = paginator.count

    assert count == estimate - 2
    # no COUNT over the live rows: only the retired ones are counted
    counted = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counted) == 1
    assert "merged" in counted[0]
    assert "NOT" not in counted[0].upper()


def test_the_retired_rows_are_counted_from_their_partial_index(records):
    if connection.vendor != "postgresql":
        pytest.skip("partial indexes are PostgreSQL's here")
    sql, params = Client.objects.retired().values("id").query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "client_retired" in plan
