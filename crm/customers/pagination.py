"""Paging through a million customers without counting or reading them all on every page.

``LargeListPaginator`` differs from Django's paginator in two ways:

- **Count.** On PostgreSQL it asks the planner first (``EXPLAIN``, from the table
  statistics). When the estimate is far above ``exact_limit`` it takes it and sets
  ``estimated``, so the page says "of about N": an exact ``COUNT(*)`` over a million rows costs
  more than the rest of the page together. Otherwise it counts exactly up to ``exact_limit``
  matching rows (a count over a capped subquery, which stops early), within
  ``count_budget_ms``: a filter no index serves (a search for one or two characters, which the
  trigram index cannot look up) would otherwise read the whole table just to count; over the
  budget, or above the limit, the estimate stands. Other databases count exactly.
- **Keys first.** A page first reads only its rows' primary keys (``ORDER BY … OFFSET …
  LIMIT``), then loads just those rows with their joins. For the default order a covering index
  lets PostgreSQL walk the index alone, so a deep page does not fetch the rows before it; for a
  column without an index (satisfaction, a region's order) the database sorts narrow rows
  instead of whole joined customers.
"""

import json

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import OperationalError, connections, transaction
from django.utils.functional import cached_property

QUERY_CANCELED = "57014"  # PostgreSQL's error code for a statement cancelled by its timeout


class LargeListPaginator(Paginator):
    exact_limit = 1_000
    trust_estimate_above = 20_000
    count_budget_ms = 10

    _estimated = False

    @property
    def estimated(self):
        """Whether ``count`` is the planner's estimate rather than an exact count."""
        self.count  # noqa: B018 - counting decides it
        return self._estimated

    @cached_property
    def count(self):
        queryset = self.object_list.order_by()
        if connections[queryset.db].vendor != "postgresql":
            return queryset.count()
        estimate = self._planner_estimate(queryset)
        # Far above the limit the estimate is all a page needs; near it (and for text searches,
        # which the planner estimates poorly) count for real.
        capped = None if estimate > self.trust_estimate_above else self._capped_count(queryset)
        if capped is not None and capped <= self.exact_limit:
            return capped
        self._estimated = True
        return max(estimate, capped or 0)

    def _capped_count(self, queryset):
        """Matching rows up to exact_limit + 1, or None when counting them takes too long."""
        connection = connections[queryset.db]
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)",
                [str(self.count_budget_ms)],
            )
            previous, _now = cursor.fetchone()
            try:
                with transaction.atomic(using=queryset.db):
                    return queryset[: self.exact_limit + 1].count()
            except OperationalError as error:
                if getattr(error.__cause__, "sqlstate", None) != QUERY_CANCELED:
                    raise
                return None
            finally:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])

    @staticmethod
    def _planner_estimate(queryset):
        try:
            sql, params = queryset.values("pk").query.sql_with_params()
        except EmptyResultSet:  # ``none()``: the list of a refused filter
            return 0
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)
