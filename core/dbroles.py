"""PostgreSQL roles: the owner role migrates, the app role serves.

Two roles, created by `manage.py create_db_roles` (docs/decisions/0011):

- the owner role (`ecrin_owner` by default) owns the database, its schema,
  every table and the evidence gate's SECURITY DEFINER functions; it runs
  `manage.py migrate` and nothing else (in CI and on a developer machine it
  also creates the test database, hence CREATEDB there only);
- the app role (DATABASE_APP_ROLE, `ecrin_app` by default) is what the web
  processes, Celery workers and beat connect as: it reads and writes rows
  but owns nothing, so it can neither TRUNCATE nor ALTER a table (no
  DISABLE TRIGGER), nor read or write the evidence gate's table; append-only
  rows change only through the gate (core.evidence).

grant_app_role() is the one place the app role's rights are written; it
runs after every `migrate` on PostgreSQL (post_migrate, so a new table is
granted by the migration run that creates it) and from create_db_roles.
Neither role is a superuser. SQLite has no roles: none of this applies.
"""

from django.conf import settings
from django.db import connections

# Tables the app role may read but never write: the record of migrations
# (the app role does not migrate) and the evidence gate (only its
# SECURITY DEFINER functions touch it).
READ_ONLY = ("django_migrations",)
NO_ACCESS = ("ecrin_evidence_gate",)
GATE_FUNCTIONS = (
    "ecrin_evidence_gate_open(text, bigint[])",
    "ecrin_evidence_gate_close(text)",
)


def quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def _existing(cursor, names) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relname = ANY(%s)",
        [list(names)],
    )
    return [row[0] for row in cursor.fetchall()]


def _gate_functions(cursor) -> list[str]:
    cursor.execute(
        "SELECT to_regprocedure(f) FROM unnest(%s::text[]) AS f "
        "WHERE to_regprocedure(f) IS NOT NULL",
        [list(GATE_FUNCTIONS)],
    )
    return [row[0] for row in cursor.fetchall()]


def grant_app_role(*, using: str = "default", role: str | None = None) -> bool:
    """Give the app role its rights on every table of the schema.

    Rows: SELECT, INSERT, UPDATE, DELETE (the append-only triggers refuse
    what must not change); sequences: USAGE, SELECT; the gate: EXECUTE on
    its open and close functions only. Never TRUNCATE, REFERENCES, TRIGGER
    or ownership. Returns False (and does nothing) where there is no such
    role or no PostgreSQL.
    """
    connection = connections[using]
    role = role or settings.DATABASE_APP_ROLE
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        # The app role itself (a `make run` against it) grants nothing.
        if cursor.fetchone()[0] == role or not role_exists(cursor, role):
            return False
        app = quote(connection, role)
        database = quote(connection, connection.settings_dict["NAME"])
        statements = [
            f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}",
            f"GRANT USAGE ON SCHEMA public TO {app}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
            f"TO {app}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        ]
        for table in _existing(cursor, READ_ONLY):
            statements.append(
                f"REVOKE INSERT, UPDATE, DELETE ON {quote(connection, table)} "
                f"FROM {app}"
            )
        for table in _existing(cursor, NO_ACCESS):
            statements.append(f"REVOKE ALL ON {quote(connection, table)} FROM {app}")
        for function in _gate_functions(cursor):
            statements.append(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")
        for statement in statements:
            cursor.execute(statement)
    return True


def grant_after_migrate(sender, using="default", **kwargs) -> None:
    grant_app_role(using=using)
