"""The one durable job protocol (see README.md here).

from core import jobs

jobs.register(MyKind())                     # in an app's jobs.py
job = jobs.enqueue(kind="app.thing", label="…", acting_user=user,
                   params={"id": 7}, dedupe_key="thing:7")
jobs.cancel(acting_user=user, job=job)
jobs.retry(acting_user=user, job=job)
jobs.sweep()                                # beat, every JOBS_SWEEP_SECONDS
"""

from core.jobs.context import JobCancelled, JobContext, LeaseLost
from core.jobs.engine import (
    AlreadyQueued,
    JobError,
    cancel,
    enqueue,
    mark_seen,
    result_path,
    retry,
    run,
    sweep,
)
from core.jobs.registry import JobKind, JobRefused, get, kinds, register

__all__ = [
    "AlreadyQueued",
    "JobCancelled",
    "JobContext",
    "JobError",
    "JobKind",
    "JobRefused",
    "LeaseLost",
    "cancel",
    "enqueue",
    "get",
    "kinds",
    "mark_seen",
    "register",
    "result_path",
    "retry",
    "run",
    "sweep",
]
