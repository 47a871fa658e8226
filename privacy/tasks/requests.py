"""Celery tasks of data-subject requests: ids only, thin callers.

Reports are built by the job protocol (core.jobs.run; privacy.jobs).
"""

from celery import shared_task

from core import jobs
from privacy import reports
from privacy import requests as dsr
from privacy.models import SubjectAccessReport


@shared_task(name="privacy.build_subject_access_report", acks_late=True)
def build_report(report_id: int) -> dict:
    """A delivery of the report's job (messages sent before the port, or a
    second delivery): the job's claim lets one run, the others are skipped."""
    report = SubjectAccessReport.objects.select_related("job").get(pk=report_id)
    if report.job_id is not None:
        jobs.run(report.job_id)
        report = SubjectAccessReport.objects.select_related("job").get(pk=report_id)
    return {"report": report.pk, "status": str(report.status)}


@shared_task(name="privacy.flag_due_requests", acks_late=True)
def flag_due_requests() -> dict:
    """Daily: flag requests at D-7 and D-1, and mark expired reports (their
    files deleted; the jobs' sweeper deletes expired result files too).

    A few hundred open requests at most: one pass, no chunking needed.
    """
    flagged = dsr.requests_flag_due()
    expired = reports.reports_expire()
    return {"d7": flagged[7], "d1": flagged[1], "expired_reports": expired}
