from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """A paginator that trusts PostgreSQL's row estimate for whole tables.

    COUNT(*) over a million clients costs more than the page itself. When
    the list is unfiltered and the planner's estimate (pg_class.reltuples,
    kept current by autovacuum/ANALYZE) is large, the estimate is good
    enough to page with; filtered lists and small tables count exactly.

    A model whose queryset has `live()` and `retired()` (clients) shows the
    live rows by default: that list is the estimate minus an exact count of
    the few retired rows, which a partial index serves.
    """

    # Below this, an exact count is cheap and an estimate may be stale.
    exact_below = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None or connections[queryset.db].vendor != "postgresql":
            return super().count
        whole = queryset.model._default_manager.all()
        if not query.where:
            estimate = self._estimate(queryset)
            if estimate >= self.exact_below:
                return estimate
        elif hasattr(whole, "live") and query.where == whole.live().query.where:
            estimate = self._estimate(queryset)
            if estimate >= self.exact_below:
                return max(estimate - whole.retired().count(), 0)
        return super().count

    def _estimate(self, queryset) -> int:
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0
