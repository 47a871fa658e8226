"""Importing 10,000 CSV rows: the set-based engine against the row engine.

A realistic file (every column, a normalised mobile on every row, a
landline on every tenth, an email on each) imported by an adviser into
their boutique, over a table of `size` existing clients. Baseline:
django-import-export's own engine (one save and one history row per
object, per-row queries), as clients_import ran before. Candidate:
clients_import, the set-based engine (COPY into a staging table, INSERT
... SELECT with the history rows). Both run in a transaction rolled back
at the end, so every run sees the same table and the same file imports
again. The extra figures are rows per second of the import itself.
"""

import csv
import io
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench.fixtures import bench_boutique, rolled_back
from bench.registry import Scenario, register

ROWS = 10_000
PREFIX = "IB-"
BOUTIQUE = "IBENCH"
IMPORTER = "bench-importer"


def _csv_path() -> Path:
    return Path(settings.BASE_DIR) / "var" / "bench" / "client_import.csv"


def _file(
    rows: int = ROWS,
    *,
    numbers: str = "IMP-",
    emails: str = "imported",
    boutique: str = BOUTIQUE,
) -> bytes:
    """The realistic import file: every column, a distinct mobile on every
    row, a landline on every tenth (bench/import_100k.py writes its own
    with another prefix, so its clients never clash with these)."""
    from clienteling.resources import ClientResource

    out = io.StringIO()
    writer = csv.writer(out)
    # The import's columns, in order (the rows below follow them).
    writer.writerow(ClientResource.Meta.fields)
    for n in range(1, rows + 1):
        writer.writerow(
            [
                f"{numbers}{n:08d}",
                ("mrs", "mr", "ms", "")[n % 4],
                f"Prénom{n}",
                f"Nom{n}",
                f"{1950 + n % 50}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                ("FR", "GB", "DE", "IT", "JP")[n % 5],
                ("", "single", "married")[n % 3],
                ("fr", "en", "de", "ja")[n % 4],
                boutique,
                f"{emails}{n}@example.com",
                f"01 99 {n // 10000:02d} {n // 100 % 100:02d} {n % 100:02d}",
                f"+44 20 7946 {n // 10 % 1000:04d}" if n % 10 == 0 else "",
            ]
        )
    return out.getvalue().encode("utf-8")


def setup(size: int) -> None:
    from django.contrib.auth.models import Group

    from clienteling.models import Client, User
    from core import roles

    boutique = bench_boutique(BOUTIQUE, "Import bench boutique")
    user, _ = User.objects.get_or_create(username=IMPORTER, defaults={"is_staff": True})
    user.groups.set([Group.objects.get(name=roles.ADVISER)])
    user.boutiques.set([boutique])
    path = _csv_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_file())
    existing = Client.objects.filter(client_number__startswith=PREFIX)
    if existing.count() == size:
        return
    with connection.cursor() as cursor:
        # Background clients only: no history, emails or phones needed for
        # the import's duplicate check and index maintenance.
        cursor.execute(
            "DELETE FROM clienteling_client WHERE client_number LIKE %s",
            [f"{PREFIX}%"],
        )
        cursor.execute(
            """
            INSERT INTO clienteling_client (
                client_number, title, first_name, last_name, nationality,
                civil_status, preferred_language, home_boutique_id, source,
                display_language, cookie_consent, status, lifetime_value,
                created_at, updated_at)
            SELECT %s || lpad(g::text, 8, '0'), '', 'First' || g, 'Last' || g,
                'FR', '', 'fr', %s, 'boutique', '', '', 'active', 0, now(),
                now()
            FROM generate_series(1, %s) AS g
            """,
            [PREFIX, boutique.pk, size],
        )
        cursor.execute("ANALYZE clienteling_client")


def _import_rolled_back(run) -> dict:
    from clienteling.models import User

    user = User.objects.get(username=IMPORTER)
    data = _csv_path().read_bytes()

    def work():
        started = time.perf_counter()
        created = run(user, data)
        seconds = time.perf_counter() - started
        return {"rows": len(created), "rows_per_s": round(len(created) / seconds)}

    return rolled_back(work)


def row_engine() -> dict:
    from clienteling import csv_files, imports

    return _import_rolled_back(
        lambda user, data: imports.import_row_by_row(
            csv_files.read_dataset(data), acting_user=user
        )
    )


def set_based_engine() -> dict:
    from clienteling import services

    return _import_rolled_back(
        lambda user, data: services.clients_import(acting_user=user, data=data)
    )


register(
    Scenario(
        name="client_import_10k",
        description="Import 10,000 CSV rows with history "
        "(django-import-export's row engine vs the set-based engine)",
        setup=setup,
        baseline=row_engine,
        candidate=set_based_engine,
        target="ARCHITECTURE.md: ~28,000 rows/s vs 491 rows/s",
        default_size=100_000,
    )
)
