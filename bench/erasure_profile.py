# ruff: noqa: S608, T201 - a profiling script: prints, SQL from the engine itself.
"""Where erase_clients spends its time, statement by statement (issue 22).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecrin_bench \\
        .venv/bin/python -m bench.erasure_profile [COUNT]

On the erasure bench's fixture (`make bench BENCH_ARGS="--only erasure_10k"`
builds it: 1,000,000 clients, each with an email, a phone and history):

1. runs `erase_clients` over COUNT (10,000) of its clients through Django,
   in a transaction rolled back, and times every statement it sends;
2. replays the same statements with psycopg alone (no Django, no Python
   between them), in one transaction rolled back: the floor the engine's
   SQL has on this machine;
3. replays them once more under EXPLAIN (ANALYZE, BUFFERS) and prints each
   plan's top lines: which indexes a statement writes, which triggers fire.
"""

import os
import re
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecrin_bench"
)
os.environ["DATABASE_URL"] = URL


def _django_run(count: int) -> tuple[float, list[tuple[str, float]], list[int]]:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench.scenarios.erasure import _ids
    from privacy.erasure.engine import erase_clients
    from privacy.erasure.plan import chunks

    ids = _ids(0, count)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                for part in chunks(ids):
                    erase_clients(client_ids=part)
                seconds = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
    statements = [
        (q["sql"], float(q["time"]))
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]
    return seconds, statements, ids


class _Rollback(Exception):
    pass


def _bare(statements, *, explain: bool) -> list[tuple[float, list[str]]]:
    import psycopg

    out = []
    with psycopg.connect(URL) as conn:
        for sql, _ in statements:
            dml = (
                sql.lstrip()
                .upper()
                .startswith(("SELECT", "UPDATE", "DELETE", "INSERT", "WITH"))
            )
            started = time.perf_counter()
            if explain and dml:
                rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").fetchall()
                plan = [r[0] for r in rows]
            else:
                if not sql.lstrip().upper().startswith(("BEGIN", "COMMIT")):
                    conn.execute(sql)
                plan = []
            out.append((time.perf_counter() - started, plan))
        conn.rollback()
    return out


_ARRAY = re.compile(r"\{[0-9,]{40,}\}")


def _short(sql: str, width: int = 110) -> str:
    return _ARRAY.sub("{ids}", " ".join(sql.split()))[:width]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seconds, statements, ids = _django_run(count)
    print(
        f"Django: erase_clients of {len(ids)} clients {seconds:.3f} s "
        f"({len(ids) / seconds:,.0f} clients/s), {len(statements)} statements, "
        f"{sum(t for _, t in statements):.3f} s of them in the database"
    )
    bare = _bare(statements, explain=False)
    total = sum(t for t, _ in bare)
    print(
        f"psycopg alone, the same statements: {total:.3f} s "
        f"({len(ids) / total:,.0f} clients/s)"
    )
    explained = _bare(statements, explain=True)
    order = sorted(range(len(statements)), key=lambda i: -bare[i][0])
    print("\nslowest statements (Django s | bare s), with their plan's top:")
    for i in order[:12]:
        sql, django_s = statements[i]
        print(f"\n{django_s:7.3f} | {bare[i][0]:7.3f}  {_short(sql)}")
        plan = explained[i][1]
        keep = [
            line
            for line in plan
            if not line.strip().startswith(("Buffers: shared hit", "Planning:"))
            or "dirtied" in line
            or "written" in line
        ]
        for line in keep[:14]:
            print(f"      {_short(line, 150)}")


if __name__ == "__main__":
    main()
