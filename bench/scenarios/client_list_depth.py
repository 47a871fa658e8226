"""The last reachable page of the client list against its page 1 (issue 22).

On client_search's table (1M clients over 20 boutiques; `--size`), as the
bench superuser (every client) and as an adviser of one boutique (a
twentieth of them), sorted by name and by lifetime value, descending.
Baseline: page 1 of that list; candidate: the last page the list offers
(its paginator's num_pages, read from page 1), in the same process.
Before decision 0041 that was page 20,000 of the unscoped list, and the
scoped list counted its 50,000 rows exactly on every page.
"""

import time

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from bench.registry import Scenario, register
from bench.scenarios import client_search

# ClientAdmin.list_display positions: 1 last_name, 6 lifetime_value.
SORTS = {"name": "1", "value": "-6"}


def _page(query: dict, *, scoped: bool) -> tuple[dict, object]:
    from django.contrib import admin
    from django.contrib.messages.storage.cookie import CookieStorage

    from clienteling.models import Client

    model_admin = admin.site._registry[Client]
    user = client_search._user(scoped)

    def render():
        request = RequestFactory().get("/admin/clienteling/client/", query)
        request.user = user
        request._messages = CookieStorage(request)
        response = model_admin.changelist_view(request)
        response.render()
        assert response.status_code == 200, response.status_code
        return response

    render()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = render()
    seconds = time.perf_counter() - started
    cl = response.context_data["cl"]
    return {
        "seconds": seconds,
        "queries": len(queries),
        "rows": len(cl.result_list),
        "page": cl.page_num,
    }, cl


def _first(sort: str, scoped: bool) -> dict:
    result, _ = _page({"o": SORTS[sort]}, scoped=scoped)
    return result


def _last(sort: str, scoped: bool) -> dict:
    _, cl = _page({"o": SORTS[sort]}, scoped=scoped)
    last = cl.paginator.num_pages
    result, cl = _page({"o": SORTS[sort], "p": str(last)}, scoped=scoped)
    assert result["rows"] > 0, "the last page is empty"
    result["pages"] = last
    result["count"] = cl.result_count
    return result


for _scoped in (False, True):
    for _sort in SORTS:
        _who = "scoped" if _scoped else "all"
        register(
            Scenario(
                name=f"client_list_last_{_who}_{_sort}",
                description=f"Client list at 1M ({_who}, by {_sort}): the last "
                "reachable page vs page 1",
                setup=client_search.setup,
                baseline=lambda sort=_sort, scoped=_scoped: _first(sort, scoped),
                candidate=lambda sort=_sort, scoped=_scoped: _last(sort, scoped),
                target="last page p50 <= 1.5x page 1: ratio >= 0.67 (issue 22)",
                default_size=1_000_000,
            )
        )
