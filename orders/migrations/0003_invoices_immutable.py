from django.db import migrations

from core.dbops import PostgresOnlySQL

# Issued invoices are legal documents (Commercial Code L123-22): never
# changed, and deleted only by the retention job after their 10 years,
# which sets `SET LOCAL ecrin.retention = 'on'` in its transaction.
IMMUTABLE = """
CREATE OR REPLACE FUNCTION orders_invoice_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('ecrin.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'issued invoices are immutable (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER orders_invoice_immutable
    BEFORE UPDATE OR DELETE ON orders_invoice
    FOR EACH ROW EXECUTE FUNCTION orders_invoice_immutable();
CREATE TRIGGER orders_invoiceline_immutable
    BEFORE UPDATE OR DELETE ON orders_invoiceline
    FOR EACH ROW EXECUTE FUNCTION orders_invoice_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS orders_invoice_immutable ON orders_invoice;
DROP TRIGGER IF EXISTS orders_invoiceline_immutable ON orders_invoiceline;
DROP FUNCTION IF EXISTS orders_invoice_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_roles")]

    operations = [PostgresOnlySQL(IMMUTABLE, DROP)]
