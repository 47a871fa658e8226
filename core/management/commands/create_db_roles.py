"""Create the owner and app roles of the PostgreSQL database, idempotently.

Run once per database, connected as a superuser (DATABASE_URL), then run
`migrate` as the owner role and everything else as the app role; see
core.dbroles and docs/decisions/0011. Running it again changes
nothing that is already right, and hands any table created under another
role (say, migrated as `postgres` before the roles existed) to the owner.
"""

import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.dbroles import grant_app_role, quote, role_exists

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

# Relations of the public schema not owned by the owner role, extension
# members and sequences that belong to a table (identity, serial) left out:
# those follow their extension or their table.
FOREIGN_RELATIONS = """
SELECT c.relkind, c.oid::regclass::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND c.relowner <> %(owner)s::regrole
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
ORDER BY c.relkind, 2
"""
FOREIGN_FUNCTIONS = """
SELECT p.oid::regprocedure::text
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' AND p.proowner <> %(owner)s::regrole
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1
"""
KIND = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW"}
KIND |= {"S": "SEQUENCE", "f": "FOREIGN TABLE"}


class Command(BaseCommand):
    help = (
        "Create the PostgreSQL owner role (runs migrate) and app role (web and "
        "workers: rows only), give the owner the database and its tables, and "
        "grant the app role. Needs a superuser connection."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--owner",
            default="ecrin_owner",
            help="The role that owns the tables and runs migrate (ecrin_owner).",
        )
        parser.add_argument(
            "--app",
            default=settings.DATABASE_APP_ROLE,
            help="The role web processes and workers connect as "
            "(DATABASE_APP_ROLE, ecrin_app).",
        )
        parser.add_argument(
            "--createdb",
            action="store_true",
            help="Let the owner role create databases: only where it runs the "
            "test suite (CI, a developer machine), never in production.",
        )

    def handle(self, *args, owner, app, createdb, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "create_db_roles needs PostgreSQL: DATABASE_URL points at "
                "SQLite, which has no roles (the demo needs none)."
            )
        for name in (owner, app):
            if not ROLE_NAME.fullmatch(name):
                raise CommandError(
                    f"{name!r} is not a role name: use lower-case letters, "
                    "digits and underscores."
                )
        if owner == app:
            raise CommandError("The owner and app roles must be two roles.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, rolsuper FROM pg_roles "
                "WHERE rolname = current_user"
            )
            user, is_superuser = cursor.fetchone()
            if not is_superuser:
                raise CommandError(
                    f"create_db_roles must connect as a superuser; {user} is "
                    "not one. Run it with DATABASE_URL=postgres://postgres@..."
                )
            if user in (owner, app):
                raise CommandError(f"{user} cannot be the owner or app role.")
            created = [
                name
                for name, can_create in ((owner, createdb), (app, False))
                if self._role(cursor, name, can_create)
            ]
            # The app role must never act as the owner.
            cursor.execute(
                f"REVOKE {quote(connection, owner)} FROM {quote(connection, app)}"
            )
            moved = self._hand_over(cursor, owner)
        grant_app_role(role=app)
        database = connection.settings_dict["NAME"]
        self.stdout.write(
            f"Roles ready on database {database}: {owner} owns it "
            f"({len(moved)} object(s) handed over now; runs migrate"
            f"{', may create test databases' if createdb else ''}), {app} "
            "reads and writes rows only (web, workers, beat)."
            + (f" Created: {', '.join(created)}." if created else "")
        )
        self.stdout.write(
            f"Give each a password (psql: \\password {owner}, \\password "
            f"{app}), then migrate with DATABASE_URL=postgres://{owner}@... "
            f"and serve with DATABASE_URL=postgres://{app}@..."
        )

    def _role(self, cursor, name: str, createdb: bool) -> bool:
        role = quote(connection, name)
        created = not role_exists(cursor, name)
        if created:
            cursor.execute(f"CREATE ROLE {role} LOGIN")
        cursor.execute(
            f"ALTER ROLE {role} LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION "
            f"NOBYPASSRLS INHERIT {'CREATEDB' if createdb else 'NOCREATEDB'}"
        )
        return created

    def _hand_over(self, cursor, owner: str) -> list[str]:
        role = quote(connection, owner)
        database = quote(connection, connection.settings_dict["NAME"])
        cursor.execute(f"ALTER DATABASE {database} OWNER TO {role}")
        cursor.execute(f"ALTER SCHEMA public OWNER TO {role}")
        cursor.execute(FOREIGN_RELATIONS, {"owner": owner})
        moved = []
        for kind, name in cursor.fetchall():
            cursor.execute(f"ALTER {KIND[kind]} {name} OWNER TO {role}")
            moved.append(name)
        cursor.execute(FOREIGN_FUNCTIONS, {"owner": owner})
        for (signature,) in cursor.fetchall():
            cursor.execute(f"ALTER FUNCTION {signature} OWNER TO {role}")
            moved.append(signature)
        return moved
