"""The access log moves from privacy into core, in state only.

The table keeps its name (privacy_accesslogentry), its rows, indexes and
the append-only trigger of privacy's migrations 0002 and 0006: only
Django's picture of which app owns the model changes (privacy's
0010_access_log_moves_to_core drops it from privacy's state). The content
type is relabelled so that the permissions granted on it, and the admin's
history entries, follow the model (docs/decisions/0018).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.roles import sync_roles_migration


def relabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(
        app_label="core", model="accesslogentry"
    ).exists():
        return
    ContentType.objects.using(db).filter(
        app_label="privacy", model="accesslogentry"
    ).update(app_label="core")


def unlabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(
        app_label="privacy", model="accesslogentry"
    ).exists():
        return
    ContentType.objects.using(db).filter(
        app_label="core", model="accesslogentry"
    ).update(app_label="privacy")


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_job"),
        ("privacy", "0008_retention_rules_in_staff_words"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AccessLogEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("view", "Opened a record"),
                                    ("view_health", "Saw health data (allergies)"),
                                    ("view_payment", "Saw payment details"),
                                    ("history", "Opened a record's history"),
                                    ("export", "Exported"),
                                    ("download", "Downloaded a document"),
                                    (
                                        "denied",
                                        "Was refused (out of scope or no permission)",
                                    ),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("object_type", models.CharField(max_length=100)),
                        ("object_id", models.CharField(blank=True, max_length=64)),
                        ("count", models.PositiveIntegerField(blank=True, null=True)),
                        ("path", models.CharField(blank=True, max_length=300)),
                        (
                            "user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "access log entry",
                        "verbose_name_plural": "access log",
                        "db_table": "privacy_accesslogentry",
                        "ordering": ["-at", "-id"],
                        "permissions": [("view_access_log", "Can read the access log")],
                        "indexes": [
                            models.Index(
                                fields=["object_type", "object_id", "-at"],
                                name="privacy_acc_object__918206_idx",
                            ),
                            models.Index(
                                fields=["user", "-at"],
                                name="privacy_acc_user_id_8fb6be_idx",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, unlabel_content_type),
        migrations.RunPython(sync_roles_migration, migrations.RunPython.noop),
    ]
