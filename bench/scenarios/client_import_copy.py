# ruff: noqa: S608 - the SQL below is built from model metadata only.
"""Importing 100,000 rows against a plain COPY of the same rows.

client_import_100k: the whole staged import as staff run it, preview
included: the check job's pass (imports.check_upload: the stored file read
by batches, every row validated) and the write job's (imports.import_upload:
read and validated again, each batch COPYed into a staging table and
INSERT ... SELECT with one history row per client, email and phone as soon
as it is valid, all in one transaction; decision 0105).
Baseline: the rows that import writes, prepared once at setup (validated,
rendered as COPY text), COPYed with their history rows into the same
indexed tables: what PostgreSQL itself needs, with no validation at all.
Both roll back. Target (issue 22): candidate <= 2x the baseline, a printed
ratio >= 0.5.

client_import_memory: peak memory (tracemalloc) of the same check and
write over 10,000 rows (baseline) and 100,000 (candidate). Flat memory
means a ratio near 1 (target <= 1.2x, a printed ratio >= 0.83).
"""

import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from bench.fixtures import rolled_back
from bench.registry import Scenario, register
from bench.scenarios import client_import

ROWS = 100_000
SMALL = 10_000
NUMBERS = "IC-"
EMAILS = "imported-copy"


def _folder() -> Path:
    return Path(settings.BASE_DIR) / "var" / "bench"


def _csv_path(rows: int) -> Path:
    return _folder() / f"client_import_{rows}.csv"


def _rows_path() -> Path:
    return _folder() / f"client_import_{ROWS}.copy"


def setup(size: int) -> None:
    from clienteling import csv_files, imports
    from clienteling.models import Client, User

    client_import.setup(size)  # the boutique, the importer, the table
    for rows in (SMALL, ROWS):
        _csv_path(rows).write_bytes(
            client_import._file(rows, numbers=NUMBERS, emails=EMAILS)
        )
    if _rows_path().exists():
        return
    # The rows the import writes, validated once, as COPY text.
    user = User.objects.get(username=client_import.IMPORTER)
    dataset = csv_files.read_dataset(_csv_path(ROWS).read_bytes())
    clients = imports.validate(dataset, acting_user=user)
    fields = [f for f in Client._meta.concrete_fields if not f.primary_key]
    with open(_rows_path(), "w", encoding="utf-8") as out:
        for client in clients:
            imports_values = [
                _text(f.get_db_prep_save(getattr(client, f.attname), connection))
                for f in fields
            ]
            email, mobile, landline = imports._contact_details(client)
            out.write(
                "\t".join([*imports_values, email, mobile, landline]).replace(
                    "\n", "\\n"
                )
                + "\n"
            )


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t")


