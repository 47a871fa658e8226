# ruff: noqa: S608 - the SQL below is built from module constants only.
"""Erasure and retention at scale.

erasure_10k: erase 10,000 of 1,000,000 clients, each with an email, a phone
and history rows for all three. Baseline: a naive QuerySet.delete() of
another 10,000 (Django's collector, simple-history's post_delete writing a
fresh history row per object). Candidate: privacy.erasure.engine.erase_clients
(set-based, by chunks of ids, history purged explicitly). Both run in a
transaction rolled back at the end, so every run sees the same table.

retention_10k: the nightly retention run (privacy.retention, the inactive
clients rule) over 10,000 due clients, against the same naive delete: the
run erases at the engine's rate, batch by batch (issue 22).

retention_memory: peak memory (tracemalloc) of a real retention run over
the inactive-clients rule with 10,000 due clients (baseline) and 100,000
(candidate), also rolled back. Flat memory means a ratio near 1.
"""

from django.db import connection

from bench.fixtures import bench_boutique, rolled_back
from bench.registry import Scenario, register

PREFIX = "EB-"
ERASE = 10_000


def setup(size: int) -> None:
    from clienteling.models import Client, ClientPhone

    boutique = bench_boutique("EBENCH", "Erasure bench boutique")
    clients = Client.objects.filter(client_number__startswith=PREFIX)
    if (
        clients.count() == size
        and Client.history.filter(client_number__startswith=PREFIX).count() == size
        and ClientPhone.history.filter(client__in=clients).count() == size
    ):
        _fill_digests()
        return
    old = "now() - interval '5 years'"
    with connection.cursor() as cursor:
        for table in (
            "clienteling_historicalclientemail",
            "clienteling_historicalclientphone",
            "clienteling_clientemail",
            "clienteling_clientphone",
        ):
            cursor.execute(
                f"DELETE FROM {table} WHERE client_id IN (SELECT id FROM "
                f"clienteling_client WHERE client_number LIKE '{PREFIX}%%')"
            )
        cursor.execute(
            "DELETE FROM clienteling_historicalclient WHERE client_number LIKE "
            f"'{PREFIX}%%'"
        )
        cursor.execute(
            f"DELETE FROM clienteling_client WHERE client_number LIKE '{PREFIX}%%'"
        )
        cursor.execute(
            f"""
            INSERT INTO clienteling_client (
                client_number, title, first_name, last_name, nationality,
                civil_status, preferred_language, home_boutique_id, source,
                display_language, cookie_consent, status, lifetime_value,
                created_at, updated_at, last_client_initiated_contact_at)
            SELECT '{PREFIX}' || lpad(g::text, 8, '0'), 'mrs', 'First' || g,
                'Last' || g, 'FR', '', 'fr', %s, 'import', '', '', 'active', 0,
                {old}, {old}, {old}
            FROM generate_series(1, %s) AS g
            """,
            [boutique.pk, size],
        )
        ids = f"SELECT id FROM clienteling_client WHERE client_number LIKE '{PREFIX}%%'"
        cursor.execute(
            "INSERT INTO clienteling_clientemail (client_id, address, is_primary) "
            f"SELECT id, 'eb' || id || '@example.com', true FROM ({ids}) c"
        )
        cursor.execute(
            "INSERT INTO clienteling_clientphone (client_id, kind, number, is_primary) "
            "SELECT id, 'mobile', '+3319900' || lpad((id % 10000)::text, 4, '0'), "
            f"true FROM ({ids}) c"
        )
        # History: one '+' row per object, as the admin and services write.
        cursor.execute(
            """
            INSERT INTO clienteling_historicalclient (
                id, client_number, title, first_name, last_name, birth_date,
                nationality, civil_status, preferred_language, home_boutique_id,
                source, display_language, cookie_consent, status,
                lifetime_value, created_at, updated_at, history_date,
                history_type)
            SELECT id, client_number, title, first_name, last_name, birth_date,
                nationality, civil_status, preferred_language, home_boutique_id,
                source, display_language, cookie_consent, status,
                lifetime_value, created_at, updated_at, now(), '+'
            FROM clienteling_client WHERE client_number LIKE %s
            """,
            [f"{PREFIX}%"],
        )
        for model in ("clientemail", "clientphone"):
            columns = (
                "id, client_id, address, is_primary"
                if model == "clientemail"
                else "id, client_id, kind, number, is_primary"
            )
            cursor.execute(
                f"INSERT INTO clienteling_historical{model} ({columns}, "
                f"history_date, history_type) SELECT {columns}, now(), '+' "
                f"FROM clienteling_{model} WHERE client_id IN ({ids})"
            )
        _fill_digests()
        cursor.execute(
            "ANALYZE clienteling_client, clienteling_clientemail, "
            "clienteling_clientphone, clienteling_historicalclient, "
            "clienteling_historicalclientemail, clienteling_historicalclientphone"
        )


