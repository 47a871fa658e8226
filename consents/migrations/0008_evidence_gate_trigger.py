from django.db import migrations

from core.dbops import PostgresOnlySQL

# Consent evidence changes only for clients whose erasure opened the gate
# in this transaction (core/evidence.py); the former session setting
# `ecrin.erasure` opens nothing any more. The triggers themselves (0003)
# are unchanged: they call this function.
FUNCTION = """
CREATE OR REPLACE FUNCTION consents_refuse_evidence_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF public.ecrin_evidence_gate_allows('erasure', OLD.client_id) THEN
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

PREVIOUS = """
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


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0007_outreach_excluded_count_derived"),
        ("clienteling", "0011_evidence_gate"),
    ]

    operations = [PostgresOnlySQL(FUNCTION, PREVIOUS)]
