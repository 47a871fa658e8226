"""privacy's long jobs, on the one job protocol (core.jobs).

The subject-access (or portability) report: one core.Job per report
(SubjectAccessReport.job). The build is privacy.reports.report_build; the
zip is the job's one result file, deleted after REPORT_DOWNLOAD_DAYS.
"""

from celery.signals import worker_init

from core import jobs
from privacy import reports
from privacy.models import SubjectAccessReport


class SubjectAccessReportJob(jobs.JobKind):
    name = reports.REPORT_JOB
    label = "Subject-access report"
    max_attempts = 3
    # The zip is the person's whole file: kept only for the download period.
    result_days = reports.REPORT_DOWNLOAD_DAYS
    view_permission = "privacy.build_subject_access_report"
    # privacy's location erases the zips (reports_erase, this kind's
    # erase_results) and counts them; core's job_results leaves them to it.
    file_location = "subject_access_reports"

    def run(self, job, ctx):
        report = (
            SubjectAccessReport.objects.select_related("request__client")
            .filter(pk=job.params["report"])
            .first()
        )
        if report is None:
            raise jobs.JobRefused("The report this job was building no longer exists.")
        return reports.report_build(report=report, ctx=ctx)

    def erase_results(self, *, client_ids, identifiers=None) -> int:
        return reports.reports_erase(client_ids=client_ids, identifiers=identifiers)

    def error_message(self, exc: BaseException) -> str:
        # The exception's text may quote the person's data: only its kind.
        return f"{type(exc).__name__} (see the worker log)"


jobs.register(SubjectAccessReportJob())


@worker_init.connect
def _import_the_pdf_library(**kwargs):
    """WeasyPrint's first import takes seconds (3.4 s here): a worker pays
    it when it starts, not in the middle of a report, where one step that
    long could outlast the job's lease."""
    import weasyprint  # noqa: F401