def copy_baseline() -> dict:
    """COPY the prepared rows and their history into the same tables."""
    from clienteling.models import Client, ClientEmail, ClientPhone, User

    user = User.objects.get(username=client_import.IMPORTER)
    lines = _rows_path().read_text(encoding="utf-8").splitlines()
    now = datetime.now(UTC).isoformat()
    fields = [f for f in Client._meta.concrete_fields if not f.primary_key]
    columns = ["id", *(f.column for f in fields)]
    stamp = {
        i for i, f in enumerate(fields) if f.column in ("created_at", "updated_at")
    }
    history_tail = f"\t{now}\t\\N\t+\t{user.pk}\n"

    def ids(cursor, table: str, count: int) -> list[int]:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s) ORDER BY 1",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]

    def copy(cursor, table: str, names: list[str], text: list[str]) -> None:
        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as out:
            out.write("".join(text))

    def work():
        started = time.perf_counter()
        clients, emails, phones = [], [], []
        with connection.cursor() as cursor:
            client_ids = ids(cursor, Client._meta.db_table, len(lines))
            for pk, line in zip(client_ids, lines, strict=True):
                values = line.split("\t")
                row, (email, mobile, landline) = values[:-3], values[-3:]
                for i in stamp:
                    row[i] = now
                clients.append(f"{pk}\t" + "\t".join(row))
                if email:
                    emails.append((pk, email))
                if mobile:
                    phones.append((pk, "mobile", mobile, "t"))
                if landline:
                    phones.append((pk, "landline", landline, "f" if mobile else "t"))
            copy(cursor, Client._meta.db_table, columns, [c + "\n" for c in clients])
            history = Client.history.model
            copy(
                cursor,
                history._meta.db_table,
                [
                    *columns,
                    "history_date",
                    "history_change_reason",
                    "history_type",
                    "history_user_id",
                ],
                [c + history_tail for c in clients],
            )
            email_ids = ids(cursor, ClientEmail._meta.db_table, len(emails))
            email_rows = [
                f"{i}\t{pk}\t{address}\tt"
                for i, (pk, address) in zip(email_ids, emails, strict=True)
            ]
            names = ["id", "client_id", "address", "is_primary"]
            copy(
                cursor,
                ClientEmail._meta.db_table,
                names,
                [r + "\n" for r in email_rows],
            )
            copy(
                cursor,
                ClientEmail.history.model._meta.db_table,
                [
                    *names,
                    "history_date",
                    "history_change_reason",
                    "history_type",
                    "history_user_id",
                ],
                [r + history_tail for r in email_rows],
            )
            phone_ids = ids(cursor, ClientPhone._meta.db_table, len(phones))
            phone_rows = [
                f"{i}\t{pk}\t{kind}\t{number}\t{primary}"
                for i, (pk, kind, number, primary) in zip(
                    phone_ids, phones, strict=True
                )
            ]
            names = ["id", "client_id", "kind", "number", "is_primary"]
            copy(
                cursor,
                ClientPhone._meta.db_table,
                names,
                [r + "\n" for r in phone_rows],
            )
            copy(
                cursor,
                ClientPhone.history.model._meta.db_table,
                [
                    *names,
                    "history_date",
                    "history_change_reason",
                    "history_type",
                    "history_user_id",
                ],
                [r + history_tail for r in phone_rows],
            )
        seconds = time.perf_counter() - started
        return {"rows": len(lines), "rows_per_s": round(len(lines) / seconds)}

    return rolled_back(work)


def staged_import(rows: int = ROWS) -> dict:
    """The check job's pass, then the write job's: what staff wait for.

    Both read the stored file as the jobs do (imports.check_upload, then
    imports.import_upload: checked again and written batch by batch).
    """
    from clienteling import imports
    from clienteling.models import User

    user = User.objects.get(username=client_import.IMPORTER)

    def work():
        started = time.perf_counter()
        # The check (preview): every row read and validated, nothing kept.
        checked = imports.check_upload(_csv_path(rows), acting_user=user)
        assert not checked.problems, checked.problems[:3]
        check_done = time.perf_counter()
        # The write: checked again (the database may have changed), and
        # each batch written as soon as it is valid, in one transaction.
        with transaction.atomic():
            created = imports.import_upload(_csv_path(rows), acting_user=user)
        done = time.perf_counter()
        return {
            "rows": created,
            "rows_per_s": round(created / (done - started)),
            "check_s": round(check_done - started, 2),
            "write_s": round(done - check_done, 2),
        }

    return rolled_back(work)


register(
    Scenario(
        name="client_import_100k",
        description="Import 100,000 rows, preview included "
        "(COPY of the same rows with history vs the staged import)",
        setup=setup,
        baseline=copy_baseline,
        candidate=staged_import,
        target="issue 22: <= 2x the COPY (printed ratio >= 0.5)",
        default_size=100_000,
    )
)
register(
    Scenario(
        name="client_import_memory",
        description="Staged import peak memory: 10,000 rows (baseline) vs "
        "100,000 (candidate)",
        setup=setup,
        baseline=lambda: staged_import(SMALL),
        candidate=lambda: staged_import(ROWS),
        metric="peak_kib",
        target="candidate/baseline <= 1.2 (printed ratio >= 0.83)",
        default_size=100_000,
    )
)
