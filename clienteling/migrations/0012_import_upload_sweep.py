from django.db import migrations

from core.dbops import beat_schedules


class Migration(migrations.Migration):
    dependencies = [
        ("clienteling", "0011_evidence_gate"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        # Hourly: an abandoned import preview leaves its file at most
        # UPLOAD_MAX_AGE plus an hour (clienteling.import_uploads).
        beat_schedules({"task": "clienteling.sweep_import_uploads", "minute": 20})
    ]
