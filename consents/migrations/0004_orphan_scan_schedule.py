from django.db import migrations

SCHEDULE = "consents.remove_orphan_scans"


def create_schedule(apps, schema_editor):
    # Nightly, after the follow-ups and duplicate detection.
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="3", day_of_week="*", day_of_month="*",
        month_of_year="*", timezone="Europe/Paris",
    )
    PeriodicTask.objects.update_or_create(
        name=SCHEDULE, defaults={"task": SCHEDULE, "crontab": crontab, "enabled": True}
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name=SCHEDULE
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0003_append_only_trigger"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
