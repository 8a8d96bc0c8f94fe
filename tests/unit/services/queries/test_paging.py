import base64
import json
import uuid
from datetime import UTC, datetime

import pytest

from shared.services.reads.paging import (
    InvalidCursor,
    Sort,
    SortKey,
    decode_cursor,
    encode_cursor,
    page,
)

SORT = Sort("updated", (SortKey("t.updated_at", datetime), SortKey("t.id", uuid.UUID)))
FILTERS = {"state": ["acked"]}
WHEN = datetime(2026, 11, 20, 1, 2, 3, 456789, tzinfo=UTC)
ID = uuid.UUID("12345678-1234-5678-1234-567812345678")


def raw_cursor(body) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


def test_a_cursor_round_trips_its_typed_key_values():
    cursor = encode_cursor(SORT, [WHEN, ID], FILTERS)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode_cursor(cursor, SORT, FILTERS) == [WHEN, ID]


def test_the_keyset_condition_is_one_row_comparison_in_the_sort_direction():
    assert SORT.after([WHEN, ID]) == ("(t.updated_at, t.id) < (%s, %s)", [WHEN, ID])
    assert SORT.order_by == "t.updated_at DESC, t.id DESC"
    up = Sort("n", (SortKey("x.n", int),), ascending=True)
    assert up.after([3]) == ("(x.n) > (%s)", [3]) and up.order_by == "x.n ASC"


@pytest.mark.parametrize("cursor", [
    "", "nope", "!!!!", "%%%", "a" * 1001, raw_cursor([1, 2]), raw_cursor(None),
    raw_cursor({"s": "updated"}), base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    raw_cursor({"s": "updated", "k": [WHEN.isoformat()], "f": "x"}),
])
def test_garbage_is_refused_as_a_value_error(cursor):
    with pytest.raises(InvalidCursor) as caught:
        decode_cursor(cursor, SORT, FILTERS)
    assert isinstance(caught.value, ValueError) and str(caught.value).startswith("cursor:")


def test_a_tampered_or_misplaced_cursor_is_refused_with_the_reason():
    good = json.loads(base64.urlsafe_b64decode(encode_cursor(SORT, [WHEN, ID], FILTERS) + "=="))
    with pytest.raises(InvalidCursor, match="another sort"):
        decode_cursor(raw_cursor({**good, "s": "created"}), SORT, FILTERS)
    with pytest.raises(InvalidCursor, match="other filters"):
        decode_cursor(encode_cursor(SORT, [WHEN, ID], FILTERS), SORT, {"state": ["nacked"]})
    for keys in ([WHEN.isoformat()], [WHEN.isoformat(), "not-a-uuid"], [12, str(ID)],
                 ["2026-11-20T01:02:03", str(ID)], [WHEN.isoformat(), 5]):
        with pytest.raises(InvalidCursor, match="damaged"):
            decode_cursor(raw_cursor({**good, "k": keys}), SORT, FILTERS)


def test_int_keys_refuse_booleans_and_text():
    sort = Sort("id", (SortKey("x.id", int),))
    assert decode_cursor(encode_cursor(sort, [7], {}), sort, {}) == [7]
    for bad in (True, "7", 7.5):
        with pytest.raises(InvalidCursor):
            decode_cursor(raw_cursor({"s": "id", "k": [bad], "f": "44136fa355b3678a"}), sort, {})


def test_a_page_has_a_cursor_only_when_more_rows_follow():
    rows = [{"updated_at": WHEN, "id": uuid.UUID(int=n), "x": n} for n in range(4)]
    full = page(rows, 3, SORT, FILTERS, ("updated_at", "id"))
    assert [r["x"] for r in full["items"]] == [0, 1, 2]
    assert full["items"][0]["updated_at"] == WHEN.isoformat()
    assert decode_cursor(full["next_cursor"], SORT, FILTERS) == [WHEN, uuid.UUID(int=2)]
    assert page(rows[:3], 3, SORT, FILTERS, ("updated_at", "id"))["next_cursor"] is None
    assert page([], 3, SORT, FILTERS, ("updated_at", "id")) == {"items": [],
                                                                 "next_cursor": None}
