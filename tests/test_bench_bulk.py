"""bench/bulk.py: a load without secondary indexes and constraints that
puts back exactly what it took, after a stop too; the data set's marker.

On two throwaway tables of the test database, in autocommit (the module
commits its own transactions)."""

import pytest
from django.db import IntegrityError, connection

from bench import bulk

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TABLES = ("bulk_test_child",)


def _catalogue(cursor) -> list:
    cursor.execute(
        """
        SELECT pg_get_indexdef(indexrelid) FROM pg_index
        WHERE indrelid = 'bulk_test_child'::regclass
        UNION ALL
        SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = 'bulk_test_child'::regclass
        ORDER BY 1
        """
    )
    return [row[0] for row in cursor.fetchall()]


def _pending(cursor) -> list:
    cursor.execute(f"SELECT name, kind FROM {bulk.PENDING} ORDER BY name")  # noqa: S608
    return cursor.fetchall()


@pytest.fixture
def cursor():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bulk_test_parent (id bigint PRIMARY KEY);"
            "CREATE TABLE bulk_test_child ("
            " id bigserial PRIMARY KEY,"
            " parent_id bigint CONSTRAINT bulk_test_fk"
            "  REFERENCES bulk_test_parent (id),"
            " code text CONSTRAINT bulk_test_code_key UNIQUE,"
            " note text);"
            "CREATE INDEX bulk_test_note ON bulk_test_child (note)"
            " WHERE note LIKE 'x%';"
            "INSERT INTO bulk_test_parent VALUES (1), (2)"
        )
        yield cursor
        cursor.execute(
            "DROP TABLE IF EXISTS bulk_test_child, bulk_test_parent, "
            f"{bulk.PENDING}, {bulk.MARKER}"
        )


def test_dropped_for_the_load_then_put_back_as_they_were(cursor):
    before = _catalogue(cursor)

    assert bulk.drop_secondary(cursor, TABLES) == 3
    assert _catalogue(cursor) == [
        "CREATE UNIQUE INDEX bulk_test_child_pkey ON public.bulk_test_child "
        "USING btree (id)",
        "bulk_test_child_pkey PRIMARY KEY (id)",
    ]
    assert _pending(cursor) == [
        ("bulk_test_code_key", "unique"),
        ("bulk_test_fk", "foreign"),
        ("bulk_test_note", "index"),
    ]
    # Nothing is checked during the load.
    cursor.execute(
        "INSERT INTO bulk_test_child (parent_id, code) VALUES (9, 'a'), (1, 'a')"
    )
    cursor.execute("DELETE FROM bulk_test_child")
    cursor.execute(
        "INSERT INTO bulk_test_child (parent_id, code, note) "
        "SELECT 1 + g % 2, 'c' || g, 'x' || g FROM generate_series(1, 100) g"
    )

    done = bulk.restore(cursor, TABLES)

    assert [name for name, _seconds in done] == [
        "bulk_test_note",
        "bulk_test_code_key",
        "bulk_test_fk",
    ]
    assert _catalogue(cursor) == before
    assert _pending(cursor) == []


def test_a_stopped_load_is_run_again_and_loses_nothing(cursor):
    before = _catalogue(cursor)
    bulk.drop_secondary(cursor, TABLES)
    # Stopped here; the next build drops what exists (nothing) and keeps
    # what is pending.
    assert bulk.drop_secondary(cursor, TABLES) == 0
    assert len(_pending(cursor)) == 3

    bulk.restore(cursor)

    assert _catalogue(cursor) == before
    assert _pending(cursor) == []


def test_rows_that_break_a_constraint_stop_the_restore_and_keep_it_pending(cursor):
    bulk.drop_secondary(cursor, TABLES)
    cursor.execute("INSERT INTO bulk_test_child (parent_id, code) VALUES (9, 'a')")

    with pytest.raises(IntegrityError):
        bulk.restore(cursor, TABLES)

    # The index came back; the foreign key stays pending, not half made.
    assert _pending(cursor) == [("bulk_test_fk", "foreign")]
    cursor.execute("UPDATE bulk_test_child SET parent_id = 2")
    bulk.restore(cursor, TABLES)
    assert _pending(cursor) == []
    assert any("bulk_test_fk FOREIGN KEY" in row for row in _catalogue(cursor))


def test_the_marker_says_built_for_the_same_version_size_and_rows_only(cursor):
    assert not bulk.is_built(cursor, "set", 1, 1000, "1000:1:1000")

    bulk.mark(cursor, "set", 1, 1000, "1000:1:1000", seconds=12.5)

    assert bulk.is_built(cursor, "set", 1, 1000, "1000:1:1000")
    assert not bulk.is_built(cursor, "set", 2, 1000, "1000:1:1000")
    assert not bulk.is_built(cursor, "set", 1, 10, "1000:1:1000")
    assert not bulk.is_built(cursor, "set", 1, 1000, "1000:1001:2000")
    assert not bulk.is_built(cursor, "other", 1, 1000, "1000:1:1000")
    bulk.forget(cursor, "set")
    assert not bulk.is_built(cursor, "set", 1, 1000, "1000:1:1000")
