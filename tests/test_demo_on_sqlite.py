"""The demo (`make run`) works on SQLite, with tasks run in-process.

CI runs the suite on PostgreSQL, so a query only PostgreSQL understands
would break the demo unseen. This test does what `make run` does, in a
subprocess with a clean environment (a fresh SQLite file, no broker,
ECRIN_ENVIRONMENT=demo): `migrate`, then `seed_demo`, failing on any job
attempt that failed or traceback in their output. Then a second pytest
session, over tests/demo_sqlite (collected only there), signs in as each
demo role against that database and opens every page the role reaches.
It needs no service, so it runs (never skips) everywhere.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
FAILURE_MARKS = ("attempt failed", "Traceback (most recent call last)")


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory) -> dict[str, str]:
    """What `make run` sees on a bare machine, everything under a tmp dir."""
    root = tmp_path_factory.mktemp("demo")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Set, even empty, so that a developer's .env does not fill them.
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "",
        "ECRIN_ENVIRONMENT": "demo",
        "PRIVATE_STORAGE_ROOT": str(root / "private"),
        "STATIC_ROOT": str(root / "static"),
        "ERASURE_REPLAY_LOG": str(root / "erasure-replay.jsonl"),
    }


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        # Only against a hang: migrate alone takes minutes on a loaded machine.
        timeout=3600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{output[-6000:]}"
    return output


def test_the_demo_migrates_seeds_and_every_role_opens_its_pages(demo_env):
    for command in (["migrate", "--no-input"], ["seed_demo"]):
        output = run(["manage.py", *command], demo_env)
        first = min((output.find(m) for m in FAILURE_MARKS if m in output), default=-1)
        start = output.rfind("\n", 0, first) + 1  # from the log line's start
        assert first < 0, f"manage.py {command[0]}:\n{output[start : start + 6000]}"
    assert "adviser" in output  # seed_demo printed the logins

    pages = run(
        [
            "-m",
            "pytest",
            "tests/demo_sqlite",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            # The failing pages, not the pages' logs.
            "--tb=short",
            "--show-capture=no",
        ],
        {**demo_env, "ECRIN_DEMO_PAGES": "1"},
    )
    assert "4 passed" in pages, pages[-6000:]
    assert "skipped" not in pages, pages[-6000:]
