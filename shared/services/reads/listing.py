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


def fetch_page(query: Query, sort: Sort, keys: Sequence[str], fetch: Fetch) -> dict[str, Any]:
    """`keys` name the sort keys in the rows `fetch` returns; InvalidCursor for a cursor we
    did not make for this sort and these filters."""
    after = decode_cursor(query.cursor, sort, query.filters()) if query.cursor else None
    rows = fetch(after, query.limit + 1)
    return page(rows, query.limit, sort, query.filters(), keys)
