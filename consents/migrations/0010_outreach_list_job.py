# Outreach lists are built by core.jobs (kind consents.outreach_list): each
# list points to its core.Job, which holds the bookkeeping (status, attempts,
# heartbeat, progress, times) and the CSV as its result file. The list's own
# bookkeeping columns and the ten-minute sweep task go.

import contextlib
import os
from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.dbops import beat_schedules

KIND = "consents.outreach_list"
RESULT_NAME = "outreach-list.csv"


def _legacy_dir() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "outreach-lists"


def _jobs_dir() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "jobs"


def lists_to_jobs(apps, schema_editor):
    """One core.Job per existing list: finished lists get a finished job
    (a ready list's file moves to the job's result file), lists still
    waiting or building get a queued job the jobs sweeper sends at once."""
    OutreachList = apps.get_model("consents", "OutreachList")
    Job = apps.get_model("core", "Job")
    for row in OutreachList.objects.filter(job__isnull=True).iterator():
        status = {
            "queued": "queued",
            "running": "queued",
            "done": "done",
            "expired": "done",
            "failed": "failed",
        }[row.status]
        job = Job.objects.create(
            kind=KIND,
            label=f"Outreach list {row.pk}",
            params={"list": row.pk},
            dedupe_key=f"outreach-list:{row.pk}" if status == "queued" else "",
            status=status,
            owner_id=row.requested_by_id,
            created_at=row.created_at,
            # None: the sweeper's next run sends the waiting ones.
            enqueued_at=None,
            started_at=row.started_at if status != "queued" else None,
            heartbeat_at=row.heartbeat_at if status != "queued" else None,
            finished_at=row.finished_at if status != "queued" else None,
            attempts=min(row.attempt, 3) if status != "queued" else 0,
            progress_done=min(row.progress_done, row.progress_total)
            if status == "done"
            else 0,
            progress_total=row.progress_total if status == "done" else 0,
            result={
                "clients": row.progress_done,
                "eligible": row.eligible_count,
                "soft_opt_in": row.soft_opt_in_count,
                "excluded_by_reason": row.excluded_by_reason,
            }
            if status == "done"
            else {},
            result_expires_at=row.expires_at if status == "done" else None,
            result_size=row.size if status == "done" else None,
            error=row.error[:300] if status == "failed" else "",
        )
        if row.status == "done" and row.file_name:
            legacy = _legacy_dir() / row.file_name
            if legacy.is_file():
                folder = _jobs_dir() / str(job.pk)
                folder.mkdir(parents=True, exist_ok=True)
                os.replace(legacy, folder / RESULT_NAME)
                job.result_file = f"{job.pk}/{RESULT_NAME}"
                job.save(update_fields=["result_file"])
        if row.status == "expired" and row.error:
            row.withdrawn = row.error[:300]
        row.job_id = job.pk
        row.save(update_fields=["job", "withdrawn"])
    # Partial files of builds that will not resume (the new jobs start afresh).
    if _legacy_dir().is_dir():
        for path in _legacy_dir().glob("outreach-*.csv.part"):
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            _legacy_dir().rmdir()


def jobs_to_lists(apps, schema_editor):
    """Backwards: the list's state from its job (files stay in jobs/)."""
    OutreachList = apps.get_model("consents", "OutreachList")
    for row in OutreachList.objects.select_related("job").exclude(job=None):
        job = row.job
        # A built list comes back expired: its file is not in
        # outreach-lists/ any more.
        row.status = {"queued": "queued", "running": "running", "done": "expired"}.get(
            job.status, "failed"
        )
        row.error = row.withdrawn or job.error
        row.attempt = job.attempts
        row.progress_done = job.progress_done
        row.progress_total = job.progress_total
        row.started_at = job.started_at
        row.heartbeat_at = job.heartbeat_at
        row.finished_at = job.finished_at
        row.expires_at = job.result_expires_at
        row.size = job.result_size
        row.file_name = ""
        row.save()


class Migration(migrations.Migration):

    dependencies = [
        ('consents', '0009_free_text_bounds'),
        ('core', '0001_job'),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name='outreachlist',
            name='job',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.job'),
        ),
        migrations.AddField(
            model_name='outreachlist',
            name='withdrawn',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RemoveConstraint(
            model_name='outreachlist',
            name='outreach_list_done_has_file_and_expiry',
        ),
        migrations.RunPython(lists_to_jobs, jobs_to_lists),
        migrations.RemoveIndex(
            model_name='outreachlist',
            name='consents_ou_status_805a9c_idx',
        ),
        migrations.RemoveField(model_name='outreachlist', name='attempt'),
        migrations.RemoveField(model_name='outreachlist', name='error'),
        migrations.RemoveField(model_name='outreachlist', name='expires_at'),
        migrations.RemoveField(model_name='outreachlist', name='file_name'),
        migrations.RemoveField(model_name='outreachlist', name='finished_at'),
        migrations.RemoveField(model_name='outreachlist', name='heartbeat_at'),
        migrations.RemoveField(model_name='outreachlist', name='progress_done'),
        migrations.RemoveField(model_name='outreachlist', name='progress_total'),
        migrations.RemoveField(model_name='outreachlist', name='size'),
        migrations.RemoveField(model_name='outreachlist', name='started_at'),
        migrations.RemoveField(model_name='outreachlist', name='status'),
        # The ten-minute sweep is gone: core.jobs' sweeper resumes lists,
        # deletes partial files and expired results (backwards: installed
        # again).
        migrations.RunPython(
            beat_schedules(
                {"task": "consents.sweep_outreach_lists", "minute": "*/10"}
            ).reverse_code,
            beat_schedules(
                {"task": "consents.sweep_outreach_lists", "minute": "*/10"}
            ).code,
        ),
    ]
