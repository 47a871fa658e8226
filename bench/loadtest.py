"""`make loadtest`: locust, headless, against gunicorn then runserver.

On PostgreSQL (LOADTEST_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/ecrin_loadtest, created if missing):
the client table of the client_changelist bench scenario (`--clients`,
100,000 by default; the issue's size is 1,000,000), and `--users` advisers
of its boutique, each with a password and an authenticator. Then, for each
server in turn, on a free localhost port: `python -m config.serve`
(gunicorn, production-like: DEBUG off, hashed static files, JSON logs to a
file) and `manage.py runserver --insecure` (the demo's server), each
browsed for `--duration` by locust (bench/locustfile.py). Prints
requests/s, p50/p95/p99 per page and the errors. It reports; nothing
passes or fails. Localhost only; bounded by --duration.
"""

import argparse
import csv
import hashlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ecrin_loadtest"
PASSWORD = "loadtest-password-2026"  # noqa: S105 - a throwaway bench account
PAGES = ("home", "search", "client page", "client list")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(clients: int, users: int) -> str:
    """Clients and signed-up advisers; returns "first_id:last_id"."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.scenarios import client_changelist
    from clienteling.models import Boutique, Client, User
    from core import roles

    call_command("migrate", "--no-input", verbosity=0)
    started = time.monotonic()
    client_changelist.setup(clients)
    sys.stderr.write(
        f"{clients:,} clients ready in {time.monotonic() - started:.0f} s\n"
    )
    boutique = Boutique.objects.get(code="BENCH")
    adviser_group = Group.objects.get(name=roles.ADVISER)
    hashed = make_password(PASSWORD)
    for n in range(users):
        username = f"loadtest-{n:02d}"
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"is_staff": True, "is_active": True, "password": hashed},
        )
        user.groups.add(adviser_group)
        user.boutiques.add(boutique)
        key = hashlib.sha256(f"loadtest:{username}".encode()).hexdigest()[:40]
        TOTPDevice.objects.update_or_create(
            user=user,
            name="Load test",
            defaults={"key": key, "confirmed": True, "last_t": -1},
        )
    ids = Client.objects.filter(client_number__startswith="BENCH-")
    first = ids.order_by("pk").values_list("pk", flat=True).first()
    last = ids.order_by("-pk").values_list("pk", flat=True).first()
    return f"{first}:{last}"


def _start(
    server: str, env: dict, port: int, log: Path, cwd: Path = ROOT
) -> subprocess.Popen:
    if server in ("gunicorn", "baseline"):
        args = [sys.executable, "-m", "config.serve"]
    else:
        args = [
            sys.executable, "manage.py", "runserver", "--insecure", "--noreload",
            f"127.0.0.1:{port}",
        ]  # fmt: skip
    process = subprocess.Popen(
        args,
        cwd=cwd,
        env=env | {"WEB_BIND": f"127.0.0.1:{port}"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{server} stopped: see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2)  # noqa: S310
            return process
        except OSError:
            time.sleep(0.5)
    _stop(process)
    sys.exit(f"{server} did not answer within 120 s: see {log}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def run(
    server: str, env: dict, args, ids: str, folder: Path, *, cwd: Path = ROOT
) -> list[dict]:
    port = _free_port()
    process = _start(server, env, port, folder / f"{server}.log", cwd)
    try:
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--only-summary",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                args.duration,
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(folder / server),
                "--loglevel",
                "WARNING",
            ],  # fmt: skip
            cwd=ROOT,
            env=env
            | {
                "LOADTEST_USERS": str(args.users),
                "LOADTEST_PASSWORD": PASSWORD,
                "LOADTEST_CLIENT_IDS": ids,
                "LOADTEST_NAMES": str(min(50_000, args.clients)),
                "LOADTEST_WAIT": args.wait,
            },
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=(folder / f"{server}-locust.log").open("wb"),
        )
    finally:
        _stop(process)
    with (folder / f"{server}_stats.csv").open() as stats:
        return list(csv.DictReader(stats))


def report(server: str, rows: list[dict], duration: str) -> float:
    """Prints the server's figures; returns its page requests/s."""
    print(f"\n{server}: {duration}, requests/s, p50/p95/p99 in ms, errors")
    print(f"  {'page':<20} {'requests':>9} {'req/s':>7} {'p50':>6} {'p95':>6} "
          f"{'p99':>6} {'errors':>7}")  # fmt: skip
    by_name = {row["Name"]: row for row in rows}
    for name in (*PAGES, "sign-in: password", "sign-in: code", "Aggregated"):
        row = by_name.get(name)
        if row is None:
            continue
        print(
            f"  {name:<20} {row['Request Count']:>9} "
            f"{float(row['Requests/s']):>7.1f} {row['50%']:>6} {row['95%']:>6} "
            f"{row['99%']:>6} {row['Failure Count']:>7}"
        )
    pages = [by_name[n] for n in PAGES if n in by_name]
    total = sum(float(r["Requests/s"]) for r in pages)
    errors = sum(int(r["Failure Count"]) for r in pages)
    print(f"  pages only: {total:.1f} requests/s, {errors} errors")
    return total


