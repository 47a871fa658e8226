"""Celery tasks of erasure and retention: ids only, thin callers.

Erasures and retention runs are core.jobs kinds (privacy/jobs.py): the
protocol's task (core.jobs.run) carries them out and its sweeper
(core.jobs.sweep) recovers them. What is left here is the nightly start
of a retention run (beat).
"""

from celery import shared_task

from privacy import retention

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="privacy.retention_nightly", **TASK_OPTIONS)
def retention_nightly() -> dict:
    run = retention.retention_run_start(acting_user=None, dry_run=False)
    return {"run": run.pk, "job": run.job_id}
