"""Migration operations that only apply on PostgreSQL.

SQLite is the demo default (docs/decisions/0001); features such as trigram
indexes exist only on the database of record.
"""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on another database vendor."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def trigram_index(table: str, column: str) -> PostgresOnlySQL:
    """A GIN trigram index on UPPER(column::text).

    Django's icontains on PostgreSQL is UPPER("col"::text) LIKE UPPER(...),
    so the index must be on that exact expression to be used.
    """
    name = f"{table}_{column}_trgm"
    return PostgresOnlySQL(
        sql=(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        ),
        reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
    )
