"""Celery tasks of data-subject requests: ids only, thin callers."""

from celery import shared_task

from privacy import reports
from privacy import requests as dsr


@shared_task(name="privacy.build_subject_access_report", acks_late=True)
def build_report(report_id: int) -> dict:
    """Build one report; idempotent (a finished job is left alone)."""
    report = reports.report_build(report_id=report_id)
    return {"report": report.pk, "status": report.status}


@shared_task(name="privacy.flag_due_requests", acks_late=True)
def flag_due_requests() -> dict:
    """Daily: flag requests at D-7 and D-1, and delete expired report files.

    A few hundred open requests at most: one pass, no chunking needed.
    """
    flagged = dsr.requests_flag_due()
    expired = reports.reports_expire()
    return {"d7": flagged[7], "d1": flagged[1], "expired_reports": expired}
