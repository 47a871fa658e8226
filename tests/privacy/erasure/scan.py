"""Scans of the whole database and storage for a marker string."""

from pathlib import Path

from django.db import connection

# inet too: IP addresses are personal data and a column type of their own.
TEXT_TYPES = (
    "text",
    "character varying",
    "character",
    "json",
    "jsonb",
    "bytea",
    "inet",
)


def text_columns() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM "
            "information_schema.columns WHERE table_schema = 'public' "
            "AND data_type = ANY(%s) ORDER BY table_name, column_name",
            [list(TEXT_TYPES)],
        )
        return cursor.fetchall()


def database_hits(needle: str) -> list[tuple[str, str, int]]:
    """(table, column, rows) for every column holding the needle."""
    hits = []
    with connection.cursor() as cursor:
        for table, column, kind in text_columns():
            expression = (
                f"encode(\"{column}\", 'escape')"
                if kind == "bytea"
                else f'"{column}"::text'
            )
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE {expression} ILIKE %s',  # noqa: S608
                [f"%{needle}%"],
            )
            count = cursor.fetchone()[0]
            if count:
                hits.append((table, column, count))
    return hits


def file_hits(folder: Path, needle: str) -> list[str]:
    found = []
    if not folder.exists():
        return found
    for path in folder.rglob("*"):
        if path.is_file() and needle.lower().encode() in path.read_bytes().lower():
            found.append(str(path))
    return found


def rows_about(client_id: int, needle: str) -> dict[str, list[str]]:
    """Every row, as text, that is about the client or holds the needle."""
    snapshot = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [t for (t,) in cursor.fetchall()]
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name IN ('client_id', 'other_id')"
        )
        linked: dict[str, list[str]] = {}
        for table, column in cursor.fetchall():
            linked.setdefault(table, []).append(column)
        for table in tables:
            conditions = ["t::text ILIKE %s"]
            params: list = [f"%{needle}%"]
            for column in linked.get(table, []):
                conditions.append(f'"{column}" = %s')
                params.append(client_id)
            if table in ("clienteling_client", "clienteling_historicalclient"):
                conditions.append("id = %s")
                params.append(client_id)
            cursor.execute(
                f'SELECT t::text FROM "{table}" AS t WHERE '  # noqa: S608
                + " OR ".join(conditions)
                + " ORDER BY 1",
                params,
            )
            rows = [r for (r,) in cursor.fetchall()]
            if rows:
                snapshot[table] = rows
    return snapshot
