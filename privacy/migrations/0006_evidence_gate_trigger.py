from django.db import migrations

from core.dbops import PostgresOnlySQL

# Access log rows are deleted only by the retention job, through the
# evidence gate (core/evidence.py); the former session setting
# `ecrin.retention` opens nothing any more.
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION privacy_access_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND public.ecrin_evidence_gate_allows('access_log_retention', OLD.id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the access log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION privacy_access_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('ecrin.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the access log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0005_erasure"),
        ("clienteling", "0011_evidence_gate"),
    ]

    operations = [PostgresOnlySQL(APPEND_ONLY, PREVIOUS)]
