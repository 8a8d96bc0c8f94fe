"""An export walks every page of its list, each page's query rebuilt through the filter model."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.services.reads.exports import _pages
from shared.services.reads.filters import TradesQuery
from shared.services.reads.paging import MAX_LIMIT


def test_an_export_follows_every_cursor_and_keeps_the_filters():
    asked: list[TradesQuery] = []
    pages = {None: (["a", "b"], "c1"), "c1": (["c"], "c2"), "c2": (["d"], None)}

    def list_page(query: TradesQuery) -> dict:
        asked.append(query)
        items, nxt = pages[query.cursor]
        return {"items": items, "next_cursor": nxt}

    start = TradesQuery(state=["nacked"], executed_from=datetime(2026, 1, 1, tzinfo=UTC),
                        limit=7, cursor="stale")
    assert list(_pages(list_page, start)) == ["a", "b", "c", "d"]
    assert [q.cursor for q in asked] == [None, "c1", "c2"]
    assert {q.limit for q in asked} == {MAX_LIMIT}
    assert all(q.filters() == start.filters() for q in asked)


def test_a_cursor_the_model_would_refuse_stops_the_export():
    def list_page(query: TradesQuery) -> dict:
        return {"items": [1], "next_cursor": "x" * 1001}

    walk = _pages(list_page, TradesQuery())
    assert next(walk) == 1
    with pytest.raises(ValidationError):
        next(walk)
