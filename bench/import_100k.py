"""A 100,000-row client import through the staged-import services and jobs.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.import_100k [--rows N]

Uploads the realistic file of bench/scenarios/client_import.py (every
column; its own client numbers and emails) with
clienteling.services.import_start, which queues the check job, then
confirms it with import_confirm, which queues the write job. The jobs run
in this very process (Celery eager: the message runs when the transaction
commits), so the figures are the jobs' own: wall time of the check
(validate) and of the write (apply), and this process's peak RSS after
each (resource.getrusage). Leaves the imported clients in the database.
Prints one JSON line.
"""

import argparse
import json
import os
import resource
import secrets
import sys
import time


def _file(rows: int, tag: str, boutique: str) -> bytes:
    """The bench scenario's file (bench/scenarios/client_import.py), under
    this run's own client numbers and emails."""
    from bench.scenarios.client_import import _file as scenario_file

    return scenario_file(
        rows, numbers=f"{tag}-", emails=f"{tag.lower()}-", boutique=boutique
    )


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group

    from bench.fixtures import bench_boutique
    from clienteling import services
    from clienteling.models import Client, StagedImport, User
    from config.celery import app
    from core import roles

    app.conf.task_always_eager = True
    boutique = bench_boutique("IBENCH", "Import bench boutique")
    user, _ = User.objects.get_or_create(
        username="bench-importer", defaults={"is_staff": True}
    )
    user.groups.set([Group.objects.get(name=roles.MANAGER)])
    user.boutiques.set([boutique])
    tag = "K" + secrets.token_hex(3).upper()
    data = _file(args.rows, tag, "IBENCH")
    rss_before = _peak_mb()

    started = time.perf_counter()
    staged = services.import_start(acting_user=user, what="clients", data=data)
    check_seconds = time.perf_counter() - started
    rss_check = _peak_mb()
    staged = StagedImport.objects.select_related("validation_job").get(pk=staged.pk)
    assert staged.validation_job.status == "done", staged.validation_job.error
    assert (staged.rows, staged.problem_count) == (args.rows, 0), staged.problem_count
    print(f"validate: {check_seconds:.1f} s, peak RSS {rss_check} MB", file=sys.stderr)

    started = time.perf_counter()
    services.import_confirm(acting_user=user, staged=staged)
    apply_seconds = time.perf_counter() - started
    staged = StagedImport.objects.select_related("apply_job").get(pk=staged.pk)
    assert staged.apply_job.status == "done", staged.apply_job.error
    assert staged.created == args.rows
    assert Client.objects.filter(client_number__startswith=f"{tag}-").count() == (
        args.rows
    )
    print(
        json.dumps(
            {
                "rows": args.rows,
                "file_mb": round(len(data) / 1e6, 1),
                "validate_seconds": round(check_seconds, 1),
                "apply_seconds": round(apply_seconds, 1),
                "peak_rss_mb_before": rss_before,
                "peak_rss_mb_after_validate": rss_check,
                "peak_rss_mb_after_apply": _peak_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
