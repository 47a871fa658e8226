"""On PostgreSQL the app role cannot change evidence, however it tries.

Connected as the app role (DATABASE_APP_ROLE, created by `manage.py
create_db_roles`), every way round the append-only guards is refused:
UPDATE, DELETE, TRUNCATE, the former `SET LOCAL ecrin.*` switches,
disabling or replacing the triggers, writing the evidence gate's table,
acting as the owner. The real erasure and retention still work as that
role, through the evidence gate (core.evidence). The suite itself
runs as the owner role, which creates and migrates the test database
(docs/decisions/0011).
"""

from datetime import date, datetime, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection
from django.utils import timezone
from psycopg import errors

from clienteling.models import Client
from consents import registry
from consents.models import PaperFormSubmission
from core.models import AccessLogEntry
from core.roles import sync_roles_migration
from orders import services as order_services
from orders.models import Invoice, InvoiceLine, Order
from privacy import retention
from privacy.erasure import jobs
from privacy.erasure.plan import TOMBSTONE_PREFIX
from privacy.models import ErasureJob
from tests.clienteling.factories import ClientFactory, compliance
from tests.conftest import require
from tests.consents.factories import ConsentConversationFactory, grant, paper_version
from tests.helpers import connected_as
from tests.orders.factories import order
from tests.privacy.factories import run_erasure

# Committed rows, so that a second connection (as the app role) sees them.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PARIS = ZoneInfo("Europe/Paris")

# Every append-only table, and the column the evidence gate is keyed on.
EVIDENCE = {
    "consents_consentdecision": "client_id",
    "consents_paperformsubmission": "client_id",
    "consents_consentconversation": "client_id",
    "orders_invoice": "id",
    "orders_invoiceline": "invoice_id",
    "privacy_accesslogentry": "id",
}


@pytest.fixture(autouse=True)
def _seeded():
    """What the migrations seed, which a transactional test's flush removes."""
    registry.sync_registry()
    sync_roles_migration(django_apps, None)
    import_module("privacy.migrations.0005_erasure").seed(django_apps, None)


@pytest.fixture
def app_role() -> str:
    role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        exists = cursor.fetchone() is not None
    require(exists, f"the app role {role} (manage.py create_db_roles)")
    return role


def _app_connection(role: str) -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=role,
    )


def _refused(conn: psycopg.Connection, *statements: str, params=None) -> str:
    """Run the statements in one transaction; return why the last was refused.

    Every statement before the last must go through: a refusal earlier
    would prove nothing about the last one.
    """
    *setup, attempt = statements
    try:
        with conn.cursor() as cursor:
            for statement in setup:
                cursor.execute(statement, params)
            try:
                cursor.execute(attempt, params)
            except errors.InsufficientPrivilege as refusal:
                return str(refusal)
    finally:
        conn.rollback()
    raise AssertionError(f"not refused: {attempt}")


def _invoice(issued_at: datetime) -> Invoice:
    return order_services.invoice_issue(
        acting_user=None, order=order(status=Order.Status.CONFIRMED), now=issued_at
    )


def _paper_form(client: Client) -> PaperFormSubmission:
    return PaperFormSubmission.objects.create(
        client=client,
        version=paper_version(),
        requested_services=["boutique_orders"],
        fields_completed=["first_name"],
        signed_on=date(2026, 1, 5),
        boutique=client.home_boutique,
        scan_name=f"scan-{client.pk}.pdf",
        scan_content_type="application/pdf",
        scan_size=10,
        scan_sha256="0" * 64,
        recorded_by=compliance(),
        recorded_at=timezone.now(),
    )


def _access_entry(at: datetime) -> AccessLogEntry:
    # `at` is auto_now_add and UPDATE is refused: insert the date directly.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO privacy_accesslogentry (at, action, object_type, "
            "object_id, path, outcome) VALUES (%s, 'view', 'x.y', '', '', '') "
            "RETURNING id",
            [at],
        )
        return AccessLogEntry.objects.get(pk=cursor.fetchone()[0])


@pytest.fixture
def evidence():
    """One committed row in every evidence table."""
    client = ClientFactory()
    decision = grant(client, registry.NEWSLETTERS)
    paper = _paper_form(client)
    # a consent given by phone: its call id is evidence too (decision 0072)
    ConsentConversationFactory(client=client)
    invoice = _invoice(datetime(2026, 3, 1, 11, 0, tzinfo=PARIS))
    entry = _access_entry(timezone.now())
    return {
        "client": client,
        "decision": decision,
        "paper": paper,
        "invoice": invoice,
        "entry": entry,
    }


def _counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in EVIDENCE:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def test_the_evidence_tables_are_every_table_with_an_append_only_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND NOT t.tgisinternal"
        )
        guarded = {row[0] for row in cursor.fetchall()}

    assert guarded == set(EVIDENCE)


def test_the_app_role_is_no_superuser_and_owns_nothing(app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls "
            "FROM pg_roles WHERE rolname = %s",
            [app_role],
        )
        assert cursor.fetchone() == (False, False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
            "AND c.relowner = %s::regrole",
            [app_role],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT pg_has_role(%s, t.tableowner, 'USAGE') FROM pg_tables t "
            "WHERE t.tablename = 'orders_invoice'",
            [app_role],
        )
        assert cursor.fetchone() == (False,)


