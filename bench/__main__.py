"""`make bench`: run every scenario against its baseline on PostgreSQL.

Each measurement is a fresh process; baseline and candidate alternate
(B, C, B, C, ...) so drift on the machine hits both alike. Prints the
median of each and the ratio baseline/candidate (above 1: the candidate is
better). Nothing here passes or fails: it reports.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ecrin_bench"


def _ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _restore_pending(url: str) -> None:
    """Recreate the indexes and constraints a stopped bulk load left
    dropped (bench/bulk.py), before migrations touch those tables."""
    import psycopg

    from bench import bulk

    with psycopg.connect(url, autocommit=True) as conn:
        for name, seconds in bulk.restore(conn.cursor()):
            print(f"recreated {name} left dropped by a stopped load ({seconds:.1f} s)")


def _run(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    parser.add_argument(
        "--only", action="append", help="run this scenario (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each variant")
    parser.add_argument("--size", type=int, help="rows to set up (scenario default)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("BENCH_DATABASE_URL must be a PostgreSQL URL: benchmarks run there.")
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": ""}

    sys.path.insert(0, str(ROOT))
    import django

    os.environ["DATABASE_URL"] = url
    django.setup()
    from bench.registry import load_all

    scenarios = load_all()
    if args.list:
        for s in scenarios.values():
            print(f"{s.name:<28} {s.description}")
        return
    chosen = (
        [scenarios[n] for n in args.only] if args.only else list(scenarios.values())
    )

    _ensure_database(url)
    _restore_pending(url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(
        f"{'scenario':<28} {'metric':<9} {'baseline':>12} {'candidate':>12} "
        f"{'ratio':>7}  extra (baseline | candidate)"
    )
    for scenario in chosen:
        size = args.size or scenario.default_size
        setup = _run(env, "-m", "bench.child", scenario.name, "setup", str(size))
        runs = {"baseline": [], "candidate": []}
        for _ in range(args.repeat):
            for variant in ("baseline", "candidate"):
                runs[variant].append(
                    _run(env, "-m", "bench.child", scenario.name, variant)
                )
        metric = scenario.metric
        base = statistics.median(r[metric] for r in runs["baseline"])
        cand = statistics.median(r[metric] for r in runs["candidate"])
        extras = [
            {k: v for k, v in runs[v][-1].items() if k not in ("seconds", "peak_kib")}
            for v in ("baseline", "candidate")
        ]
        unit = "s" if metric == "seconds" else " KiB"
        fmt = "{:.4f}" if metric == "seconds" else "{:.0f}"
        print(
            f"{scenario.name:<28} {metric:<9} {fmt.format(base) + unit:>12} "
            f"{fmt.format(cand) + unit:>12} {base / cand:>6.1f}x  "
            f"{extras[0]} | {extras[1]}"
        )
        steps = {k: v for k, v in setup.items() if k != "seconds"}
        print(
            f"{'':<28} size={size}, setup {setup['seconds']:.1f}s"
            f"{' ' + str(steps) if steps else ''}, "
            f"{args.repeat} runs each; target: {scenario.target or 'none set'}"
        )


if __name__ == "__main__":
    main()
