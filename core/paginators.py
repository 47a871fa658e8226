import math

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """A paginator for big tables: estimated or capped counts, bounded depth.

    COUNT(*) over a million clients costs more than the page itself. When
    the list is unfiltered and the planner's estimate (pg_class.reltuples,
    kept current by autovacuum/ANALYZE) is large, the estimate is good
    enough to page with.

    A model whose queryset has `live()` and `retired()` (clients) shows the
    live rows by default: that list is the estimate minus an exact count of
    the few retired rows, which a partial index serves.

    Any other list (scoped to a boutique, filtered) is counted up to
    `reachable_rows` + 1 rows only (decision 0041): past that the page says
    "more than 10,000" (`more_than`) instead of an exact COUNT(*) over a
    boutique's hundreds of thousands of clients.

    And no page starts past `reachable_rows`: OFFSET reads and throws away
    every row before the page, so page 20,000 of a million rows costs 40
    times page 1. `num_pages` stops at the last page within the bound
    (`truncated` says so); a filter, a search or the other sort direction
    reaches the rest.
    """

    # Below this, an exact count is cheap and an estimate may be stale.
    exact_below = 10_000
    # The deepest row a page may reach, and the most rows counted exactly.
    reachable_rows = 10_000
    # From this row on, a page reads its ids before its rows (page()).
    deferred_from = 1_000

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
        return self._capped_count(queryset)

    def _capped_count(self, queryset) -> int:
        """COUNT over at most reachable_rows + 1 rows (a LIMIT in a
        subquery): exact up to the bound, "more than" past it."""
        if queryset.query.is_sliced:
            return super().count
        return queryset.order_by()[: self.reachable_rows + 1].count()

    @property
    def more_than(self) -> int | None:
        """The bound when the count stopped at it (the page then says "more
        than" it), else None."""
        if self.count > self.reachable_rows and not self._estimated:
            return self.reachable_rows
        return None

    @cached_property
    def _estimated(self) -> bool:
        # The count came from the planner's estimate when it is past what a
        # capped count can return.
        return self.count > self.reachable_rows + 1

    def page(self, number):
        """Past `deferred_from` rows, the page's ids first (an index-only
        scan of the order's index skips the OFFSET's entries without
        reading their rows: decision 0041), then its rows by id."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        queryset = self.object_list
        if (
            bottom < self.deferred_from
            or getattr(queryset, "query", None) is None
            or queryset.query.is_sliced
        ):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        return self._get_page(queryset.filter(pk__in=ids), number, self)

    @cached_property
    def num_pages(self) -> int:
        pages = super().num_pages
        return min(pages, max(1, math.ceil(self.reachable_rows / self.per_page)))

    @property
    def truncated(self) -> bool:
        """Rows exist past the last reachable page."""
        return math.ceil(self.count / self.per_page) > self.num_pages

    def _estimate(self, queryset) -> int:
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0