def _fill_digests() -> None:
    """The contact rows' keyed digests, as every ORM path stores them
    (decision 0086): the rows above are written by raw SQL, which leaves
    them empty. Only rows still without one (a fixture built before)."""
    from clienteling.digests import email_digest, phone_digest

    ids = f"SELECT id FROM clienteling_client WHERE client_number LIKE '{PREFIX}%%'"
    with connection.cursor() as cursor:
        for table, column, digest in (
            ("clienteling_clientemail", "address", email_digest),
            ("clienteling_clientphone", "number", phone_digest),
        ):
            cursor.execute(
                f"SELECT id, {column} FROM {table} "
                f"WHERE digest IS NULL AND client_id IN ({ids})"
            )
            rows = cursor.fetchall()
            for start in range(0, len(rows), 100_000):
                part = rows[start : start + 100_000]
                cursor.execute(
                    f"UPDATE {table} AS t SET digest = v.d FROM "
                    "unnest(%s::bigint[], %s::varchar[]) AS v(i, d) WHERE t.id = v.i",
                    [
                        "{" + ",".join(str(i) for i, _ in part) + "}",
                        "{" + ",".join(digest(value) for _, value in part) + "}",
                    ],
                )
            if rows:
                cursor.execute(f"VACUUM ANALYZE {table}")


def _ids(offset: int, count: int) -> list[int]:
    from clienteling.models import Client

    return list(
        Client.objects.filter(client_number__startswith=PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)[offset : offset + count]
    )


def naive_delete() -> dict:
    from clienteling.models import Client

    ids = _ids(ERASE, ERASE)

    def work():
        deleted, _ = Client.objects.filter(pk__in=ids).delete()
        return {"rows": deleted}

    return rolled_back(work)


def set_based_erasure() -> dict:
    from privacy.erasure.engine import erase_clients
    from privacy.erasure.plan import chunks

    ids = _ids(0, ERASE)

    def work():
        import time

        started = time.perf_counter()
        purged = 0
        for part in chunks(ids):
            counts = erase_clients(client_ids=part)
            purged += counts["clienteling.Client"].get("updated", 0)
        seconds = time.perf_counter() - started
        return {"clients": purged, "clients_per_s": round(purged / seconds)}

    return rolled_back(work)


def _retention_over(count: int) -> dict:
    from clienteling.models import Client
    from privacy import retention
    from privacy.models import RetentionRule

    # Bounds only: a list of 100,000 ids here would be the bench's own
    # memory, not the run's.
    low, high = _ids(0, 1)[0], _ids(count - 1, 1)[0]
    original = retention.HANDLERS["inactive_clients"]

    def due(rule, now):
        return original.due(rule, now).filter(pk__gte=low, pk__lte=high)

    def work():
        RetentionRule.objects.exclude(code="inactive_clients").update(is_active=False)
        RetentionRule.objects.filter(code="inactive_clients").update(is_active=True)
        retention.HANDLERS["inactive_clients"] = retention.Handler(due, original.apply)
        try:
            run = retention.retention_run_now(acting_user=None, dry_run=False)
        finally:
            retention.HANDLERS["inactive_clients"] = original
        erased = Client.objects.filter(
            pk=low, client_number__startswith="ERASED-"
        ).count()
        return {
            "clients_erased": run.counts["inactive_clients"].get("clients_erased", 0),
            "first_erased": erased,
        }

    return rolled_back(work)


def _retention_rate(count: int) -> dict:
    import time

    started = time.perf_counter()
    result = _retention_over(count)
    seconds = time.perf_counter() - started
    return {**result, "clients_per_s": round(result["clients_erased"] / seconds)}


register(
    Scenario(
        name="erasure_10k",
        description="Erase 10,000 of 1,000,000 clients with history "
        "(naive QuerySet.delete() vs set-based erase_clients)",
        setup=setup,
        baseline=naive_delete,
        candidate=set_based_erasure,
        target="issue 22: >= 20x the naive delete, >= 10,000 clients/s",
        default_size=1_000_000,
    )
)
register(
    Scenario(
        name="retention_10k",
        description="Nightly retention run over 10,000 due clients of 1,000,000 "
        "(naive QuerySet.delete() vs retention_run_now)",
        setup=setup,
        baseline=naive_delete,
        candidate=lambda: _retention_rate(10_000),
        target="issue 22: the erasure's rate (>= 10,000 clients/s)",
        default_size=1_000_000,
    )
)
register(
    Scenario(
        name="retention_memory",
        description="Retention run peak memory: 10,000 due clients "
        "(baseline) vs 100,000 (candidate)",
        setup=setup,
        baseline=lambda: _retention_over(10_000),
        candidate=lambda: _retention_over(100_000),
        metric="peak_kib",
        target="candidate/baseline <= 1.2 (printed ratio >= 0.83)",
        default_size=1_000_000,
    )
)
