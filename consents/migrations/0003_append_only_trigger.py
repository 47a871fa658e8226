from django.db import migrations

from core.dbops import PostgresOnlySQL

# UPDATE and DELETE on the evidence tables are refused unless the
# transaction ran SET LOCAL ecrin.erasure = 'on' (consents.ledger).
# TRUNCATE is not covered: it is an operator's tool, not application code.
FUNCTION = """
CREATE OR REPLACE FUNCTION consents_refuse_evidence_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('ecrin.erasure', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% on % refused: consent evidence is append-only '
        '(only the erasure job may remove it)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

TABLES = ("consents_consentdecision", "consents_paperformsubmission")


class Migration(migrations.Migration):
    dependencies = [("consents", "0002_registry_and_roles")]

    operations = [
        PostgresOnlySQL(
            sql=FUNCTION,
            reverse_sql="DROP FUNCTION IF EXISTS consents_refuse_evidence_change()",
        ),
        *(
            PostgresOnlySQL(
                sql=(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
                    f"ON {table} FOR EACH ROW EXECUTE FUNCTION "
                    "consents_refuse_evidence_change()"
                ),
                reverse_sql=f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            )
            for table in TABLES
        ),
    ]
