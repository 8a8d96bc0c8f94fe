-- The trades list's sortable columns (shared/adapters/db/reads/trades.py SORT_KEYS): an index
-- per keyset order, walked forwards for `order=desc` and backwards for `order=asc`. Nullable
-- columns sort through the NOT NULL expression the keyset compares (a NULL in a row
-- comparison would drop rows from the walk). `updated_at` (trades_recent) and `uti` (the
-- primary key) have theirs already; trades_state_recent (state ASC, updated_at DESC) serves a
-- state filter, not a sort by state in one direction (measured: 420 ms on 1M trades, an
-- incremental sort of every row, against one index range with trades_state_sort).
CREATE INDEX IF NOT EXISTS trades_executed_sort
    ON trades (tenant_id, (coalesce(executed_at, 'epoch'::timestamptz)) DESC, uti DESC);
CREATE INDEX IF NOT EXISTS trades_trade_id_sort
    ON trades (tenant_id, (coalesce(trade_id, '')) DESC, uti DESC);
CREATE INDEX IF NOT EXISTS trades_state_sort
    ON trades (tenant_id, state DESC, updated_at DESC, uti DESC);

-- The search of the trades list (`q`): one lower-case text of the searched columns, joined by
-- U+001F (a control character: a query cannot hold one, so a match never spans two fields),
-- scanned with LIKE. No index serves it for a tenant: under row-level security the planner
-- uses only leakproof operators as index conditions, and LIKE, ILIKE and pg_trgm's operators
-- are not (a pg_trgm GIN index was measured unused; docs/QUERIES.md#search). One LIKE on one
-- column scans ~6x faster than ILIKE on five. Adding it rewrites `trades` once.
ALTER TABLE trades ADD COLUMN IF NOT EXISTS search_text text GENERATED ALWAYS AS (
    lower(uti || chr(31) || coalesce(trade_id, '') || chr(31) || coalesce(counterparty_1, '')
          || chr(31) || coalesce(counterparty_2, '') || chr(31)
          || coalesce(counterparty_2_name, ''))) STORED;
