from django.db import migrations

from core.dbops import beat_schedules


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0003_append_only_trigger"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        # Nightly, after the follow-ups and duplicate detection.
        beat_schedules(
            {"task": "consents.remove_orphan_scans", "hour": 3, "minute": 15}
        )
    ]
