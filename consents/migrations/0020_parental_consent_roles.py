"""Advisers and managers record and correct a minor's parental consent;
compliance views it (consents.roles, decision 0098)."""

from django.db import migrations

from core.roles import sync_roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0019_phone_email_consent_and_suppression_lifts"),
    ]

    operations = [
        migrations.RunPython(sync_roles_migration, migrations.RunPython.noop),
    ]
