"""Trades list: every filter narrows to exactly the matching trades; keyset pages walk a set
with no duplicates or gaps (ties, inserts during the walk); cursors and injection strings."""

from __future__ import annotations

import pytest

from shared.adapters.db.reads import trades as trades_db
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
    # `q`: a substring, in any case, of the UTI, trade id, either LEI or the name
    ({"q": "b0007"}, ["UTIB0007"]),
    ({"q": "rd-"}, ["UTIB0008", "UTIB0005", "UTIA0002", "UTIA0001"]),
    ({"q": "SECURITIES"}, ["UTIA0004", "UTIA0001"]),
    ({"q": "mma as"}, ["UTIA0003"]),
    ({"q": lei(3)[-6:]}, ["UTIA0003"]),
    ({"q": lei(900)[6:]}, ["UTIB0008", "UTIB0007", "UTIB0006", "UTIB0005", "UTIA0004",
                           "UTIA0003", "UTIA0002", "UTIA0001"]),
    ({"q": "100%"}, ["UTIB0006"]),
    ({"q": "D_6"}, ["UTIB0006"]),
    ({"q": "nowhere"}, []),
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
            # `q` searches inside names and ids: "%" and "_" are found only as themselves
            # (in "Zeta 100%" and "TRD_6"), never as wildcards.
            expected = ["UTIB0006"] if field == "q" and text in ("%", "_") else []
            with db.tenant(book[0]) as conn:
                assert utis(list_trades(conn, TradesQuery(**{field: text}))) == expected, \
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


# -- sorting and totals -----------------------------------------------------------------------

def _sort_key(column: str):
    """What each sort orders by, in Python (None as its NOT NULL stand-in), UTI last."""
    def key(row):
        value = {"executed_at": row["executed_at"] or "1970-01-01T00:00:00+00:00",
                 "trade_id": row["trade_id"] or "", "uti": "",
                 "updated_at": row["updated_at"], "state": row["state"]}[column]
        return (value, row["updated_at"], row["uti"]) if column == "state" \
            else (value, row["uti"])
    return key


@pytest.fixture
def shuffled(db, two_tenants):
    """37 trades with ties and NULLs in every sortable column (and another tenant's)."""
    a, b = two_tenants
    states = ["acked", "nacked", "invalid", "valid"]
    for n in range(37):
        seed.trade(db, a, f"UTI{(n * 17) % 37:04d}", state=states[n % 4],
                   trade_id=None if n % 5 == 0 else f"T-{n % 6}",
                   executed=None if n % 7 == 0 else at(n % 3),
                   updated=at(n % 4))
    seed.trade(db, b, "UTIOTHER", trade_id="T-1")
    return a


