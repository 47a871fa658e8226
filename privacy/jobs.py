"""privacy's long jobs on core.jobs: erasures and retention runs.

- "privacy.erasure": carries out an approved erasure, step by step
  (privacy.erasure.jobs.erasure_execute); each step commits with its counts
  fenced by the lease, so a resumed or repeated run does each step once.
- "privacy.retention": applies the retention rules by batches
  (privacy.retention.retention_run_continue); each batch commits with the
  run's cursor, fenced, so a resumed run goes on where it stopped.

Neither writes result files: the receipt and the counts stay on their
domain rows (ErasureJob, RetentionRun); the job holds counts only.
"""

from core import jobs


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
