"""core's models: the job row (core.jobs.models) and the access log
(core.access_log)."""

from core.access_log import AccessLogEntry
from core.jobs.models import Job

__all__ = ["AccessLogEntry", "Job"]
