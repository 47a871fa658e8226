from django.db import migrations

from core.dbops import PostgresOnlySQL
from core.roles import sync_roles_migration

# The access log is evidence: rows are inserted, never changed. Deleting
# old rows is allowed only to the retention job, which sets
# `SET LOCAL ecrin.retention = 'on'` in its transaction.
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION privacy_access_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('ecrin.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the access log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER privacy_access_log_append_only
    BEFORE UPDATE OR DELETE ON privacy_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION privacy_access_log_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS privacy_access_log_append_only ON privacy_accesslogentry;
DROP FUNCTION IF EXISTS privacy_access_log_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_access_log")]

    operations = [
        PostgresOnlySQL(APPEND_ONLY, DROP),
        migrations.RunPython(sync_roles_migration, migrations.RunPython.noop),
    ]
