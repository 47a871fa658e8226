"""A real Celery worker process that stops after one erasure step.

Started by test_worker_kill.py: it sets privacy.erasure.jobs.after_step so the
worker pauses once the given step has committed, which is where the test
kills it (SIGKILL). Not a pytest module (no test_ prefix).
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from config.celery import app  # noqa: E402
from privacy.erasure import jobs  # noqa: E402

PAUSE_AFTER = sys.argv[1]


def pause(step_name: str) -> None:
    if step_name == PAUSE_AFTER:
        # The test kills this process during the pause.
        time.sleep(300)


jobs.after_step = pause
app.conf.task_always_eager = False
app.worker_main(["worker", "--pool=solo", "--concurrency=1", "--loglevel=WARNING"])
