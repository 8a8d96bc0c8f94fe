-- The trades list's sortable columns (shared/adapters/db/reads/trades.py SORT_KEYS): an index
-- per keyset order, walked forwards for `order=desc` and backwards for `order=asc`. Nullable
-- columns sort through the NOT NULL expression the keyset compares (a NULL in a row
-- comparison would drop rows from the walk). `updated_at` (trades_recent), `state`
-- (trades_state_recent) and `uti` (the primary key) have theirs already.
CREATE INDEX IF NOT EXISTS trades_executed_sort
    ON trades (tenant_id, (coalesce(executed_at, 'epoch'::timestamptz)) DESC, uti DESC);
CREATE INDEX IF NOT EXISTS trades_trade_id_sort
    ON trades (tenant_id, (coalesce(trade_id, '')) DESC, uti DESC);
