"""Celery tasks of erasure and retention: ids only, thin callers.

acks_late + reject_on_worker_lost: a message is acknowledged only once the
task returns, so a worker killed mid-step leaves it in the broker for
another worker; the state itself is in PostgreSQL (job and step rows,
retention cursor), so a redelivery resumes instead of redoing.
"""

from celery import shared_task

from privacy import retention
from privacy.erasure import jobs

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="privacy.erasure_run", **TASK_OPTIONS)
def erasure_run(job_id: int) -> dict:
    return jobs.erasure_execute(job_id=job_id)


@shared_task(name="privacy.erasure_sweep", **TASK_OPTIONS)
def erasure_sweep() -> dict:
    """Periodic: re-enqueue erasures and retention runs gone quiet."""
    return {
        "erasures": jobs.erasure_sweep(),
        "retention_runs": retention.retention_sweep(),
    }


@shared_task(name="privacy.retention_nightly", **TASK_OPTIONS)
def retention_nightly() -> dict:
    run = retention.retention_run_start(acting_user=None, dry_run=False)
    return {"run": run.pk}


@shared_task(name="privacy.retention_continue", **TASK_OPTIONS)
def retention_continue(run_id: int) -> dict:
    return retention.retention_run_continue(run_id=run_id)
