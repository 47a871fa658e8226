"""privacy's long jobs, on the one job protocol (core.jobs).

- "privacy.subject_access_report": one core.Job per report
  (SubjectAccessReport.job). The build is privacy.reports.report_build; the
  zip is the job's one result file, deleted after REPORT_DOWNLOAD_DAYS.
- "privacy.erasure": carries out an approved erasure, step by step
  (privacy.erasure.jobs.erasure_execute); each step commits with its counts
  fenced by the lease, so a resumed or repeated run does each step once.
- "privacy.retention": applies the retention rules by batches
  (privacy.retention.retention_run_continue); each batch commits with the
  run's cursor, fenced, so a resumed run goes on where it stopped.
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


class ErasureKind(jobs.JobKind):
    name = "privacy.erasure"  # never rename: stored on rows
    label = "Erasure"
    max_attempts = 5
    # Stopping an approved erasure half-way would leave a client half
    # erased: it runs to the end (a failed one can be started again).
    cancellable = False
    view_permission = "privacy.view_erasurejob"

    def run(self, job, ctx):
        from privacy.erasure.jobs import erasure_execute

        outcome = erasure_execute(job_id=job.params["erasure"], ctx=ctx)
        return {"steps": len(outcome["steps"])}

    def error_message(self, exc):
        return (
            "The erasure stopped on an unexpected error; the steps already "
            "done are kept and it will go on from the next one. The "
            "technical team has the details in the logs."
        )


class RetentionKind(jobs.JobKind):
    name = "privacy.retention"  # never rename: stored on rows
    label = "Retention run"
    max_attempts = 5
    view_permission = "privacy.view_retentionrun"

    def run(self, job, ctx):
        from privacy.retention import retention_run_continue

        outcome = retention_run_continue(run_id=job.params["run"], ctx=ctx)
        return {"batches": outcome["batches"]}

    def error_message(self, exc):
        return (
            "The retention run stopped on an unexpected error; the batches "
            "already done are kept and it will go on from where it stopped. "
            "The technical team has the details in the logs."
        )


jobs.register(ErasureKind())
jobs.register(RetentionKind())
