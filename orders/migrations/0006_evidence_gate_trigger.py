from django.db import migrations

from core.dbops import PostgresOnlySQL

# Issued invoices and their lines are deleted only by the retention job,
# through the evidence gate (core/evidence.py), and never before
# the retention_until stamped on the invoice at issue: the legal floor is
# checked here as well as in orders.retention, so no caller can go under
# it. The former session setting `ecrin.retention` opens nothing any more.
IMMUTABLE = """
CREATE OR REPLACE FUNCTION orders_invoice_immutable() RETURNS trigger AS $$
DECLARE
    document_id bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF TG_TABLE_NAME = 'orders_invoiceline' THEN
            document_id := OLD.invoice_id;
        ELSE
            document_id := OLD.id;
        END IF;
        IF public.ecrin_evidence_gate_allows('invoice_retention', document_id)
           AND EXISTS (SELECT 1 FROM public.orders_invoice
                       WHERE id = document_id AND retention_until < current_date) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'issued invoices are immutable (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION orders_invoice_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('ecrin.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'issued invoices are immutable (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_payment_token_index"),
        ("clienteling", "0011_evidence_gate"),
    ]

    operations = [PostgresOnlySQL(IMMUTABLE, PREVIOUS)]
