"""Sharing batches and insight imports point to the core.Job that wrote them.

Existing rows were written before core.jobs: each gets a done job (its
kind, its owner, its date), so the Jobs page and the sharing pages read
every transfer and import the same way.
"""

import django.db.models.deletion
from django.db import migrations, models

GROUP = "privacy.group_export"
PARTNER = "privacy.partner_export"
INSIGHTS = "privacy.insights_import"


def jobs_for_existing_rows(apps, schema_editor):
    Job = apps.get_model("core", "Job")
    SharingBatch = apps.get_model("privacy", "SharingBatch")
    InsightImport = apps.get_model("privacy", "InsightImport")
    for batch in SharingBatch.objects.filter(job__isnull=True).select_related(
        "partner"
    ):
        if batch.kind == "group":
            kind, label = GROUP, "Cross-group export"
            params = {"batch_id": str(batch.batch_id)}
        else:
            kind, label = PARTNER, f"Partner export to {batch.partner.name}"
            params = {"batch_id": str(batch.batch_id), "partner": batch.partner_id}
        batch.job = Job.objects.create(
            kind=kind,
            label=label[:200],
            params=params,
            status="done",
            owner_id=batch.created_by_id,
            created_at=batch.created_at,
            enqueued_at=batch.created_at,
            started_at=batch.created_at,
            finished_at=batch.created_at,
            attempts=1,
            result={"clients": batch.client_count, "rows": batch.row_count},
        )
        batch.save(update_fields=["job"])
    for record in InsightImport.objects.filter(job__isnull=True):
        record.job = Job.objects.create(
            kind=INSIGHTS,
            label=f"Insights import, batch {record.batch_id}"[:200],
            params={"batch_id": record.batch_id},
            status="done",
            owner_id=record.imported_by_id,
            created_at=record.imported_at,
            enqueued_at=record.imported_at,
            started_at=record.imported_at,
            finished_at=record.imported_at,
            attempts=1,
            result={"rows": record.rows_total, "linked": record.rows_linked},
        )
        record.save(update_fields=["job"])


def unlink_jobs(apps, schema_editor):
    Job = apps.get_model("core", "Job")
    SharingBatch = apps.get_model("privacy", "SharingBatch")
    InsightImport = apps.get_model("privacy", "InsightImport")
    SharingBatch.objects.update(job=None)
    InsightImport.objects.update(job=None)
    Job.objects.filter(kind__in=[GROUP, PARTNER, INSIGHTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_job"),
        ("privacy", "0012_erasure_and_retention_on_core_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="insightimport",
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
            model_name="sharingbatch",
            name="job",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.job",
            ),
        ),
        migrations.RunPython(jobs_for_existing_rows, unlink_jobs),
    ]
