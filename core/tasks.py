"""core's Celery tasks (autodiscovered here)."""

from core.jobs.tasks import run_job, sweep_jobs

__all__ = ["run_job", "sweep_jobs"]
