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
- "privacy.group_export", "privacy.partner_export", "privacy.insights_import":
  one core.Job per batch or import (SharingBatch.job, InsightImport.job);
  the runs are in privacy.sharing (exports, insights).
- "privacy.breach_letters": emails one breach's letters to the people
  (privacy.breaches.breach_letters_job); each letter's outcome is recorded
  (BreachLetter), a failed one is tried again by the next attempt.
"""

from celery.signals import worker_init
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import jobs
from privacy import breaches, reports
from privacy.models import RetentionRun, SubjectAccessReport
from privacy.sharing import exports, insights


class SubjectAccessReportJob(jobs.JobKind):
    name = reports.REPORT_JOB
    label = _("Subject-access report")
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
            raise jobs.JobRefused(
                _("The report this job was building no longer exists.")
            )
        return reports.report_build(report=report, ctx=ctx)

    def erase_results(self, *, client_ids, identifiers=None) -> int:
        return reports.reports_erase(client_ids=client_ids, identifiers=identifiers)

    def before_retry(self, job):
        # The jobs page's "Start again" follows report_retry's rule.
        report = (
            SubjectAccessReport.objects.select_related("request")
            .filter(pk=job.params["report"])
            .first()
        )
        if report is None or not report.request.is_open:
            raise jobs.JobRefused(
                _(
                    "The request this report answers is closed: its report is not "
                    "built again."
                )
            )

    def error_message(self, exc: BaseException) -> str:
        # The exception's text may quote the person's data: only its kind.
        return f"{type(exc).__name__} (see the worker log)"


jobs.register(SubjectAccessReportJob())


# The exports keep no result file of the job: their batch folder is the
# sharing batches' file location (privacy.datamap, rewritten on erasure by
# privacy.sharing.files.sharing_batches_erase); the job's partial files
# live only while it runs (the sweeper deletes those of a dead worker).
# So erase_results stays the default (nothing of theirs to erase).


class BreachLettersJob(jobs.JobKind):
    """Emails a breach's letters (privacy.breaches, decision 0097); a
    failed letter fails the attempt, so the next one tries it again."""

    name = breaches.LETTERS_KIND  # never rename: stored on job rows
    label = _("Breach letters")
    max_attempts = 3
    view_permission = "privacy.view_breach"

    def run(self, job, ctx):
        return breaches.breach_letters_job(job, ctx)

    def error_message(self, exc):
        if isinstance(exc, breaches.LettersFailed):
            return str(exc)
        return (
            "The breach letters stopped on an unexpected error; the letters "
            "already emailed are recorded and are not sent again. The "
            "technical team has the details in the logs."
        )


jobs.register(BreachLettersJob())


class GroupExportJob(jobs.JobKind):
    name = exports.GROUP_KIND  # never rename: stored on job rows
    label = _("Cross-group export")
    max_attempts = 3
    view_permission = "privacy.view_sharingbatch"

    def run(self, job, ctx):
        return exports.group_export_job(job, ctx)

    def error_message(self, exc):
        return (
            "The cross-group export stopped on an unexpected error before its "
            "batch was written; nothing was sent. The technical team has the "
            "details in the logs."
        )


class PartnerExportJob(jobs.JobKind):
    name = exports.PARTNER_KIND  # never rename: stored on job rows
    label = _("Partner export")
    max_attempts = 3
    view_permission = "privacy.view_sharingbatch"

    def run(self, job, ctx):
        return exports.partner_export_job(job, ctx)

    def error_message(self, exc):
        return (
            "The partner export stopped on an unexpected error before its "
            "transfer was written; nothing was sent. The technical team has "
            "the details in the logs."
        )


class InsightsImportJob(jobs.JobKind):
    name = insights.INSIGHTS_KIND  # never rename: stored on job rows
    label = _("Insights import")
    max_attempts = 3
    # The upload is deleted when the job ends: staff upload the file again.
    retryable = False
    view_permission = "privacy.view_insightimport"

    def run(self, job, ctx):
        return insights.insights_import_job(job, ctx)

    def on_done(self, job, result):
        # The upload is deleted once the import is committed.
        job_id = job.pk
        transaction.on_commit(lambda: insights.upload_remove(job_id))

    def on_failed(self, job):
        insights.upload_remove(job.pk)

    def on_cancelled(self, job):
        insights.upload_remove(job.pk)

    def error_message(self, exc):
        return (
            "The insights import stopped on an unexpected error; nothing was "
            "imported. The technical team has the details in the logs."
        )


jobs.register(GroupExportJob())
jobs.register(PartnerExportJob())
jobs.register(InsightsImportJob())


@worker_init.connect
def _import_the_pdf_library(**kwargs):
    """WeasyPrint's first import takes seconds (3.4 s here): a worker pays
    it when it starts, not in the middle of a report, where one step that
    long could outlast the job's lease."""
    import weasyprint  # noqa: F401


class ErasureKind(jobs.JobKind):
    name = "privacy.erasure"  # never rename: stored on rows
    label = _("Erasure")
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
    label = _("Retention run")
    max_attempts = 5
    view_permission = "privacy.view_retentionrun"

    def run(self, job, ctx):
        from privacy.retention import retention_run_continue

        outcome = retention_run_continue(run_id=job.params["run"], ctx=ctx)
        return {"batches": outcome["batches"]}

    def on_failed(self, job):
        self._mark(job, RetentionRun.Status.STOPPED)

    def on_cancelled(self, job):
        self._mark(job, RetentionRun.Status.STOPPED)

    def before_retry(self, job):
        # Started again: it goes on from its cursor.
        RetentionRun.objects.filter(pk=job.params["run"]).update(
            status=RetentionRun.Status.RUNNING, finished_at=None
        )

    @staticmethod
    def _mark(job, status):
        RetentionRun.objects.filter(
            pk=job.params["run"], status=RetentionRun.Status.RUNNING
        ).update(status=status, finished_at=timezone.now())

    def error_message(self, exc):
        return (
            "The retention run stopped on an unexpected error; the batches "
            "already done are kept and it will go on from where it stopped. "
            "The technical team has the details in the logs."
        )


jobs.register(ErasureKind())
jobs.register(RetentionKind())
