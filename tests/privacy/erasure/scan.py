"""Scans of the whole database and storage for a marker string."""

import base64
import json
import zipfile
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


def _texts(path: Path) -> list[bytes]:
    """The file's bytes, and each member's when it is a zip (reports)."""
    data = path.read_bytes()
    texts = [data]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            texts += [archive.read(name) for name in archive.namelist()]
    return texts


def files_naming(folder: Path, needles: list[str]) -> dict[str, list[str]]:
    """file -> the needles it holds, zips opened, under `folder`."""
    found: dict[str, list[str]] = {}
    if not Path(folder).exists():
        return found
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file():
            continue
        texts = [t.lower() for t in _texts(path)]
        held = [n for n in needles if any(n.lower().encode() in t for t in texts)]
        if held:
            found[str(path)] = held
    return found


def _redis_values(connection, key: bytes) -> list[bytes]:
    kind = connection.type(key)
    if kind == b"string":
        return [connection.get(key) or b""]
    if kind == b"list":
        return connection.lrange(key, 0, -1)
    if kind == b"hash":
        return [k + b" " + v for k, v in connection.hgetall(key).items()]
    if kind == b"set":
        return list(connection.smembers(key))
    if kind == b"zset":
        return connection.zrange(key, 0, -1)
    return []


def _with_bodies(blob: bytes) -> list[bytes]:
    """The value, and the base64 body of a kombu message inside it."""
    texts = [blob]
    start = blob.find(b"{")
    if start >= 0:
        try:
            message = json.loads(blob[start:])
            texts.append(base64.b64decode(message["body"]))
        except (ValueError, KeyError, TypeError):
            pass
    return texts


def broker_hits(url: str, needles: list[str]) -> tuple[int, dict[str, list[str]]]:
    """(keys read, key -> needles found) over the broker's Redis db."""
    import redis

    connection = redis.Redis.from_url(url)
    keys = list(connection.scan_iter(count=1000))
    hits: dict[str, list[str]] = {}
    for key in keys:
        texts = [
            t.lower()
            for blob in _redis_values(connection, key)
            for t in _with_bodies(blob)
        ]
        held = [n for n in needles if any(n.lower().encode() in t for t in texts)]
        if held:
            hits[key.decode(errors="replace")] = held
    return len(keys), hits


def task_result_hits(needles: list[str]) -> tuple[int, list[str]]:
    """(rows read, task ids whose row holds a needle) of django-celery-results."""
    from django_celery_results.models import TaskResult

    rows = list(
        TaskResult.objects.values_list(
            "task_id", "task_args", "task_kwargs", "result", "meta", "traceback"
        )
    )
    found = [
        row[0]
        for row in rows
        if any(n.lower() in " ".join(str(v) for v in row).lower() for n in needles)
    ]
    return len(rows), found
