from django.db import migrations

from core.roles import sync_roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("clienteling", "0002_roles"),
    ]

    operations = [migrations.RunPython(sync_roles_migration, migrations.RunPython.noop)]
