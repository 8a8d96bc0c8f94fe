"""Trades list: every filter narrows to exactly the matching trades; keyset pages walk a set
with no duplicates or gaps (ties, inserts during the walk); cursors and injection strings."""

from __future__ import annotations

import pytest

from shared.services.reads.filters import TradesQuery
from shared.services.reads.paging import InvalidCursor
from shared.services.reads.trades import list_trades
from tests.functional.services.queries import seed
from tests.functional.services.queries.seed import at, lei

pytestmark = pytest.mark.functional

INJECTIONS = ["' OR 1=1 --", "x'; DROP TABLE trades; --", "%", "_", "\\", "a%' OR 'a'='a",
              "') UNION SELECT * FROM tenants --", "*", "uti\\%"]


def utis(result) -> list[str]:
    return [t["uti"] for t in result["items"]]


@pytest.fixture
def book(db, two_tenants):
    """Eight trades of tenant A with distinct attributes, one of tenant B."""
    a, b = two_tenants
    rows = [
        # uti, state, asset, regimes, action, cp2, name, executed h, updated h, trade id
        ("UTIA0001", "acked", "INTR", ["krx"], "NEWT", lei(1), "Gamma Securities", 0, 10,
         "TRD-1"),
        ("UTIA0002", "nacked", "CURR", ["krx", "emir"], "MODI", lei(2), "Delta Bank", 24, 11,
         "TRD-2"),
        ("UTIA0003", "invalid", "INTR", ["emir"], "TERM", lei(3), "gamma asset", 48, 12,
         "X-3"),
        ("UTIA0004", "acked", "CRDT", ["cftc-part45"], "VALU", lei(1), "Gamma Securities", 72,
         13, "X-4"),
        ("UTIB0005", "received", "EQUI", ["krx"], "NEWT", lei(4), "Epsilon", 96, 14, "TRD-5"),
        ("UTIB0006", "acked", "COMM", ["krx"], "CORR", lei(5), "Zeta 100%", 120, 15, "TRD_6"),
        ("UTIB0007", "valid", "INTR", ["krx"], "MODI", lei(2), "Delta Bank", 144, 16, None),
        ("UTIB0008", "acked", "INTR", ["krx"], "NEWT", lei(6), None, 168, 17, "TRD-8"),
    ]
    for uti, state, asset, regimes, action, cp2, name, ex, up, tid in rows:
        seed.trade(db, a, uti, state=state, asset_class=asset, regimes=regimes, action=action,
                   cp1=lei(900), cp2=cp2, cp2_name=name, executed=at(ex), updated=at(up),
                   trade_id=tid)
    seed.trade(db, b, "UTIA0009", state="acked", cp1=lei(901), cp2=lei(1),
               cp2_name="Gamma Securities", trade_id="TRD-1")
    return a, b


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["UTIB0008", "UTIB0007", "UTIB0006", "UTIB0005", "UTIA0004", "UTIA0003", "UTIA0002",
          "UTIA0001"]),
    ({"state": "acked"}, ["UTIB0008", "UTIB0006", "UTIA0004", "UTIA0001"]),
    ({"state": "nacked,invalid"}, ["UTIA0003", "UTIA0002"]),
    ({"regime": "emir"}, ["UTIA0003", "UTIA0002"]),
    ({"regime": ["cftc-part45", "emir"]}, ["UTIA0004", "UTIA0003", "UTIA0002"]),
    ({"asset_class": "INTR"}, ["UTIB0008", "UTIB0007", "UTIA0003", "UTIA0001"]),
    ({"action_type": "MODI"}, ["UTIB0007", "UTIA0002"]),
    ({"counterparty": lei(1)}, ["UTIA0004", "UTIA0001"]),
    ({"counterparty": lei(900)[:10]}, ["UTIB0008", "UTIB0007", "UTIB0006", "UTIB0005",
                                       "UTIA0004", "UTIA0003", "UTIA0002", "UTIA0001"]),
    ({"counterparty": "GAMMA"}, ["UTIA0004", "UTIA0003", "UTIA0001"]),
    ({"counterparty": "gamma sec"}, ["UTIA0004", "UTIA0001"]),
    ({"counterparty": "Zeta 100%"}, ["UTIB0006"]),
    ({"counterparty": "Zeta 1000"}, []),
    ({"uti": "UTIA"}, ["UTIA0004", "UTIA0003", "UTIA0002", "UTIA0001"]),
    ({"uti": "UTIB0007"}, ["UTIB0007"]),
    ({"uti": "utia"}, []),  # UTIs are upper case: a prefix is exact
    ({"trade_id": "TRD-"}, ["UTIB0008", "UTIB0005", "UTIA0002", "UTIA0001"]),
    ({"trade_id": "TRD_"}, ["UTIB0006"]),  # _ is a character, not a wildcard
    ({"q": "X-"}, ["UTIA0004", "UTIA0003"]),
    ({"q": "UTIB000"}, ["UTIB0008", "UTIB0007", "UTIB0006", "UTIB0005"]),
    ({"executed_from": seed.at(48).isoformat(), "executed_to": seed.at(120).isoformat()},
     ["UTIB0005", "UTIA0004", "UTIA0003"]),
    ({"updated_from": seed.at(16)}, ["UTIB0008", "UTIB0007"]),
    ({"updated_to": seed.at(11)}, ["UTIA0001"]),
    ({"state": "acked", "asset_class": "INTR", "regime": "krx"}, ["UTIB0008", "UTIA0001"]),
])
def test_each_filter_narrows_to_exactly_the_matching_trades(db, book, params, expected):
    with db.tenant(book[0]) as conn:
        assert utis(list_trades(conn, TradesQuery(**params))) == expected


