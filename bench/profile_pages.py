"""Where one request's time goes: `python -m bench.profile_pages`.

On the load test's database (LOADTEST_DATABASE_URL, built by
`make loadtest LOADTEST_ARGS="--prepare-only"`), as its first adviser
(loadtest-00, signed in with a verified second factor), with DEBUG off and
the production template loaders, as under gunicorn: each page the load
test browses is requested through the whole middleware stack (Django's
test client, no network), warmed up, then timed (CPU and wall time of the
process, queries) and profiled with cProfile. It reports; nothing passes
or fails.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ecrin_loadtest"


def pages(first_id: int, last_id: int) -> dict[str, str]:
    middle = (first_id + last_id) // 2
    return {
        "home": "/admin/",
        "search": "/admin/clienteling/client/?q=Last4242",
        "client page": f"/admin/clienteling/client/{middle}/",
        "client list": "/admin/clienteling/client/?p=7",
    }


def _signed_in(browser, user):
    """Signed in with a verified second factor, as after the real forms."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    browser.force_login(user)
    session = browser.session
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return browser


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_pages")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--user", default="loadtest-00")
    parser.add_argument("--only", help="one page: home, search, client page, ...")
    parser.add_argument(
        "--sort", default="cumulative", choices=("cumulative", "tottime")
    )
    parser.add_argument(
        "--queries", action="store_true", help="print each page's SQL, shortened"
    )
    args = parser.parse_args()

    # Appended: `PYTHONPATH=. python /path/to/bench/profile_pages.py` run in
    # another checkout (the baseline's worktree) profiles that checkout.
    sys.path.append(str(ROOT))
    os.environ.update(
        {
            "DATABASE_URL": os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_URL),
            "CELERY_BROKER_URL": "",
            "ECRIN_ENVIRONMENT": "demo",
            "DEBUG": "0",
            "LOG_FORMAT": "json",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    import logging

    import django

    django.setup()
    logging.getLogger("ecrin.request").setLevel(logging.WARNING)
    from django.db import connection
    from django.test import Client as Browser

    from clienteling.models import Client, User

    user = User.objects.get(username=args.user)
    ids = Client.objects.filter(client_number__startswith="BENCH-").order_by("pk")
    first = ids.values_list("pk", flat=True).first()
    last = ids.reverse().values_list("pk", flat=True).first()
    browser = _signed_in(Browser(HTTP_HOST="127.0.0.1"), user)

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    for name, path in pages(first, last).items():
        if args.only and name != args.only:
            continue
        for _ in range(3):
            response = browser.get(path)
            if response.status_code != 200:
                sys.exit(f"{name}: {path} answered {response.status_code}")
        cpu, wall, counts = [], [], []
        for _ in range(args.repeat):
            queries.clear()
            c0, w0 = time.process_time(), time.perf_counter()
            with connection.execute_wrapper(count):
                browser.get(path)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            counts.append(len(queries))
        if args.queries:
            for n, sql in enumerate(queries, 1):
                print(f"  {n:2d}. {' '.join(sql.split())[:160]}")
        print(
            f"\n== {name} ({path}): median CPU {statistics.median(cpu):.1f} ms, "
            f"wall {statistics.median(wall):.1f} ms, {max(counts)} queries, "
            f"{len(response.content):,} bytes, {args.repeat} requests"
        )
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            browser.get(path)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats(args.sort).print_stats(args.top)
        print("\n".join(out.getvalue().splitlines()[4:]))


if __name__ == "__main__":
    main()