@pytest.mark.parametrize("column", ["updated_at", "executed_at", "uti", "trade_id", "state"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_every_sort_walks_all_rows_in_order_without_duplicates_or_gaps(db, shuffled, column,
                                                                         order):
    with db.tenant(shuffled) as conn:
        everything = list_trades(conn, TradesQuery(limit=500))["items"]
    expected = [r["uti"] for r in sorted(everything, key=_sort_key(column),
                                         reverse=order == "desc")]
    assert len(expected) == 37
    assert walk(db, shuffled, TradesQuery(limit=4, sort=column, order=order)) == expected


def test_a_cursor_of_one_order_is_refused_for_another(db, shuffled):
    with db.tenant(shuffled) as conn:
        first = list_trades(conn, TradesQuery(limit=5, sort="uti", order="asc"))
        with pytest.raises(InvalidCursor):
            list_trades(conn, TradesQuery(limit=5, sort="uti", order="desc",
                                          cursor=first["next_cursor"]))
        with pytest.raises(InvalidCursor):
            list_trades(conn, TradesQuery(limit=5, cursor=first["next_cursor"]))


def test_an_unknown_sort_or_order_is_refused_naming_the_parameter():
    with pytest.raises(ValueError, match="sort"):
        TradesQuery(sort="counterparty_2; DROP TABLE trades")
    with pytest.raises(ValueError, match="order"):
        TradesQuery(order="sideways")


def test_the_total_counts_the_whole_selection_on_every_page(db, shuffled):
    with db.tenant(shuffled) as conn:
        first = list_trades(conn, TradesQuery(limit=5))
        acked = list_trades(conn, TradesQuery(limit=2, state="acked"))
        later = list_trades(conn, TradesQuery(limit=2, state="acked",
                                              cursor=acked["next_cursor"]))
        none = list_trades(conn, TradesQuery(q="nowhere"))
    assert (first["total"], first["total_capped"], len(first["items"])) == (37, False, 5)
    assert (acked["total"], later["total"]) == (10, 10)
    assert (none["total"], none["total_capped"], none["items"]) == (0, False, [])


def test_past_the_cap_the_total_says_at_least(db, shuffled, monkeypatch):
    from shared.services.reads import listing

    monkeypatch.setattr(listing, "TOTAL_CAP", 20)
    with db.tenant(shuffled) as conn:
        capped = list_trades(conn, TradesQuery(limit=5))
        exact = list_trades(conn, TradesQuery(limit=5, state="acked"))
    assert (capped["total"], capped["total_capped"]) == (20, True)
    assert (exact["total"], exact["total_capped"]) == (10, False)


# -- the search through its trigram index -------------------------------------------------------

SEARCHES = [("b0007", ["UTIB0007"]), ("rd-", ["UTIB0008", "UTIB0005", "UTIA0002", "UTIA0001"]),
            ("SECURITIES", ["UTIA0004", "UTIA0001"]), ("mma as", ["UTIA0003"]),
            ("100%", ["UTIB0006"]), ("D_6", ["UTIB0006"]), ("nowhere", [])]


@pytest.mark.parametrize("sparse_limit", [trades_db.SPARSE_SEARCH, 0])
def test_a_search_finds_the_same_trades_read_from_the_index_or_walking_the_list(
        db, book, monkeypatch, sparse_limit):
    # 0: every search counts as common, so the list is walked in its order instead
    monkeypatch.setattr(trades_db, "SPARSE_SEARCH", sparse_limit)
    with db.tenant(book[0]) as conn:
        for q, expected in SEARCHES:
            result = list_trades(conn, TradesQuery(q=q))
            assert (utis(result), result["total"]) == (expected, len(expected)), q
            paged = walk(db, book[0], TradesQuery(q=q, limit=1))
            assert paged == expected, q


def test_the_search_follows_a_trades_new_name_and_ids(db, book):
    a, _ = book
    with db.tenant(a) as conn:
        conn.execute("UPDATE trades SET counterparty_2_name = 'Omega Partners', trade_id = 'NEW-7'"
                     " WHERE uti = 'UTIB0007'")
        assert utis(list_trades(conn, TradesQuery(q="omega"))) == ["UTIB0007"]
        assert utis(list_trades(conn, TradesQuery(q="new-7"))) == ["UTIB0007"]
        # its old name no longer finds it; the other Delta Bank trade still is found
        assert utis(list_trades(conn, TradesQuery(q="delta bank"))) == ["UTIA0002"]
        # a state change alone leaves the searched text as it was
        conn.execute("UPDATE trades SET state = 'acked' WHERE uti = 'UTIA0002'")
        assert utis(list_trades(conn, TradesQuery(q="delta bank"))) == ["UTIA0002"]


def test_row_level_security_lets_the_search_use_its_trigram_index(db, book):
    """The point of trade_search (migration 0012): as the tenant, under forced RLS, the LIKE
    is an index condition, which it can never be in a query's own WHERE."""
    with db.tenant(book[0]) as conn:
        conn.execute("SET LOCAL enable_seqscan = off")  # 9 rows: the planner would scan them
        conn.execute("SELECT set_config('app.search', '%%securities%%', true)")
        plan = "\n".join(r["QUERY PLAN"] for r in conn.execute(
            "EXPLAIN SELECT s.uti FROM trade_search s").fetchall())
        assert "trade_search_trgm" in plan and "Index Cond" in plan, plan
        assert {r["uti"] for r in conn.execute("SELECT uti FROM trade_search")} == {
            "UTIA0001", "UTIA0004"}
        conn.execute("SELECT set_config('app.search', '', true)")
        # no pattern: every row of the tenant, none of the other's
        assert len(conn.execute("SELECT uti FROM trade_search").fetchall()) == 8
