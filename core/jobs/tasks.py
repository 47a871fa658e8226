"""The two Celery tasks of the job protocol: ids only."""

from celery import shared_task

from core.jobs import engine


@shared_task(name="core.jobs.run", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> dict:
    return engine.run(job_id)


@shared_task(name="core.jobs.sweep", acks_late=True)
def sweep_jobs() -> dict:
    return engine.sweep()
