"""privacy's Celery tasks: what a worker registers, under the names that
beat schedules (rows written by migrations) and queued messages use."""

import json
import subprocess
import sys
from functools import cache

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

PRIVACY_TASKS = {
    "privacy.breach_alerts",
    "privacy.build_subject_access_report",
    "privacy.dpia_reviews",
    "privacy.flag_due_requests",
    "privacy.group_export",
    "privacy.partner_export",
    "privacy.partner_exports",
    "privacy.retention_nightly",
    "privacy.send_recipient_notices",
}

# A fresh interpreter, as a worker starts: only Celery's autodiscovery
# imports the tasks modules (this session has imported them already).
_LIST_TASKS = """
import json
import django

django.setup()
from config.celery import app

app.loader.import_default_modules()
print(json.dumps(sorted(app.tasks)))
"""


@cache
def registered_by_a_worker() -> frozenset[str]:
    output = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", _LIST_TASKS],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return frozenset(json.loads(output.strip().splitlines()[-1]))


def test_a_worker_registers_every_privacy_task_under_its_name():
    names = {n for n in registered_by_a_worker() if n.startswith("privacy.")}

    assert names == PRIVACY_TASKS


@pytest.mark.django_db
def test_every_beat_schedule_names_a_task_a_worker_registers():
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))

    assert {"privacy.group_export", "privacy.retention_nightly"} <= scheduled
    # Erasures and retention runs are recovered by core.jobs.sweep now.
    assert "privacy.erasure_sweep" not in scheduled
    assert scheduled - registered_by_a_worker() == set()
