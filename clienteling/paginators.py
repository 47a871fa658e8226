from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """A paginator that trusts PostgreSQL's row estimate for whole tables.

    COUNT(*) over a million clients costs more than the page itself. When
    the list is unfiltered and the planner's estimate (pg_class.reltuples,
    kept current by autovacuum/ANALYZE) is large, the estimate is good
    enough to page with; filtered lists and small tables count exactly.
    """

    # Below this, an exact count is cheap and an estimate may be stale.
    exact_below = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class "
                        "WHERE oid = %s::regclass",
                        [queryset.model._meta.db_table],
                    )
                    row = cursor.fetchone()
                if row and row[0] >= self.exact_below:
                    return int(row[0])
        return super().count
