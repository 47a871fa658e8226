import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.celery import health_ping

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.celery_worker
def test_health_task_round_trips_through_a_real_worker(celery_worker):
    result = health_ping.delay("abc123")

    assert result.get(timeout=20) == "pong:abc123"
    # The result went through the database backend, not memory.
    from django_celery_results.models import TaskResult

    assert TaskResult.objects.filter(task_id=result.id, status="SUCCESS").exists()


def _celery_mode(broker_url: str, code: str) -> list[str]:
    """What a fresh process makes of CELERY_BROKER_URL (the suite's own
    fixture forces eager mode, so it cannot be asked in-process)."""
    env = {**os.environ, "CELERY_BROKER_URL": broker_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_without_a_broker_tasks_run_in_process():
    out = _celery_mode(
        "",
        "from config.celery import app, health_ping; "
        "r = health_ping.delay('local'); "
        "print(app.conf.task_always_eager, type(r).__name__, r.get(timeout=1))",
    )

    assert out == ["True", "EagerResult", "pong:local"]


def test_with_a_broker_tasks_are_sent_to_it_not_run_in_process():
    # Nothing listens on port 1: only the configuration is read.
    out = _celery_mode(
        "redis://127.0.0.1:1/0",
        "from config.celery import app; "
        "print(app.conf.task_always_eager, app.conf.broker_url)",
    )

    assert out == ["False", "redis://127.0.0.1:1/0"]
