"""Celery autodiscovery finds this module; each concern has its own."""

from privacy.tasks_erasure import (  # noqa: F401
    erasure_run,
    erasure_sweep,
    retention_continue,
    retention_nightly,
)
