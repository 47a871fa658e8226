from django.db import migrations

from core.dbops import PostgresOnlySQL

# The evidence gate (core/evidence.py, docs/decisions/0011). The
# table and both functions belong to the role that runs migrations (the
# owner role); the app role may only EXECUTE the open and close functions
# (core.dbroles grants it), which run as their owner (SECURITY
# DEFINER) with a fixed search_path so a caller cannot substitute objects.
GATE = """
CREATE TABLE IF NOT EXISTS ecrin_evidence_gate (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
    kind text NOT NULL,
    key bigint NOT NULL,
    opened_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz,
    opened_by name NOT NULL DEFAULT session_user
);
CREATE INDEX IF NOT EXISTS ecrin_evidence_gate_open_rows
    ON ecrin_evidence_gate (xact, kind, key) WHERE closed_at IS NULL;
REVOKE ALL ON ecrin_evidence_gate FROM PUBLIC;

CREATE OR REPLACE FUNCTION ecrin_evidence_gate_open(gate_kind text, keys bigint[])
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
    IF gate_kind NOT IN ('erasure', 'invoice_retention', 'access_log_retention') THEN
        RAISE EXCEPTION 'unknown evidence gate %', gate_kind
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO public.ecrin_evidence_gate (kind, key)
        SELECT DISTINCT gate_kind, k FROM unnest(keys) AS k WHERE k IS NOT NULL;
    RETURN coalesce(cardinality(keys), 0);
END;
$$;

CREATE OR REPLACE FUNCTION ecrin_evidence_gate_close(gate_kind text)
RETURNS void LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
    UPDATE public.ecrin_evidence_gate SET closed_at = now()
    WHERE xact = pg_current_xact_id_if_assigned() AND kind = gate_kind
      AND closed_at IS NULL;
$$;

-- Called by the evidence triggers, as the owner, so the app role needs no
-- right on the gate's table.
CREATE OR REPLACE FUNCTION ecrin_evidence_gate_allows(gate_kind text, gate_key bigint)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (
        SELECT 1 FROM public.ecrin_evidence_gate
        WHERE xact = pg_current_xact_id_if_assigned() AND kind = gate_kind
          AND key = gate_key AND closed_at IS NULL
    );
$$;

REVOKE ALL ON FUNCTION ecrin_evidence_gate_open(text, bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION ecrin_evidence_gate_close(text) FROM PUBLIC;
"""

DROP = """
DROP FUNCTION IF EXISTS ecrin_evidence_gate_allows(text, bigint);
DROP FUNCTION IF EXISTS ecrin_evidence_gate_close(text);
DROP FUNCTION IF EXISTS ecrin_evidence_gate_open(text, bigint[]);
DROP TABLE IF EXISTS ecrin_evidence_gate;
"""


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0010_client_retired_index")]

    operations = [PostgresOnlySQL(GATE, DROP)]
