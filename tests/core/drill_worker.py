"""A real Celery worker process for the job fault drills (not a test module).

Started by tests.core.drills.Worker with the test database's URL, the
broker, a short JOBS_LEASE_SECONDS and JOBS_DRILL_PAUSE in its environment.
It loads the protocol's test kinds beside the apps' own (jobs.py), then
consumes with the solo pool: the task runs in this very process, so a
SIGKILL of it is the whole worker dying mid-job.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import tests.core.kinds  # noqa: E402, F401
from config.celery import app  # noqa: E402

app.conf.task_always_eager = False
app.worker_main(
    [
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--loglevel=WARNING",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
    ]
)
