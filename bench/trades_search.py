"""The trades list's search (`q`: a substring of the UTI, trade id, either LEI or the name, any
case) and sorts on N trades of one tenant (default 1,000,000), as the tenant, under its
row-level security.

Loads the trades with one INSERT ... SELECT generate_series in a system scope (the statement
triggers fill `trade_search`), then times the service call (`list_trades`: the page and its
capped total), median of `--runs`, for a rare, a medium, a common and a missing term, and
prints the plan of the rare term's page. The search reads `trade_search` through its pg_trgm
GIN index, which the planner may use under RLS because the LIKE is the table's policy
(migration 0012, docs/QUERIES.md#search). For comparison in the same run it times the terms
again with that index dropped (what a search costs when nothing but a scan can serve it),
then builds the index again.

Run: `.venv/bin/python bench/trades_search.py postgresql://app@.../db [--trades 1000000]`
      on a database the app role owns (migrated here if it is not yet).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from shared.adapters.db import Database, migrations
from shared.services.reads.filters import TradesQuery
from shared.services.reads.trades import list_trades

INDEX = "trade_search_trgm"  # migration 0012
NAMES = ("한국데모증권", "Alpha Capital", "Beta Bank", "Gamma Securities", "Delta Asset",
         "Epsilon Trust", "Zeta Investment", "Eta Partners", "Theta Holdings", "Iota Futures")

# tenant, n -> one trade a row; LEIs from a pool of 997 (a prime: names and LEIs mix), the
# UTI the reporting LEI + a hex serial, as KRX UTIs look.
_LOAD = """
INSERT INTO trades (tenant_id, uti, trade_id, asset_class, counterparty_1, counterparty_2,
                    counterparty_2_name, state, last_action_type, regimes, executed_at,
                    updated_at)
SELECT %(tenant)s, '5299009NDEMOBANK0042' || upper(md5(i::text)), 'TRD-' || i, 'INTR',
       '5299009NDEMOBANK0042',
       '5493' || lpad((i %% 997)::text, 14, '0') || '00',
       (%(names)s::text[])[1 + i %% 10] || ' ' || (i %% 997),
       (ARRAY['acked','acked','acked','nacked','invalid'])[1 + i %% 5], 'NEWT', '{krx}',
       now() - make_interval(mins => i), now() - make_interval(secs => i)
FROM generate_series(1, %(n)s) AS i
"""

# Search terms and what they find: one trade, ~0.1 %, ~10 % and nothing at all.
TERMS = (("one UTI's middle", lambda n: _uti_middle(n // 2)),
         ("a counterparty name", lambda n: "gamma securities 17"),
         ("a name word", lambda n: "BANK "),
         ("no match", lambda n: "zz-nowhere"))


def _uti_middle(i: int) -> str:
    import hashlib

    return hashlib.md5(str(i).encode()).hexdigest().upper()[8:20]


def _timed(db: Database, tenant: uuid.UUID, query: TradesQuery, runs: int) -> tuple[float, int]:
    times, total = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        with db.tenant(tenant) as conn:
            result = list_trades(conn, query)
        times.append((time.perf_counter() - start) * 1000)
        total = result["total"]
    return statistics.median(times), total


def _plan(conn: psycopg.Connection[Any], q: str) -> str:
    from shared.adapters.db.reads import trades as db

    where = db.trades_where(q=q)
    sort, _ = db.sort_for("updated_at", "desc")
    sql = (f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT t.uti FROM trades t "
           f"WHERE {where.sql} ORDER BY {sort.order_by} LIMIT 51")
    conn.execute("SELECT set_config('app.search', lower(%s), true)", (where.search,))
    rows = conn.execute(sql, where.params, prepare=False).fetchall()
    return "\n".join("    " + next(iter(r.values())) for r in rows)


def _measure(db: Database, tenant: uuid.UUID, n: int, runs: int, label: str, *,
             sorts: bool = True) -> dict[str, float]:
    print(f"\n== {label}")
    figures = {}
    for name, term in TERMS:
        q = term(n)
        ms, total = _timed(db, tenant, TradesQuery(q=q), runs)
        figures[name] = ms
        print(f"  q={q!r:24} ({name}): {ms:8.1f} ms  total={total}")
    if sorts:
        for sort in ("updated_at", "executed_at", "uti", "trade_id", "state"):
            ms, _ = _timed(db, tenant, TradesQuery(sort=sort, order="asc"), runs)
            print(f"  sort={sort} asc, first page + total: {ms:6.1f} ms")
    with db.tenant(tenant) as conn:
        print("  plan of the rare-term page:\n" + _plan(conn, TERMS[0][1](n)))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the app role's database URL (owner, not a superuser)")
    parser.add_argument("--trades", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    migrations.migrate(args.url)
    db = Database(args.url, max_size=2)
    with db.system() as conn:
        row = conn.execute("SELECT id FROM tenants WHERE slug = 'bench-search'").fetchone()
        if row:
            tenant = row["id"]
        else:
            tenant = conn.execute("INSERT INTO tenants (slug, name) VALUES ('bench-search',"
                                  " 'Bench Search') RETURNING id").fetchone()["id"]
        have = conn.execute("SELECT count(*) AS n FROM trades WHERE tenant_id = %s",
                            (tenant,)).fetchone()["n"]
    if have != args.trades:
        start = time.perf_counter()
        with db.system() as conn:
            conn.execute("DELETE FROM trades WHERE tenant_id = %s", (tenant,))
            conn.execute(_LOAD, {"tenant": tenant, "n": args.trades, "names": list(NAMES)})
        print(f"loaded {args.trades:,} trades in {time.perf_counter() - start:.0f} s")
    with psycopg.connect(args.url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE trades")
        conn.execute("VACUUM ANALYZE trade_search")
    try:
        shipped = _measure(db, tenant, args.trades, args.runs,
                           f"as shipped: {INDEX} under the tenant's RLS")
        with psycopg.connect(args.url, autocommit=True) as conn:
            definition = conn.execute("SELECT pg_get_indexdef(%s::regclass)",
                                      (INDEX,)).fetchone()[0]
            size = conn.execute(f"SELECT pg_size_pretty(pg_relation_size('{INDEX}'))"
                                ).fetchone()[0]
            conn.execute(f"DROP INDEX {INDEX}")
        try:
            floor = _measure(db, tenant, args.trades, args.runs,
                             "for comparison: the same without the index (a scan)",
                             sorts=False)
        finally:
            with psycopg.connect(args.url, autocommit=True) as conn:
                start = time.perf_counter()
                conn.execute(definition)
                print(f"\nrebuilt {INDEX} ({size}) in {time.perf_counter() - start:.0f} s")
        print("\n== with the index / without")
        for name, _ in TERMS:
            print(f"  {name:20} {shipped[name]:8.1f} ms / {floor[name]:8.1f} ms")
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
