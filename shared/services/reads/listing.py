"""The one shape of every list: decode the cursor into a keyset position, fetch a page + 1
rows after it (the SQL is the adapter's: `shared.adapters.db.reads`), hand out the page and
the next cursor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from shared.services.reads.filters import Query
from shared.services.reads.paging import Sort, decode_cursor, page

# (keyset position to resume after or None, how many rows) -> rows in the sort's order
Fetch = Callable[[list[Any] | None, int], list[dict[str, Any]]]
# cap -> how many rows the list's filter selects, counted up to cap + 1
Count = Callable[[int], int]

# Totals are exact up to here, then "10,000+": a count never walks more than this many rows.
TOTAL_CAP = 10_000


def fetch_page(query: Query, sort: Sort, keys: Sequence[str], fetch: Fetch) -> dict[str, Any]:
    """`keys` name the sort keys in the rows `fetch` returns; InvalidCursor for a cursor we
    did not make for this sort and these filters."""
    after = decode_cursor(query.cursor, sort, query.filters()) if query.cursor else None
    rows = fetch(after, query.limit + 1)
    return page(rows, query.limit, sort, query.filters(), keys)


def fetch_counted_page(query: Query, sort: Sort, keys: Sequence[str], fetch: Fetch,
                       count: Count) -> dict[str, Any]:
    """`fetch_page` with the selection's `total` (exact up to TOTAL_CAP) and `total_capped`
    (the total is at least that). The first page that is the whole selection is its own
    count: no second query."""
    result = fetch_page(query, sort, keys, fetch)
    if query.cursor is None and result["next_cursor"] is None:
        counted = len(result["items"])
    else:
        counted = count(TOTAL_CAP)
    result["total"] = min(counted, TOTAL_CAP)
    result["total_capped"] = counted > TOTAL_CAP
    return result
