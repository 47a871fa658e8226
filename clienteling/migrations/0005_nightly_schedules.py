from django.db import migrations

SCHEDULES = [
    # (task name, hour, minute): after midnight, before boutiques open.
    ("clienteling.generate_follow_ups", 2, 0),
    ("clienteling.detect_duplicates", 2, 30),
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for task, hour, minute in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=str(minute), hour=str(hour), day_of_week="*",
            day_of_month="*", month_of_year="*", timezone="Europe/Paris",
        )
        PeriodicTask.objects.update_or_create(
            name=task, defaults={"task": task, "crontab": crontab, "enabled": True}
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[t for t, _, _ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clienteling", "0004_client_search_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
