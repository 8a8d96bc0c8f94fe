import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from shared.services.reads.diffs import payload_diff
from shared.services.reads.values import jsonable, like_escape, prefix_bounds
from shared.services.reads.volumes import acceptance_rate, fold


def test_jsonable_gives_plain_values():
    row = {"at": datetime(2026, 11, 20, tzinfo=UTC), "d": date(2026, 1, 2), "id": uuid.UUID(int=1),
           "n": Decimal("12"), "rate": Decimal("0.25"), "xs": [Decimal("1")], "s": "x"}
    assert jsonable(row) == {"at": "2026-11-20T00:00:00+00:00", "d": "2026-01-02",
                             "id": "00000000-0000-0000-0000-000000000001", "n": 12,
                             "rate": 0.25, "xs": [1], "s": "x"}


def test_prefix_bounds_cover_exactly_the_extensions():
    lo, hi = prefix_bounds("ABC")
    assert (lo, hi) == ("ABC", "ABD")
    for text in ("ABC", "ABC0", "ABCzzzz", "ABC\U0010ffff"):
        assert lo.encode() <= text.encode() < hi.encode()
    for text in ("ABB", "ABD", "AB"):
        assert not (lo.encode() <= text.encode() < hi.encode())
    assert prefix_bounds("a\ud7ff")[1] == "a\ue000"  # surrogates skipped
    assert prefix_bounds("a\U0010ffff") == ("a\U0010ffff", None)


def test_like_escape_makes_wildcards_literal():
    assert like_escape("100%_a\\b") == "100\\%\\_a\\\\b"


def test_payload_diff_walks_objects_and_compares_lists_whole():
    before = {"a": 1, "n": {"x": 1, "y": {"z": 2}}, "l": [1, 2], "gone": True}
    after = {"a": 1, "n": {"x": 2, "y": {"z": 2}}, "l": [2, 1], "new": "v"}
    assert payload_diff(before, after) == [
        {"field": "gone", "before": True, "after": None, "removed": True},
        {"field": "l", "before": [1, 2], "after": [2, 1]},
        {"field": "n.x", "before": 1, "after": 2},
        {"field": "new", "before": None, "after": "v", "added": True},
    ]
    assert payload_diff(after, after) == []
    assert payload_diff(None, {"a": 1}) == [{"field": "a", "before": None, "after": 1,
                                             "added": True}]
    assert payload_diff({}, {}) == []


def test_payload_diff_names_each_leg_field_as_repairs_do():
    before = {"legs": [{"fixed_rate": 0.0325, "notional": {"amount": 1, "currency": "KRW"}},
                       {"floating_index": "CD91"}]}
    after = {"legs": [{"fixed_rate": 0.033, "notional": {"amount": 1, "currency": "KRW"}},
                      {"floating_index": "CD91", "spread": 0.001}]}
    assert payload_diff(before, after) == [
        {"field": "legs[0].fixed_rate", "before": 0.0325, "after": 0.033},
        {"field": "legs[1].spread", "before": None, "after": 0.001, "added": True},
    ]


def test_fold_builds_ordered_buckets_with_rates():
    start = datetime(2026, 11, 20)
    later = datetime(2026, 11, 21)
    rows = [
        {"bucket": later, "dim": "state", "key": "acked", "n": 3},
        {"bucket": start, "dim": "state", "key": "acked", "n": 1},
        {"bucket": start, "dim": "state", "key": "nacked", "n": Decimal(1)},
        {"bucket": start, "dim": "state", "key": "superseded", "n": 4},
        {"bucket": start, "dim": "asset_class", "key": "INTR", "n": 2},
        {"bucket": start, "dim": "regime", "key": "krx", "n": 2},
        {"bucket": start, "dim": "regime", "key": "emir", "n": 1},
        {"bucket": later, "dim": "state", "key": "nacked", "n": 0},
    ]
    result = fold(rows, "Asia/Seoul")
    first, second = result["buckets"]
    assert first["start"] == "2026-11-20T00:00:00+09:00"
    assert (first["total"], first["acked"], first["nacked"], first["acceptance_rate"]) == (
        2, 1, 1, 0.5)
    assert first["by_regime"] == {"emir": 1, "krx": 2} and first["by_action_type"] == {}
    assert second["total"] == 3 and second["acceptance_rate"] == 1.0
    assert result["totals"]["total"] == 5 and result["totals"]["acceptance_rate"] == 0.8
    assert acceptance_rate(0, 0) is None


def test_where_keeps_values_out_of_the_sql_text():
    from shared.services.reads.sql import Where

    w = Where("t.tenant_id = app.current_tenant()")
    w.any("t.state", ["acked"]).any("t.regime", ["krx", "emir"]).any("t.x", [])
    w.maybe(None, "t.never = %s").prefix("t.uti", "A'B%")
    assert w.sql == ("(t.tenant_id = app.current_tenant()) AND (t.state = %s)"
                     " AND (t.regime = ANY(%s)) AND ((t.uti ~>=~ %s AND t.uti ~<~ %s"
                     " AND t.uti LIKE %s ESCAPE '\\'))")
    assert w.params == ["acked", ["krx", "emir"], "A'B%", "A'B&", "A'B\\%%"]
    assert "A'B" not in w.sql
