"""ErasureJob.request_reference (free text) becomes ErasureJob.request, a
foreign key to the data-subject request it answers (decision 0021).

A job is linked when its reference names an erasure request of the same
client: "DSR-<id>" (how a request is shown), "Request #<id>" (the demo)
or "<id>". Any other reference (e.g. a letter's date) links nothing; it is
kept in the job's receipt under "request_reference" (finished jobs already
had it there).
"""

import re

import django.db.models.deletion
from django.db import migrations, models

REFERENCE = re.compile(r"(?:DSR-|Request #|#)?(\d+)(?: .*)?", re.IGNORECASE)


def link_requests(apps, schema_editor):
    ErasureJob = apps.get_model("privacy", "ErasureJob")
    DataSubjectRequest = apps.get_model("privacy", "DataSubjectRequest")
    for job in ErasureJob.objects.exclude(request_reference="").iterator():
        reference = job.request_reference.strip()
        match = REFERENCE.fullmatch(reference)
        request = (
            DataSubjectRequest.objects.filter(
                pk=int(match.group(1)), kind="erasure", client_id=job.client_id
            ).first()
            if match
            else None
        )
        if request is not None:
            job.request = request
            job.save(update_fields=["request"])
        elif reference and not (job.receipt or {}).get("request_reference"):
            job.receipt = {**(job.receipt or {}), "request_reference": reference}
            job.save(update_fields=["receipt"])


def unlink_requests(apps, schema_editor):
    ErasureJob = apps.get_model("privacy", "ErasureJob")
    for job in ErasureJob.objects.all().iterator():
        if job.request_id is not None:
            job.request_reference = f"DSR-{job.request_id}"
        else:
            job.request_reference = (job.receipt or {}).get("request_reference") or ""
        job.save(update_fields=["request_reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0008_retention_rules_in_staff_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="erasurejob",
            name="request",
            field=models.ForeignKey(
                blank=True,
                help_text="The erasure request (Art. 17) this erasure answers.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="erasures",
                to="privacy.datasubjectrequest",
            ),
        ),
        migrations.RunPython(link_requests, unlink_requests),
        migrations.RemoveField(
            model_name="erasurejob",
            name="request_reference",
        ),
    ]