def _server_times(log: Path, since: float = 0.0) -> dict[str, list[float]]:
    """duration_ms of each request line the server logged, by page. The
    request line has no query string, so search and list pages are one."""
    kinds = {
        "home": re.compile(r"/admin/"),
        "client list + search": re.compile(r"/admin/clienteling/client/"),
        "client page": re.compile(r"/admin/clienteling/client/\d+/"),
    }
    times: dict[str, list[float]] = {name: [] for name in kinds}
    for raw in log.read_text(errors="replace").splitlines():
        if not raw.startswith("{"):
            continue
        line = json.loads(raw)
        if line.get("logger") != "ecrin.request":
            continue
        if since and datetime.fromisoformat(line["time"]).timestamp() <= since:
            continue
        for name, pattern in kinds.items():
            if pattern.fullmatch(line["path"]):
                times[name].append(line["duration_ms"])
    return times


def _steady_rate(log: Path) -> tuple[float, float, int, float]:
    """Page requests/s once every user is signed in: from the server's last
    sign-in (the code form's redirect) to its last request line. Locust's
    own rate counts the whole run, the sign-in burst included (each sign-in
    hashes a password, seconds of CPU when every user signs in at once)."""
    pages = re.compile(r"/admin/(clienteling/client/(\d+/)?)?")
    signed_in, last, times = None, None, []
    for raw in log.read_text(errors="replace").splitlines():
        if not raw.startswith("{"):
            continue
        line = json.loads(raw)
        if line.get("logger") != "ecrin.request":
            continue
        at = datetime.fromisoformat(line["time"]).timestamp()
        last = at
        if line["path"] == "/admin/login/verify/" and line["method"] == "POST":
            signed_in = at
        elif line["method"] == "GET" and pages.fullmatch(line["path"]):
            times.append(at)
    if signed_in is None or last is None or last <= signed_in:
        return 0.0, 0.0, 0, 0.0
    count = sum(1 for at in times if at > signed_in)
    return count / (last - signed_in), last - signed_in, count, signed_in


def report_server_times(server: str, log: Path) -> float:
    """Prints the server's own timings; returns its steady page rate."""
    rate, seconds, count, signed_in = _steady_rate(log)
    print(
        f"  once all were signed in (the server's log, last {seconds:.0f} s): "
        f"{count} pages, {rate:.1f} page requests/s"
    )
    _print_times(f"  the same {seconds:.0f} s, in the server", log, signed_in)
    _print_times(f"  in the server ({server}'s request log, duration_ms)", log)
    return rate


def _print_times(title: str, log: Path, since: float = 0.0) -> None:
    print(f"{title}:")
    for name, values in _server_times(log, since).items():
        if len(values) < 2:
            continue
        cuts = statistics.quantiles(values, n=100)
        print(
            f"    {name:<22} {len(values):>6} requests  p50 {cuts[49]:>7.0f}  "
            f"p95 {cuts[94]:>7.0f}  p99 {cuts[98]:>7.0f}"
        )


# Run inside the baseline checkout (its own code and migrations), so its
# database is built by its own setup; prints "first_id:last_id" last.
_PREPARE_BASELINE = (
    "import sys; from bench.loadtest import prepare; "
    "print(prepare(int(sys.argv[1]), int(sys.argv[2])))"
)


