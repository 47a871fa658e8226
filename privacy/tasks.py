"""privacy's Celery tasks, one module per concern (imported here so that
Celery's autodiscovery finds them)."""

from privacy.tasks_requests import build_report, flag_due_requests

__all__ = ["build_report", "flag_due_requests"]
