"""Migration operations that only apply on PostgreSQL.

SQLite is the demo default (docs/decisions/0001); features such as trigram
indexes exist only on the database of record.
"""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on another database vendor."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def trigram_index(table: str, column: str) -> PostgresOnlySQL:
    """A GIN trigram index on UPPER(column::text).

    Django's icontains on PostgreSQL is UPPER("col"::text) LIKE UPPER(...),
    so the index must be on that exact expression to be used.
    """
    name = f"{table}_{column}_trgm"
    return PostgresOnlySQL(
        sql=(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        ),
        reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
    )


# --- django-celery-beat schedules ----------------------------------------------


def beat_schedules(*schedules: dict) -> migrations.RunPython:
    """Install periodic tasks (and remove them when migrating backwards).

    Each schedule is a dict: "task" (also the PeriodicTask's name), then
    either crontab fields ("hour", "minute", "day_of_month"; "*" or "0" by
    default, Europe/Paris) or "every_minutes" for an interval. Production
    and CI run django-celery-beat from these rows (ARCHITECTURE.md).
    """

    def install(apps, schema_editor):
        crontabs = apps.get_model("django_celery_beat", "CrontabSchedule")
        intervals = apps.get_model("django_celery_beat", "IntervalSchedule")
        tasks = apps.get_model("django_celery_beat", "PeriodicTask")
        for spec in schedules:
            if "every_minutes" in spec:
                interval, _ = intervals.objects.get_or_create(
                    every=spec["every_minutes"], period="minutes"
                )
                when = {"interval": interval, "crontab": None}
            else:
                crontab, _ = crontabs.objects.get_or_create(
                    minute=str(spec.get("minute", "0")),
                    hour=str(spec.get("hour", "*")),
                    day_of_week="*",
                    day_of_month=str(spec.get("day_of_month", "*")),
                    month_of_year="*",
                    timezone="Europe/Paris",
                )
                when = {"crontab": crontab, "interval": None}
            tasks.objects.update_or_create(
                name=spec["task"],
                defaults={"task": spec["task"], "enabled": True, **when},
            )

    def remove(apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
            name__in=[spec["task"] for spec in schedules]
        ).delete()

    return migrations.RunPython(install, remove)