@pytest.mark.parametrize("table", sorted(EVIDENCE))
def test_the_app_role_cannot_update_delete_or_truncate_evidence(
    app_role, evidence, table
):
    before = _counts()
    with _app_connection(app_role) as conn:
        # Reading and appending stay open: the app needs them.
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone()[0] == before[table]
        conn.rollback()

        column = EVIDENCE[table]
        update = _refused(conn, f"UPDATE {table} SET {column} = {column}")  # noqa: S608
        delete = _refused(conn, f"DELETE FROM {table}")  # noqa: S608
        truncate = _refused(conn, f"TRUNCATE {table} CASCADE")
        switched = _refused(
            conn,
            "SET LOCAL ecrin.erasure = 'on'",
            "SET LOCAL ecrin.retention = 'on'",
            "SELECT set_config('ecrin.erasure', 'on', false)",
            f"DELETE FROM {table}",  # noqa: S608
        )
        disable = _refused(conn, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        drop = _refused(conn, f"DROP TABLE {table} CASCADE")

    assert "refused" in update
    assert "refused" in delete
    assert "permission denied" in truncate
    assert "refused" in switched
    assert "must be owner" in disable
    assert "must be owner" in drop
    assert _counts() == before


def test_the_app_role_cannot_reach_round_the_triggers(app_role, evidence):
    decision = evidence["decision"]
    recent = evidence["invoice"]
    with _app_connection(app_role) as conn:
        replace = _refused(
            conn,
            "CREATE OR REPLACE FUNCTION consents_refuse_evidence_change() "
            "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
        )
        owner = _refused(conn, "SET ROLE ecrin_owner")
        gate_write = _refused(
            conn,
            "INSERT INTO ecrin_evidence_gate (kind, key) VALUES ('erasure', %s)",
            params=[decision.client_id],
        )
        gate_read = _refused(conn, "SELECT count(*) FROM ecrin_evidence_gate")
        # Through the gate's own door, an invoice inside its legal period
        # stays: the trigger checks retention_until itself, in the public
        # schema, not in a temporary table of the caller's making.
        too_early = _refused(
            conn,
            "CREATE TEMPORARY TABLE orders_invoice (id bigint, retention_until date)",
            "INSERT INTO orders_invoice VALUES (%(id)s, '2000-01-01')",
            "SELECT ecrin_evidence_gate_open('invoice_retention', ARRAY[%(id)s])",
            "DELETE FROM orders_invoiceline WHERE invoice_id = %(id)s",
            params={"id": recent.pk},
        )
        # An opening names its rows: the gate for one client's consent
        # evidence does not open another's.
        other = grant(ClientFactory(), registry.NEWSLETTERS)
        before = _counts()
        elsewhere = _refused(
            conn,
            "SELECT ecrin_evidence_gate_open('erasure', ARRAY[%(opened)s])",
            "DELETE FROM consents_consentdecision WHERE id = %(other)s",
            params={"opened": decision.client_id, "other": other.pk},
        )

    assert "permission denied for schema public" in replace
    assert "permission denied to set role" in owner
    assert "permission denied" in gate_write
    assert "permission denied" in gate_read
    assert "immutable" in too_early
    assert "refused" in elsewhere
    assert _counts() == before


def test_every_opening_of_the_gate_is_kept_out_of_the_app_roles_reach(
    app_role, evidence
):
    client = evidence["client"]
    with _app_connection(app_role) as conn:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT ecrin_evidence_gate_open('erasure', ARRAY[%s]::bigint[])",
                [client.pk],
            )
        conn.commit()
        wipe = _refused(conn, "DELETE FROM ecrin_evidence_gate")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, opened_by FROM ecrin_evidence_gate WHERE key = %s "
            "AND kind = 'erasure' ORDER BY id DESC LIMIT 1",
            [client.pk],
        )
        assert cursor.fetchone() == ("erasure", app_role)
    assert "permission denied" in wipe


def test_erasure_runs_as_the_app_role(app_role):
    client = ClientFactory()
    grant(client, registry.NEWSLETTERS)
    paper = _paper_form(client)
    officer = compliance()

    with connected_as(app_role):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == app_role
        job = jobs.erasure_request(acting_user=compliance(), client=client)
        jobs.erasure_approve(acting_user=officer, job=job)
        run_erasure(job)
        job.refresh_from_db()

    assert job.status == ErasureJob.Status.DONE, job.outcome
    client.refresh_from_db()
    assert client.client_number.startswith(TOMBSTONE_PREFIX)
    paper.refresh_from_db()
    assert paper.scan_name == f"erased-{paper.pk}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT opened_by FROM ecrin_evidence_gate "
            "WHERE kind = 'erasure' AND key = %s",
            [client.pk],
        )
        assert [row[0] for row in cursor.fetchall()] == [app_role]


def test_retention_runs_as_the_app_role(app_role):
    old = _invoice(datetime(2014, 6, 15, 11, 0, tzinfo=PARIS))
    recent = _invoice(datetime(2026, 3, 1, 11, 0, tzinfo=PARIS))
    stale = _access_entry(timezone.now() - timedelta(days=3 * 365))
    fresh = _access_entry(timezone.now())

    with connected_as(app_role):
        run = retention.retention_run_now(acting_user=None, dry_run=False)

    assert run.counts["invoices"]["invoices_deleted"] == 1
    assert not Invoice.objects.filter(pk=old.pk).exists()
    assert not InvoiceLine.objects.filter(invoice_id=old.pk).exists()
    assert Invoice.objects.filter(pk=recent.pk).exists()
    assert run.counts["access_log"]["rows_deleted"] == 1
    assert not AccessLogEntry.objects.filter(pk=stale.pk).exists()
    assert AccessLogEntry.objects.filter(pk=fresh.pk).exists()
