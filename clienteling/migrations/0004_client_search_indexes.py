from django.db import migrations

from core.dbops import PostgresOnlySQL, trigram_index
from core.roles import sync_roles_migration


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0003_clients")]

    operations = [
        PostgresOnlySQL(
            sql="CREATE EXTENSION IF NOT EXISTS pg_trgm",
            reverse_sql=migrations.RunSQL.noop,
        ),
        # One index per icontains lookup in ClientQuerySet.matching().
        trigram_index("clienteling_client", "last_name"),
        trigram_index("clienteling_client", "first_name"),
        migrations.RunPython(sync_roles_migration, migrations.RunPython.noop),
    ]
