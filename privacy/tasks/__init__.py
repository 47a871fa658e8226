"""privacy's Celery tasks, one module per concern (autodiscovered here)."""

from privacy.tasks.breaches import breach_alerts
from privacy.tasks.dpias import dpia_reviews
from privacy.tasks.erasure import retention_nightly
from privacy.tasks.notices import send_recipient_notices
from privacy.tasks.requests import build_report, flag_due_requests
from privacy.tasks.sharing import group_export, partner_export, partner_exports

__all__ = [
    "breach_alerts",
    "build_report",
    "dpia_reviews",
    "flag_due_requests",
    "group_export",
    "partner_export",
    "partner_exports",
    "retention_nightly",
    "send_recipient_notices",
]
