"""Liveness and readiness for load balancers and orchestrators.

`/health/live` answers as soon as the process serves requests: nothing is
checked, so a slow database never gets a healthy process restarted.
`/health/ready` checks what a request or a job needs: the database
(reachable, every migration applied), the broker (Redis, when one is
configured), a Celery worker answering a ping, beat's last tick (the job
sweeper's schedule, every minute) and the private storage (writable).

Both answer JSON with no personal data, to anyone: only "ok", "failing" or
"skipped" per check (skipped: not configured, e.g. no broker in the demo,
where tasks run in-process). A signed-in, verified member of staff also
gets a short reason per failing check. 200 when every check passes,
503 otherwise, never cached. docs/decisions/0031.
"""

import os
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

OK, FAILING, SKIPPED = "ok", "failing", "skipped"
# The sweeper runs every minute; beat's scheduler writes its last run at
# least every few minutes (django-celery-beat syncs dirty entries).
BEAT_TASK = "core.jobs.sweep"

MIN_FREE_BYTES = 100 * 1024 * 1024

_migrated = False


class Failing(Exception):
    """A check failed; the message is for signed-in staff only."""


def check_database() -> None:
    global _migrated  # noqa: PLW0603 - once migrated, a process stays so
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if _migrated:
        return
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise Failing(f"{len(plan)} migration(s) not applied")
    _migrated = True


def _broker() -> str:
    url = settings.CELERY_BROKER_URL
    return url if urlparse(url).scheme in ("redis", "rediss") else ""


def check_broker() -> str | None:
    url = _broker()
    if not url:
        return SKIPPED
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=1, socket_timeout=1, retry_on_timeout=False
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        raise Failing(f"broker unreachable ({type(exc).__name__})") from None
    finally:
        client.close()
    return None


def check_worker() -> str | None:
    if not _broker():
        return SKIPPED
    from config.celery import app

    answers = app.control.ping(timeout=settings.HEALTH_WORKER_TIMEOUT)
    if not answers:
        raise Failing(f"no worker answered within {settings.HEALTH_WORKER_TIMEOUT} s")
    return None


def check_beat() -> str | None:
    if not _broker():
        return SKIPPED
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.filter(name=BEAT_TASK, enabled=True).first()
    if task is None:
        raise Failing("the job sweeper is not scheduled")
    if task.last_run_at is None:
        raise Failing("beat has not run the job sweeper yet")
    age = timezone.now() - task.last_run_at
    if age > timedelta(seconds=settings.HEALTH_BEAT_MAX_AGE):
        raise Failing(f"beat's last tick was {int(age.total_seconds() // 60)} min ago")
    return None


def check_private_storage() -> None:
    """The folder exists, this process may write there, the file system is
    mounted read-write and has room. Nothing is written: every function
    that writes files must be a registered location of client files (the
    stored-files net, privacy.E012), and a probe file holds none."""
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    if not root.is_dir():
        raise Failing("the folder does not exist")
    # os.access answers False on a read-only mount (EROFS) too.
    if not os.access(root, os.W_OK | os.X_OK):
        raise Failing("not writable by this process")
    stats = os.statvfs(root)
    if stats.f_bavail * stats.f_frsize < MIN_FREE_BYTES:
        raise Failing("less than 100 MB free")


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "worker": check_worker,
    "beat": check_beat,
    "private_storage": check_private_storage,
}
# Checks that need the broker are not tried when it is unreachable (a
# ping would wait for its connection to time out).
_NEEDS_BROKER = ("worker",)
_NEEDS_DATABASE = ("beat",)


def _staff(request) -> bool:
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff
        and getattr(user, "is_verified", lambda: False)()
    )


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": OK})


@never_cache
@require_GET
def ready(request):
    results: dict[str, str] = {}
    reasons: dict[str, str] = {}
    started = time.perf_counter()
    for name, check in CHECKS.items():
        if name in _NEEDS_BROKER and results.get("broker") == FAILING:
            results[name], reasons[name] = FAILING, "broker unreachable"
            continue
        if name in _NEEDS_DATABASE and results.get("database") == FAILING:
            results[name], reasons[name] = FAILING, "database unreachable"
            continue
        try:
            results[name] = check() or OK
        except Failing as exc:
            results[name], reasons[name] = FAILING, str(exc)
        except Exception as exc:  # noqa: BLE001 - any error means not ready
            results[name], reasons[name] = FAILING, type(exc).__name__
    healthy = FAILING not in results.values()
    body: dict = {"status": OK if healthy else FAILING, "checks": results}
    if _staff(request):
        body["reasons"] = reasons
        body["duration_ms"] = round((time.perf_counter() - started) * 1000)
    return JsonResponse(body, status=200 if healthy else 503)
