"""The client list at any depth (issue 22, decision 0041): counts capped
past a bound, no page past it, and each sort an index can serve both ways."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clienteling.admin import client_sort_key
from clienteling.models import Client
from core import roles
from core.paginators import EstimatedCountPaginator
from tests.clienteling.factories import BoutiqueFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:clienteling_client_changelist")


@pytest.fixture
def paris():
    return BoutiqueFactory(code="PAR-D")


@pytest.fixture
def small_bound(monkeypatch):
    """Bounds of 6 rows at 2 a page: what 10,000 rows do, with 7 clients."""
    monkeypatch.setattr(EstimatedCountPaginator, "reachable_rows", 6)
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 6)


def _paginator(queryset, per_page=2):
    return EstimatedCountPaginator(queryset.order_by("last_name", "id"), per_page)


def test_a_filtered_list_is_counted_up_to_the_bound_only(paris, small_bound):
    for n in range(7):
        ClientFactory(home_boutique=paris, last_name=f"N{n}")
    paginator = _paginator(Client.objects.filter(home_boutique=paris))

    with CaptureQueriesContext(connection) as queries:
        count = paginator.count

    assert count == 7  # the bound + 1: "more than 6"
    assert paginator.more_than == 6
    counted = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counted) == 1
    assert "LIMIT 7" in counted[0]
    # 3 pages of 2 reach the 6th row; the 7th is beyond the bound
    assert paginator.num_pages == 3
    assert paginator.truncated


def test_a_list_within_the_bound_is_counted_exactly(paris, small_bound):
    for n in range(5):
        ClientFactory(home_boutique=paris, last_name=f"N{n}")
    paginator = _paginator(Client.objects.filter(home_boutique=paris))

    assert paginator.count == 5
    assert paginator.more_than is None
    assert paginator.num_pages == 3
    assert not paginator.truncated


def test_the_page_says_more_than_the_bound_and_offers_no_deeper_page(
    client, paris, small_bound, monkeypatch
):
    from clienteling.admin import ClientAdmin

    monkeypatch.setattr(ClientAdmin, "list_per_page", 2)
    adviser = UserFactory(role=roles.ADVISER, boutiques=[paris])
    for n in range(7):
        ClientFactory(home_boutique=paris, last_name=f"N{n}")
    client.force_login(adviser)

    response = client.get(CHANGELIST, {"p": "3"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "More than 6 clients" in html
    assert "pages stop at the first 6" in html
    assert [c.last_name for c in response.context["cl"].result_list] == ["N4", "N5"]
    # page 4 would start past the bound: the admin's "invalid page" answer
    deeper = client.get(CHANGELIST, {"p": "4"})
    assert deeper.status_code == 302
    assert "e=1" in deeper["Location"]


def test_the_page_counts_a_small_list_as_usual(client, paris):
    adviser = UserFactory(role=roles.ADVISER, boutiques=[paris])
    for n in range(3):
        ClientFactory(home_boutique=paris, last_name=f"N{n}")
    client.force_login(adviser)

    html = client.get(CHANGELIST).content.decode()

    assert "3 clients" in html
    assert "More than" not in html
    assert "pages stop" not in html


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (
            ["-lifetime_value", "last_name", "first_name", "id"],
            ["-lifetime_value", "-last_name", "-first_name", "-id"],
        ),
        (
            ["last_contact_at", "-pk"],
            ["last_contact_at", "last_name", "first_name", "id"],
        ),
        (
            ["-last_name", "last_name", "first_name", "id"],
            ["-last_name", "-first_name", "-id"],
        ),
        (["last_name", "first_name", "id"], ["last_name", "first_name", "id"]),
        # Not one of the sortable columns (a hand-made URL): the name order.
        (["client_number"], ["last_name", "first_name", "id"]),
        (
            ["-home_boutique", "last_name", "first_name", "id"],
            ["last_name", "first_name", "id"],
        ),
    ],
)
def test_the_sort_key_runs_one_way_so_one_index_serves_it(ordering, expected):
    assert client_sort_key(ordering) == expected


@pytest.mark.parametrize(
    ("o", "by"), [("6", "value"), ("-6", "value"), ("5", "contact"), ("-1", "name")]
)
def test_each_sort_lists_the_clients_in_its_order(client, paris, o, by):
    adviser = UserFactory(role=roles.ADVISER, boutiques=[paris])
    rows = [
        ClientFactory(home_boutique=paris, last_name=name)
        for name in ("Alpha", "Bravo", "Charlie")
    ]
    for value, row in zip((300, 100, 200), rows, strict=True):
        Client.objects.filter(pk=row.pk).update(lifetime_value=value)
    client.force_login(adviser)

    listed = [
        c.last_name for c in client.get(CHANGELIST, {"o": o}).context["cl"].result_list
    ]

    expected = {
        ("6", "value"): ["Bravo", "Charlie", "Alpha"],
        ("-6", "value"): ["Alpha", "Charlie", "Bravo"],
        ("-1", "name"): ["Charlie", "Bravo", "Alpha"],
    }.get((o, by))
    if expected is None:  # by last contact: none contacted, ties by name
        expected = ["Alpha", "Bravo", "Charlie"]
    assert listed == expected


def test_only_indexed_columns_are_offered_as_sorts(client, paris):
    adviser = UserFactory(role=roles.ADVISER, boutiques=[paris])
    ClientFactory(home_boutique=paris)
    client.force_login(adviser)

    cl = client.get(CHANGELIST, {"o": "3"}).context["cl"]  # home boutique

    assert cl.sortable_by == ["last_name", "last_contact_at", "lifetime_value"]
    # an unsortable column asked for is ignored: the name order stays
    assert list(cl.queryset.query.order_by) == ["last_name", "first_name", "id"]


def test_a_deep_page_reads_its_ids_first_and_lists_the_same_rows(paris, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "deferred_from", 4)
    for n in range(9):
        ClientFactory(home_boutique=paris, last_name=f"N{n}")
    queryset = Client.objects.filter(home_boutique=paris).order_by("-last_name", "-id")
    shallow = [c.last_name for c in Paginator(queryset, 2).page(3).object_list]
    paginator = EstimatedCountPaginator(queryset, 2)

    with CaptureQueriesContext(connection) as queries:
        deep = [c.last_name for c in paginator.page(3).object_list]

    assert deep == shallow == ["N4", "N3"]
    # the count, the page's ids (OFFSET on ids only), the page's rows by id
    assert len(queries) == 3
    assert "OFFSET 4" in queries[1]["sql"]
    assert queries[1]["sql"].startswith('SELECT "clienteling_client"."id" AS "pk" FROM')
    assert "OFFSET" not in queries[2]["sql"]
    # the first pages read their rows directly
    with CaptureQueriesContext(connection) as queries:
        list(paginator.page(2).object_list)
    assert len(queries) == 1
