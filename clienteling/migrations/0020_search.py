"""Global search (docs/decisions/0034): accent-insensitive names, part of an
email, the last digits of a phone, each served by an index on PostgreSQL.

On SQLite the functions are registered per connection
(clienteling.search.register_sqlite_functions) and nothing is indexed.
"""

from django.db import migrations

from core.dbops import PostgresOnlySQL, trigram_index

FUNCTIONS = """
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
-- unaccent() is STABLE (its dictionary could change); the two-argument
-- form naming the dictionary is safe to declare IMMUTABLE in a wrapper,
-- which an index expression requires.
CREATE OR REPLACE FUNCTION public.ecrin_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
CREATE OR REPLACE FUNCTION public.ecrin_search_name(text, text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT public.ecrin_fold(coalesce($1, '') || ' ' || coalesce($2, '')) $$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS public.ecrin_search_name(text, text);
DROP FUNCTION IF EXISTS public.ecrin_fold(text);
"""


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0019_appointments")]

    operations = [
        PostgresOnlySQL(sql=FUNCTIONS, reverse_sql=DROP_FUNCTIONS),
        # Names: one trigram index on the folded "first last" serves every
        # word of a term (each word a LIKE on the same expression).
        PostgresOnlySQL(
            sql=(
                'CREATE INDEX IF NOT EXISTS "client_search_name_trgm" ON '
                '"clienteling_client" USING gin '
                '((public.ecrin_search_name("first_name", "last_name")) '
                "gin_trgm_ops)"
            ),
            reverse_sql='DROP INDEX IF EXISTS "client_search_name_trgm"',
        ),
        # The two per-column indexes of 0004 served the accent-sensitive
        # icontains that the search no longer runs.
        PostgresOnlySQL(
            sql=(
                'DROP INDEX IF EXISTS "clienteling_client_last_name_trgm";'
                'DROP INDEX IF EXISTS "clienteling_client_first_name_trgm";'
            ),
            reverse_sql=(
                'CREATE INDEX IF NOT EXISTS "clienteling_client_last_name_trgm" '
                'ON "clienteling_client" USING gin '
                '((UPPER("last_name"::text)) gin_trgm_ops);'
                'CREATE INDEX IF NOT EXISTS "clienteling_client_first_name_trgm" '
                'ON "clienteling_client" USING gin '
                '((UPPER("first_name"::text)) gin_trgm_ops);'
            ),
        ),
        # Part of an email: Django's icontains is UPPER(address) LIKE.
        trigram_index("clienteling_clientemail", "address"),
        # The last digits of a phone: a suffix of the number is a prefix of
        # its reverse (text_pattern_ops: the database collation is not C).
        PostgresOnlySQL(
            sql=(
                'CREATE INDEX IF NOT EXISTS "client_phone_reversed" ON '
                '"clienteling_clientphone" '
                '((REVERSE("number"::text)) text_pattern_ops)'
            ),
            reverse_sql='DROP INDEX IF EXISTS "client_phone_reversed"',
        ),
    ]