def prepare_baseline(checkout: Path, env: dict, clients: int, users: int) -> str:
    out = subprocess.run(
        [sys.executable, "-c", _PREPARE_BASELINE, str(clients), str(users)],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"The baseline's setup failed in {checkout}:\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1]


def _wait(text: str) -> str:
    """--wait MIN:MAX, checked: two numbers of seconds, 0 <= MIN <= MAX."""
    parts = text.split(":")
    try:
        low, high = (float(n) for n in parts)
    except ValueError:
        sys.exit(f"--wait {text!r}: expected MIN:MAX in seconds, e.g. 0.5:1.5")
    if not 0 <= low <= high:
        sys.exit(f"--wait {text!r}: needs 0 <= MIN <= MAX")
    return f"{low:g}:{high:g}"


def _arguments():
    parser = argparse.ArgumentParser(prog="make loadtest")
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--duration", default="2m")
    parser.add_argument(
        "--wait",
        default="0.5:1.5",
        metavar="MIN:MAX",
        help="seconds each user waits between two pages (0:0 asks as fast as "
        "the server answers: its capacity)",
    )
    parser.add_argument(
        "--servers",
        default="gunicorn,runserver",
        help="comma-separated, in order: gunicorn, runserver, baseline",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="another checkout of the project (e.g. a git worktree of an older "
        "commit) served by its own gunicorn as the server `baseline`, on "
        "LOADTEST_BASELINE_DATABASE_URL (default: ecrin_loadtest_baseline)",
    )
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="build the database(s) and the accounts, serve nothing",
    )
    args = parser.parse_args()
    servers = [s for s in args.servers.split(",") if s]
    for server in servers:
        if server not in ("gunicorn", "runserver", "baseline"):
            sys.exit(f"--servers: unknown server {server!r}")
    args.wait = _wait(args.wait)
    if "baseline" in servers and args.baseline is None:
        sys.exit("--servers baseline needs --baseline CHECKOUT")
    if args.baseline is not None and not (args.baseline / "manage.py").is_file():
        sys.exit(f"--baseline {args.baseline}: no manage.py there")
    return args, servers


def main() -> None:
    args, servers = _arguments()
    url = os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_URL)
    baseline_url = os.environ.get(
        "LOADTEST_BASELINE_DATABASE_URL", DEFAULT_URL + "_baseline"
    )
    for name, value in (
        ("LOADTEST_DATABASE_URL", url),
        ("LOADTEST_BASELINE_DATABASE_URL", baseline_url),
    ):
        if not value.startswith(("postgres://", "postgresql://")):
            sys.exit(f"{name} must be a PostgreSQL URL.")
    if args.baseline is not None and baseline_url == url:
        sys.exit("The baseline needs its own database (its own migrations).")
    sys.path.insert(0, str(ROOT))
    from bench.__main__ import _ensure_database

    _ensure_database(url)
    folder = Path(tempfile.mkdtemp(prefix="ecrin-loadtest-"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": "",
        "ECRIN_ENVIRONMENT": "demo",
        "DEBUG": "0",
        "STATIC_MANIFEST": "1",
        "STATIC_ROOT": str(folder / "static"),
        "PRIVATE_STORAGE_ROOT": str(folder / "private"),
        "LOG_FORMAT": "json",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    baseline_env = env | {
        "DATABASE_URL": baseline_url,
        "STATIC_ROOT": str(folder / "static-baseline"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    ids = prepare(args.clients, args.users)
    baseline_ids = ""
    if args.baseline is not None:
        _ensure_database(baseline_url)
        started = time.monotonic()
        baseline_ids = prepare_baseline(
            args.baseline.resolve(), baseline_env, args.clients, args.users
        )
        sys.stderr.write(
            f"the baseline's database ready in {time.monotonic() - started:.0f} s\n"
        )
    if args.prepare_only:
        return
    print(
        f"Load test: {args.clients:,} clients, {args.users} advisers signed in "
        f"through the real forms (password + TOTP), {args.duration} per server, "
        f"{args.wait.replace(':', '-')} s between pages; "
        f"logs and CSV in {folder}"
    )
    rates = {}
    for server in servers:
        if server == "baseline":
            rows = run(
                server, baseline_env, args, baseline_ids, folder,
                cwd=args.baseline.resolve(),
            )  # fmt: skip
        else:
            env_server = env | {"STATIC_MANIFEST": "1" if server == "gunicorn" else "0"}
            rows = run(server, env_server, args, ids, folder)
        rates[server] = (
            report(server, rows, args.duration),
            report_server_times(server, folder / f"{server}.log"),
        )
    if "baseline" in rates and "gunicorn" in rates:
        for n, what in enumerate(("whole run, locust", "signed in, server log")):
            now, before = rates["gunicorn"][n], rates["baseline"][n]
            ratio = f"{now / before:.2f}x" if before else "n/a"
            print(
                f"gunicorn vs baseline ({what}): {now:.1f} vs {before:.1f} "
                f"page requests/s, {ratio}"
            )


if __name__ == "__main__":
    main()
