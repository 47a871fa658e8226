"""Replay after a restore: a backup taken before an erasure, restored into
a scratch database, is erased again by `manage.py replay_erasures`."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from core.jobs import engine
from privacy.erasure import jobs
from tests.clienteling.factories import ClientFactory, EmailFactory, UserFactory
from tests.conftest import require
from tests.privacy.factories import run_erasure

RESTORE_DB = "ecrin_erasure_restore"
ROOT = Path(__file__).resolve().parents[3]


def _tool(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} (PostgreSQL client tools)")
    return path


def _server_url(name: str) -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{s['HOST']}:{s['PORT']}/{name}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_replay_after_restoring_a_dump_reerases(tmp_path, settings, monkeypatch):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    # the erasure's job runs here, not on a worker
    monkeypatch.setattr(engine, "_send", lambda job_id, countdown=0: None)
    gone = ClientFactory(first_name="Replaymarker")
    EmailFactory(client=gone, address="replaymarker@example.com")
    kept = ClientFactory(first_name="Stays")
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "backup.dump"
    # given a backup taken before the erasure
    subprocess.run(
        [_tool("pg_dump"), "-Fc", "-f", str(dump), _server_url(source)], check=True
    )
    compliance = UserFactory()
    job = jobs.erasure_request(acting_user=UserFactory(), client=gone)
    jobs.erasure_approve(acting_user=compliance, job=job)
    run_erasure(job)

    # when the backup is restored and the replay log applied to it
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}"')
        admin.execute(f'CREATE DATABASE "{RESTORE_DB}"')
    subprocess.run(
        [_tool("pg_restore"), "--no-owner", "-d", _server_url(RESTORE_DB), str(dump)],
        check=True,
    )
    with psycopg.connect(_server_url(RESTORE_DB)) as restored:
        assert restored.execute(
            "SELECT first_name FROM clienteling_client WHERE id = %s", [gone.pk]
        ).fetchone() == ("Replaymarker",)
    env = {
        **os.environ,
        "DATABASE_URL": _server_url(RESTORE_DB).replace("postgresql", "postgres"),
        "ERASURE_REPLAY_LOG": str(settings.ERASURE_REPLAY_LOG),
        "PRIVATE_STORAGE_ROOT": str(settings.PRIVATE_STORAGE_ROOT),
        "CELERY_BROKER_URL": "",
    }
    first = subprocess.run(
        [sys.executable, "manage.py", "replay_erasures"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    second = subprocess.run(
        [sys.executable, "manage.py", "replay_erasures"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    # then
    sys.stderr.write(f"\nreplay: {first.stdout.strip()} / {second.stdout.strip()}\n")
    assert "re-erased 1 client(s); 0 already erased" in first.stdout
    assert "re-erased 0 client(s); 1 already erased" in second.stdout
    with psycopg.connect(_server_url(RESTORE_DB)) as restored:
        assert restored.execute(
            "SELECT client_number, first_name FROM clienteling_client WHERE id = %s",
            [gone.pk],
        ).fetchone() == (f"ERASED-{gone.pk}", "Erased")
        assert restored.execute(
            "SELECT count(*) FROM clienteling_clientemail WHERE client_id = %s",
            [gone.pk],
        ).fetchone() == (0,)
        assert restored.execute(
            "SELECT count(*) FROM clienteling_historicalclient "
            "WHERE first_name ILIKE '%%replaymarker%%'"
        ).fetchone() == (0,)
        assert restored.execute(
            "SELECT first_name FROM clienteling_client WHERE id = %s", [kept.pk]
        ).fetchone() == ("Stays",)
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}"')
