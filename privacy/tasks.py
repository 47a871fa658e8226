"""privacy's Celery tasks, one module per concern (autodiscovered here)."""

from privacy.tasks_sharing import group_export, partner_export, partner_exports

__all__ = ["group_export", "partner_export", "partner_exports"]
