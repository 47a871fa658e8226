from django.db import migrations

from consents.registry import sync_registry_migration


class Migration(migrations.Migration):
    # The registry's retention text for boutique orders now matches the
    # card_references retention rule (13 months after the last payment).
    dependencies = [("consents", "0004_orphan_scan_schedule")]

    operations = [
        migrations.RunPython(sync_registry_migration, migrations.RunPython.noop)
    ]
