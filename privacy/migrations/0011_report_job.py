"""Subject-access reports run as core.Job (issue 16).

Each report gets its core.Job; the report loses its own bookkeeping
(status, progress, step, file, timestamps, error): they are the job's.
Existing rows: a built report becomes a done job whose result file is the
zip, moved to PRIVATE_STORAGE_ROOT/jobs/<job id>/report.zip; a failed one a
failed job; an expired one a done job without a file, its report marked
file-deleted (with the erasure's reason when it had one); a report left
queued or running (the defect of issue 16) becomes a queued job that the
sweeper sends at its next pass.
"""

import os
from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models, transaction
from django.utils import timezone

KIND = "privacy.subject_access_report"
RESULT = "report.zip"


def _legacy_file(name):
    return Path(settings.PRIVATE_STORAGE_ROOT) / "subject-access" / name


def _jobs_root():
    return Path(settings.PRIVATE_STORAGE_ROOT) / "jobs"


def forward(apps, schema_editor):
    Report = apps.get_model("privacy", "SubjectAccessReport")
    Job = apps.get_model("core", "Job")
    now = timezone.now()
    unfinished_requests = set()
    moves = []
    for report in Report.objects.order_by("pk").iterator():
        status = report.status
        job = Job(
            kind=KIND,
            label=f"Subject-access report {report.pk} (request {report.request_id})",
            params={"report": report.pk},
            owner_id=report.requested_by_id,
            created_at=report.created_at,
            started_at=report.started_at,
            finished_at=report.finished_at,
            progress_total=report.progress_total,
            progress_done=min(report.progress_done, report.progress_total),
            progress_label=report.step[:200],
            max_attempts=3,
        )
        if status in ("queued", "running"):
            job.status = "queued"
            job.enqueued_at = None  # the sweeper sends it at its next pass
            job.finished_at = None
            if report.request_id not in unfinished_requests:
                job.dedupe_key = f"privacy.report:request:{report.request_id}"
                unfinished_requests.add(report.request_id)
        elif status == "failed":
            job.status = "failed"
            job.error = report.error[:300]
            job.finished_at = report.finished_at or now
            job.attempts = 1
        else:  # done, expired
            job.status = "done"
            job.finished_at = report.finished_at or now
            job.attempts = 1
            job.progress_done = job.progress_total
            job.result_expires_at = report.expires_at
        job.save()
        if status == "done" and report.file_name:
            old = _legacy_file(report.file_name)
            if old.is_file():
                moves.append((old, _jobs_root() / str(job.pk) / RESULT))
                job.result_file = f"{job.pk}/{RESULT}"
                job.result_size = report.size
                job.result_sha256 = report.sha256
                job.save(update_fields=["result_file", "result_size", "result_sha256"])
        report.job_id = job.pk
        if status == "expired":
            report.file_deleted_at = report.expires_at or report.finished_at or now
            report.file_deleted_reason = report.error[:300]
        report.save(update_fields=["job", "file_deleted_at", "file_deleted_reason"])
    _move_on_commit(moves)


def _move_on_commit(moves):
    """Files move once the migration's rows are committed: a migration that
    fails and rolls back leaves the files where its rows say they are."""

    def move():
        for old, new in moves:
            new.parent.mkdir(parents=True, exist_ok=True)
            os.replace(old, new)

    transaction.on_commit(move)


def backward(apps, schema_editor):
    """The columns back from the jobs; the jobs then go (applying the
    migration again makes new ones)."""
    Report = apps.get_model("privacy", "SubjectAccessReport")
    Job = apps.get_model("core", "Job")
    made = []
    moves = []
    for report in Report.objects.select_related("job").iterator():
        job = report.job
        if job is None:
            continue
        if report.file_deleted_at is not None:
            report.status = "expired"
        elif job.status in ("done", "failed", "queued", "running"):
            report.status = job.status
        else:
            report.status = "failed"
        report.progress_done = job.progress_done
        report.progress_total = job.progress_total
        report.step = job.progress_label[:100]
        report.error = (report.file_deleted_reason or job.error)[:300]
        report.started_at = job.started_at
        report.finished_at = job.finished_at
        report.expires_at = job.result_expires_at
        report.size = job.result_size
        report.sha256 = job.result_sha256
        if job.result_file:
            old = _jobs_root() / job.result_file
            if old.is_file():
                name = f"sar-{report.pk}-migrated.zip"
                moves.append((old, _legacy_file(name)))
                report.file_name = name
        made.append(job.pk)
        report.job = None
        report.save()
    Job.objects.filter(pk__in=made, kind=KIND).delete()
    _move_on_commit(moves)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_job"),
        ("privacy", "0010_access_log_moves_to_core"),
    ]

    operations = [
        migrations.AddField(
            model_name="subjectaccessreport",
            name="job",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.job",
            ),
        ),
        migrations.AddField(
            model_name="subjectaccessreport",
            name="file_deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="subjectaccessreport",
            name="file_deleted_reason",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RunPython(forward, backward),
        *(
            migrations.RemoveField(model_name="subjectaccessreport", name=name)
            for name in (
                "status",
                "progress_done",
                "progress_total",
                "step",
                "file_name",
                "size",
                "sha256",
                "error",
                "started_at",
                "finished_at",
                "expires_at",
            )
        ),
    ]
