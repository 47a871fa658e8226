from django.db import migrations

from core.dbops import beat_schedules


class Migration(migrations.Migration):
    dependencies = [
        ("clienteling", "0004_client_search_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        # After midnight, before boutiques open.
        beat_schedules(
            {"task": "clienteling.generate_follow_ups", "hour": 2, "minute": 0},
            {"task": "clienteling.detect_duplicates", "hour": 2, "minute": 30},
        )
    ]
