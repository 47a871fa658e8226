from django.db import migrations

from core.roles import sync_roles_migration
from consents.registry import sync_registry_migration


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial")]

    operations = [
        migrations.RunPython(sync_registry_migration, migrations.RunPython.noop),
        migrations.RunPython(sync_roles_migration, migrations.RunPython.noop),
    ]
