"""Bulk loads of the bench's big tables, and the marker of a data set built.

Two tables of the bench database only (no Django model, no migration):

- `bench_dataset`: one row per data set built (name, version, size, a
  fingerprint of the rows it hangs on, build seconds). A setup that finds
  its row with the same version, size and fingerprint reuses the data set
  (a second `make bench` run, or the next scenario of the same run) instead
  of writing it again. The row is deleted before a rebuild starts and
  written when it ends, so an interrupted build is never taken as built.
- `bench_pending_ddl`: the secondary indexes, unique and foreign-key
  constraints dropped for a load, with the statement that recreates each
  (from `pg_get_indexdef` / `pg_get_constraintdef`). Recorded and dropped
  in one transaction, recreated one by one (each recreation and the removal
  of its row in one transaction). A load stopped half-way leaves its rows:
  the next load of the same tables keeps them, and `make bench` recreates
  whatever is pending before it migrates (`python -m bench.bulk restore`
  does the same by hand).

Works on a psycopg cursor or a Django cursor in autocommit mode (no
Django import here: `bench/__main__.py` restores before Django migrates).
"""

import sys
import time

MARKER = "bench_dataset"
PENDING = "bench_pending_ddl"
# Recreated in this order: the indexes first (the unique constraint's and
# the foreign keys' validation then read the finished table once each).
KINDS = ("index", "unique", "foreign")


def ensure_tables(cursor) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {MARKER} ("
        "name text PRIMARY KEY, version integer NOT NULL, size bigint NOT NULL, "
        "fingerprint text NOT NULL, seconds double precision, "
        "built_at timestamptz NOT NULL DEFAULT now())"
    )
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {PENDING} ("
        "name text PRIMARY KEY, table_name text NOT NULL, kind text NOT NULL, "
        "ddl text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())"
    )


def is_built(cursor, name: str, version: int, size: int, fingerprint: str) -> bool:
    ensure_tables(cursor)
    cursor.execute(
        f"SELECT 1 FROM {MARKER} WHERE name = %s AND version = %s "  # noqa: S608
        "AND size = %s AND fingerprint = %s",
        [name, version, size, fingerprint],
    )
    return cursor.fetchone() is not None


def forget(cursor, name: str) -> None:
    ensure_tables(cursor)
    cursor.execute(f"DELETE FROM {MARKER} WHERE name = %s", [name])  # noqa: S608


def mark(
    cursor, name: str, version: int, size: int, fingerprint: str, *, seconds: float
) -> None:
    ensure_tables(cursor)
    cursor.execute(
        f"INSERT INTO {MARKER} (name, version, size, fingerprint, seconds) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
        "version = EXCLUDED.version, size = EXCLUDED.size, "
        "fingerprint = EXCLUDED.fingerprint, seconds = EXCLUDED.seconds, "
        "built_at = now()",
        [name, version, size, fingerprint, seconds],
    )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _definitions(cursor, table: str) -> list[tuple[str, str, str]]:
    """(name, kind, statement that recreates it) of the table's secondary
    indexes (not the primary key's, not a constraint's), unique and
    foreign-key constraints."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                          WHERE c.conindid = x.indexrelid
                            AND c.conrelid = x.indrelid)
        """,
        [table],
    )
    found = [(name, "index", ddl) for name, ddl in cursor.fetchall()]
    cursor.execute(
        """
        SELECT conname, contype, pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('u', 'f')
        """,
        [table],
    )
    for name, contype, definition in cursor.fetchall():
        found.append(
            (
                name,
                "unique" if contype == "u" else "foreign",
                f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} "
                f"{definition}",
            )
        )
    return found


def drop_secondary(cursor, tables: tuple[str, ...]) -> int:
    """Record, then drop, the tables' secondary indexes and unique and
    foreign-key constraints, in one transaction; how many were dropped.
    Rows already pending (a load stopped earlier) are kept as they are."""
    ensure_tables(cursor)
    cursor.execute("BEGIN")
    try:
        dropped = 0
        for table in tables:
            for name, kind, ddl in _definitions(cursor, table):
                cursor.execute(
                    f"INSERT INTO {PENDING} (name, table_name, kind, ddl) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO NOTHING",
                    [name, table, kind, ddl],
                )
                if kind == "index":
                    cursor.execute(f"DROP INDEX {_quote(name)}")
                else:
                    cursor.execute(
                        f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}"
                    )
                dropped += 1
        cursor.execute("COMMIT")
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    return dropped


def restore(cursor, tables: tuple[str, ...] | None = None) -> list[tuple[str, float]]:
    """Recreate what is pending (for these tables, or all), indexes first;
    (name, seconds) of each. Each statement and the removal of its row
    commit together, so a stop loses nothing."""
    ensure_tables(cursor)
    cursor.execute(
        f"SELECT name, table_name, kind, ddl FROM {PENDING}"  # noqa: S608
    )
    rows = [row for row in cursor.fetchall() if tables is None or row[1] in tables]
    rows.sort(key=lambda row: (KINDS.index(row[2]), row[1], row[0]))
    cursor.execute("SET maintenance_work_mem = '256MB'")
    done = []
    for name, _table, _kind, ddl in rows:
        started = time.perf_counter()
        cursor.execute("BEGIN")
        try:
            cursor.execute(ddl)
            cursor.execute(f"DELETE FROM {PENDING} WHERE name = %s", [name])  # noqa: S608
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        done.append((name, time.perf_counter() - started))
    for table in sorted({row[1] for row in rows}):
        cursor.execute(f"ANALYZE {_quote(table)}")
    cursor.execute("RESET maintenance_work_mem")
    return done


def main() -> None:
    """`python -m bench.bulk restore`: recreate what a stopped load left
    dropped in BENCH_DATABASE_URL's database."""
    import os

    import psycopg

    from bench.__main__ import DEFAULT_URL

    if sys.argv[1:] != ["restore"]:
        sys.exit("usage: python -m bench.bulk restore")
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    with psycopg.connect(url, autocommit=True) as conn:
        done = restore(conn.cursor())
    for name, seconds in done:
        print(f"{name}: recreated in {seconds:.1f} s")
    print(f"{len(done)} pending statements recreated")


if __name__ == "__main__":
    main()
