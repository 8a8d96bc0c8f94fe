"""The trades list's search (`q`: a substring of the UTI, trade id, either LEI or the name, any
case) and sorts on N trades of one tenant (default 1,000,000), with and without a pg_trgm GIN
index on the searched columns.

Loads the trades with one INSERT ... SELECT generate_series in a system scope (no events: the
list reads `trades` only), then times the service call (`list_trades`: the page and its capped
total) in the tenant's RLS scope, median of `--runs`, and prints EXPLAIN ANALYZE of the page
query. With the index it times again, as the tenant and, given `--admin-url` (a superuser:
row-level security does not apply), as a role the policy does not bind, to show what the
index does when the planner may use it. The tenant's plan does not change: ILIKE is not
leakproof, so under row-level security it can only filter rows the policy has passed, never
be an index condition (docs/QUERIES.md#search). The index is dropped at the end.

Run: `.venv/bin/python bench/trades_search.py postgresql://app@.../db [--trades 1000000]
      [--admin-url postgresql://postgres@.../db]` on a database the app role owns (migrated
      here if it is not yet).
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

INDEX = "trades_search_trgm"
# On the one searched text (migration 0012's search_text: the UTI, trade id, LEIs and name).
CREATE_INDEX = f"CREATE INDEX {INDEX} ON trades USING gin (search_text gin_trgm_ops)"
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
    rows = conn.execute(sql, where.params, prepare=False).fetchall()
    return "\n".join("    " + next(iter(r.values())) for r in rows)


def _measure(db: Database, tenant: uuid.UUID, n: int, runs: int, label: str) -> None:
    print(f"\n== {label}")
    for name, term in TERMS:
        q = term(n)
        ms, total = _timed(db, tenant, TradesQuery(q=q), runs)
        print(f"  q={q!r:24} ({name}): {ms:8.1f} ms  total={total}")
    for sort in ("updated_at", "executed_at", "uti", "trade_id", "state"):
        ms, _ = _timed(db, tenant, TradesQuery(sort=sort, order="asc"), runs)
        print(f"  sort={sort} asc, first page + total: {ms:6.1f} ms")
    with db.tenant(tenant) as conn:
        print("  plan of the rare-term page:\n" + _plan(conn, TERMS[0][1](n)))


def _admin_measure(admin_url: str, tenant: uuid.UUID, n: int, runs: int) -> None:
    """The same page query as a superuser (no RLS): what the index gives when usable."""
    from shared.adapters.db.reads import trades as db

    print("\n== with the index, as a superuser (row-level security not applied)")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for i, (name, term) in enumerate(TERMS):
            where = db.trades_where(q=term(n))
            sql = (f"SELECT t.uti FROM trades t WHERE t.tenant_id = %s AND ({where.parts[-1]})"
                   " ORDER BY t.updated_at DESC, t.uti DESC LIMIT 51")
            params = [tenant, *where.params]
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                conn.execute(sql, params, prepare=False).fetchall()
                times.append((time.perf_counter() - start) * 1000)
            print(f"  q={term(n)!r:24} ({name}): {statistics.median(times):8.1f} ms")
            if i == 0:
                plan = conn.execute("EXPLAIN (COSTS OFF) " + sql, params).fetchall()
                print("  plan:\n" + "\n".join("    " + r[0] for r in plan))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the app role's database URL (owner, not a superuser)")
    parser.add_argument("--trades", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--admin-url", help="a superuser's URL of the same database")
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
        conn.execute(f"DROP INDEX IF EXISTS {INDEX}")

    _measure(db, tenant, args.trades, args.runs, "no trigram index, as the tenant (RLS)")
    with psycopg.connect(args.url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # trusted: the owner may
        start = time.perf_counter()
        conn.execute(CREATE_INDEX)
        print(f"\ncreated {INDEX} in {time.perf_counter() - start:.0f} s, "
              + conn.execute(f"SELECT pg_size_pretty(pg_relation_size('{INDEX}'))")
              .fetchone()[0])
        conn.execute("ANALYZE trades")
    try:
        _measure(db, tenant, args.trades, args.runs, "with the trigram index, as the tenant (RLS)")
        if args.admin_url:
            _admin_measure(args.admin_url, tenant, args.trades, args.runs)
    finally:
        with psycopg.connect(args.url, autocommit=True) as conn:
            conn.execute(f"DROP INDEX IF EXISTS {INDEX}")
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
