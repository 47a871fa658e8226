"""The access log now belongs to core (core's 0002_access_log): privacy
forgets the model in state only; the table, its rows and its trigger stay
(docs/decisions/0018)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0009_erasure_request_link"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AccessLogEntry")],
            database_operations=[],
        ),
    ]