def test_rows_are_plain_json_values(db, book):
    with db.tenant(book[0]) as conn:
        [row] = list_trades(conn, TradesQuery(uti="UTIA0002"))["items"]
    assert row["updated_at"] == seed.at(11).isoformat()
    assert row["regimes"] == ["krx", "emir"] and row["counterparty_2_name"] == "Delta Bank"


def walk(db, tenant, query: TradesQuery, between_pages=None) -> list[str]:
    seen, cursor, pages = [], None, 0
    while True:
        with db.tenant(tenant) as conn:
            result = list_trades(conn, query.model_copy(update={"cursor": cursor}))
        assert len(result["items"]) <= query.limit
        seen += utis(result)
        cursor, pages = result["next_cursor"], pages + 1
        if cursor is None:
            return seen
        if between_pages:
            between_pages(pages)


def test_pages_walk_ties_without_duplicates_or_gaps(db, two_tenants):
    a, _ = two_tenants
    for n in range(23):  # all changed at the same instant: only the UTI orders them
        seed.trade(db, a, f"UTI{n:04d}", updated=at(1))
    for n in range(23, 30):
        seed.trade(db, a, f"UTI{n:04d}", updated=at(2 if n % 2 else 0))
    seen = walk(db, a, TradesQuery(limit=4))
    assert len(seen) == len(set(seen)) == 30
    expected = ([f"UTI{n:04d}" for n in (29, 27, 25, 23)]
                + [f"UTI{n:04d}" for n in range(22, -1, -1)]
                + [f"UTI{n:04d}" for n in (28, 26, 24)])
    assert seen == expected


def test_inserts_during_a_walk_neither_repeat_nor_hide_rows(db, two_tenants):
    a, _ = two_tenants
    for n in range(40):
        seed.trade(db, a, f"UTI{n:04d}", updated=at(n // 3))  # ties in threes
    original = {f"UTI{n:04d}" for n in range(40)}

    def insert(page: int) -> None:  # newer, tied and older rows arrive mid-walk
        seed.trade(db, a, f"NEW{page:03d}A", updated=at(100))
        seed.trade(db, a, f"UTI{page:04d}X", updated=at(6))
        seed.trade(db, a, f"OLD{page:03d}", updated=at(-5))

    seen = walk(db, a, TradesQuery(limit=6), between_pages=insert)
    assert len(seen) == len(set(seen))
    assert original <= set(seen)
    assert not any(u.startswith("NEW") for u in seen)  # ahead of the cursor: next walk


def test_a_bad_cursor_is_refused(db, book):
    with db.tenant(book[0]) as conn:
        first = list_trades(conn, TradesQuery(limit=2))
        assert first["next_cursor"]
        for garbage in ["nope", "!!!!", "eyJ4IjoxfQ", first["next_cursor"][:-3] + "abc",
                        "W10", "bnVsbA"]:
            with pytest.raises(InvalidCursor):
                list_trades(conn, TradesQuery(limit=2, cursor=garbage))
        with pytest.raises(InvalidCursor, match="other filters"):
            list_trades(conn, TradesQuery(limit=2, cursor=first["next_cursor"], state="acked"))
        # the same filters and another limit are fine
        second = list_trades(conn, TradesQuery(limit=3, cursor=first["next_cursor"]))
        assert utis(second) == ["UTIB0006", "UTIB0005", "UTIA0004"]


def test_injection_strings_are_just_values(db, book):
    for field in ("uti", "trade_id", "q", "counterparty"):
        for text in INJECTIONS:
            with db.tenant(book[0]) as conn:
                assert list_trades(conn, TradesQuery(**{field: text}))["items"] == [], \
                    (field, text)
    with db.tenant(book[0]) as conn:
        assert conn.execute("SELECT count(*) AS n FROM trades").fetchone()["n"] == 8


def test_another_tenant_sees_none_of_them_through_any_filter(db, book):
    a, b = book
    with db.tenant(b) as conn:
        assert utis(list_trades(conn, TradesQuery())) == ["UTIA0009"]
        for params in [{"uti": "UTIA"}, {"q": "TRD-1"}, {"counterparty": "gamma"},
                       {"counterparty": lei(1)}, {"state": "acked"}]:
            assert utis(list_trades(conn, TradesQuery(**params))) == ["UTIA0009"]
        for params in [{"uti": "UTIB"}, {"state": "nacked"}, {"regime": "emir"}]:
            assert list_trades(conn, TradesQuery(**params))["items"] == []
    with db.tenant(a) as conn:
        assert "UTIA0009" not in utis(list_trades(conn, TradesQuery(limit=500)))
