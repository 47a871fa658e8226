"""core's Celery tasks (autodiscovered here): the job protocol's two."""

from core.jobs.engine import run_job, sweep_jobs

__all__ = ["run_job", "sweep_jobs"]
