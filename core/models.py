"""core's models: the job row (core.jobs.models)."""

from core.jobs.models import Job

__all__ = ["Job"]
