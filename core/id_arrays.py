"""Filtering by a long list of ids as one array parameter.

`InIds(F("client_id"), ids)` is `client_id = ANY(%s::bigint[])` on
PostgreSQL (an IN list elsewhere). An IN list of thousands of literals
costs more to build (Django, psycopg) and to parse and plan (PostgreSQL)
than the rows it names: the erasure engine and the file locations it
calls read and delete by chunks of ids this way (decisions 0043, 0089).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.db.models import F, Lookup


class InIds(Lookup):
    """`column = ANY(array)` on PostgreSQL, an IN list elsewhere.

    An IN list of 1,000 literals costs more to build (Django, psycopg)
    and to parse and plan (PostgreSQL) than deleting the rows it names:
    one array parameter keeps a statement over an empty table under a
    millisecond, which is what makes erasing 70 models by chunks cheap.
    """

    lookup_name = "in_ids"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(i) for i in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        shared = SHARED_ARRAY.get()
        if shared and connection.vendor == "postgresql":
            # Inside the erasure's presence(): the ids are the outer
            # query's one array.
            return f"{lhs} = ANY({shared})", tuple(params)
        if connection.vendor == "postgresql":
            # The array as its text literal: psycopg's list adapter costs
            # more in Python than the statement does in PostgreSQL.
            return f"{lhs} = ANY(%s::bigint[])", (*params, ids_literal(self.rhs))
        if not self.rhs:
            return "1 = 0", tuple(params)
        marks = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({marks})", (*params, *self.rhs)


# Set by privacy.erasure.plan.presence(): InIds then names the array of
# the enclosing query instead of sending the ids again for every subquery.
SHARED_ARRAY: ContextVar[str] = ContextVar("erasure_shared_array", default="")


def ids_literal(ids) -> str:
    """PostgreSQL's text form of a bigint array."""
    return "{" + ",".join(map(str, ids)) + "}"


def in_ids(path: str, ids) -> InIds:
    """The filter `path = ANY(ids)`; "" or None is the primary key."""
    return InIds(F(path or "pk"), list(ids))


@contextmanager
def index_scans():
    """Statements by a chunk of ids find their rows through an index.

    A chunk of 10,000 ids is 1% of a million-row table: with stock costs
    (random_page_cost 4) PostgreSQL reads the whole table for it (a seq
    scan of 990,000 rows it then drops: 0.5-1.3 s per table at 1M), where
    the client_id index finds the same rows in tens of milliseconds
    (bitmap scans). Seq scans are off for the statements inside only, in
    this transaction, then back to what they were (decision 0107). A table
    with no usable index is still read whole.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), "
            "set_config('enable_seqscan', 'off', true)"
        )
        (before, _) = cursor.fetchone()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])
