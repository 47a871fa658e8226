"""The client changelist at scale: ClientAdmin against a stock ModelAdmin.

Baseline: a stock ModelAdmin on the same table (no list_select_related,
full COUNT(*) twice, search across related tables with icontains).
Candidate: clienteling.admin.ClientAdmin (list_select_related, one
estimated count, search through ClientQuerySet.matching with trigram
indexes).
"""

import time

from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from bench import bulk
from bench.fixtures import bench_boutique
from bench.registry import Scenario, register

PREFIX = "BENCH-"
SEARCH_TERM = "Last4242"
CLIENT_TABLES = (
    "clienteling_client",
    "clienteling_clientemail",
    "clienteling_clientphone",
)


def setup(size: int) -> None:
    from clienteling.models import Client, ClientPhone, User

    boutique = bench_boutique("BENCH", "Bench boutique")
    advisers = []
    for n in range(50):
        user, _ = User.objects.get_or_create(username=f"bench-adviser-{n}")
        advisers.append(user.pk)
    User.objects.update_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    bench_clients = Client.objects.filter(client_number__startswith=PREFIX)
    if (
        bench_clients.count() == size
        and ClientPhone.objects.filter(client__in=bench_clients).count() == size
    ):
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        # Loaded without their secondary indexes and unique and foreign-key
        # constraints, recreated after (bench/bulk.py, decision 0118): a
        # million rows into some twenty indexes, trigram ones among them,
        # took minutes more than building the indexes once.
        bulk.drop_secondary(cursor, CLIENT_TABLES)
        # The homes scenarios' follow-ups and contacts hang on these clients
        # too (homes.setup builds on this table at another default size).
        for table in (
            "clienteling_followup",
            "clienteling_contactevent",
            "clienteling_clientemail",
            "clienteling_clientphone",
        ):
            cursor.execute(
                f"DELETE FROM {table} WHERE client_id IN (SELECT id FROM "  # noqa: S608
                "clienteling_client WHERE client_number LIKE 'BENCH-%%')",
                [],
            )
        cursor.execute(
            "DELETE FROM clienteling_client WHERE client_number LIKE 'BENCH-%%'", []
        )
        cursor.execute(
            """
            INSERT INTO clienteling_client (
                client_number, title, first_name, last_name, nationality,
                civil_status, preferred_language, home_boutique_id,
                primary_adviser_id, source, display_language, cookie_consent,
                status, last_contact_at, lifetime_value, created_at, updated_at)
            SELECT 'BENCH-' || lpad(g::text, 8, '0'), '', 'First' || g,
                'Last' || (g %% 50000), 'FR', '', 'fr', %s,
                CASE WHEN g %% 3 = 0 THEN NULL
                     ELSE (%s::bigint[])[1 + g %% 50] END,
                'import', '', '', 'active',
                now() - (g %% 1000) * interval '1 day', 0, now(), now()
            FROM generate_series(1, %s) AS g
            """,
            [boutique.pk, advisers, size],
        )
        _emails_and_phones(cursor)
        bulk.restore(cursor, CLIENT_TABLES)
        cursor.execute(
            "VACUUM ANALYZE clienteling_client, clienteling_clientemail, "
            "clienteling_clientphone"
        )


def _emails_and_phones(cursor) -> None:
    """One email and one mobile per bench client, with their keyed digests
    (the erasure and suppression checks read them), by COPY from a
    generator: the digests are computed here, as the model's save would,
    so no UPDATE of a million rows sets them afterwards."""
    from clienteling.digests import keyed_digest, normalise_email

    cursor.execute(
        "SELECT id FROM clienteling_client WHERE client_number LIKE 'BENCH-%%'",
        [],
    )
    ids = [row[0] for row in cursor.fetchall()]
    raw = cursor.cursor
    with raw.copy(
        "COPY clienteling_clientemail (client_id, address, is_primary, digest) "
        "FROM STDIN"
    ) as copy:
        for pk in ids:
            address = f"c{pk}@example.com"
            copy.write_row((pk, address, True, keyed_digest(normalise_email(address))))
    with raw.copy(
        "COPY clienteling_clientphone (client_id, kind, number, is_primary, digest) "
        "FROM STDIN"
    ) as copy:
        for pk in ids:
            number = f"+3319900{pk % 10000:04d}"
            copy.write_row((pk, "mobile", number, True, keyed_digest(number)))


class StockClientAdmin(admin.ModelAdmin):
    list_per_page = 50
    list_display = [
        "client_number",
        "last_name",
        "first_name",
        "home_boutique",
        "primary_adviser",
        "last_contact_at",
        "lifetime_value",
    ]
    list_filter = ["preferred_language"]
    search_fields = [
        "client_number",
        "first_name",
        "last_name",
        "emails__address",
        "phones__number",
    ]


def _render(model_admin_class, query: dict) -> dict:
    """Render the page twice; time the second (templates compiled, warm)."""
    from clienteling.models import Client, User

    site = admin.AdminSite(name="bench")
    model_admin = model_admin_class(Client, site)
    user = User.objects.get(username="bench-admin")

    def render():
        request = RequestFactory().get("/admin/clienteling/client/", query)
        request.user = user
        response = model_admin.changelist_view(request)
        response.render()
        assert response.status_code == 200, response.status_code
        return response

    render()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = render()
    return {
        "seconds": time.perf_counter() - started,
        "queries": len(queries),
        "rows": len(response.context_data["cl"].result_list),
    }


def _client_admin():
    from clienteling.admin import ClientAdmin

    return ClientAdmin


register(
    Scenario(
        name="client_changelist",
        description="Client changelist page 1, unfiltered "
        "(stock ModelAdmin vs ClientAdmin)",
        setup=setup,
        baseline=lambda: _render(StockClientAdmin, {}),
        candidate=lambda: _render(_client_admin(), {}),
        target="ARCHITECTURE.md at 1M: 256 ms/105 queries -> 78 ms/4 queries",
    )
)
register(
    Scenario(
        name="client_search_name",
        description=f"Client search for {SEARCH_TERM!r} "
        "(stock related icontains vs matching())",
        setup=setup,
        baseline=lambda: _render(StockClientAdmin, {"q": SEARCH_TERM}),
        candidate=lambda: _render(_client_admin(), {"q": SEARCH_TERM}),
        target="ARCHITECTURE.md at 1M: 1,164 ms -> 118 ms",
    )
)
