-- trades_state (tenant_id, state, updated_at DESC) is a prefix of trades_state_recent
-- (tenant_id, state, updated_at DESC, uti DESC): every query it serves, the longer one serves
-- in the same order. Each refresh of a trade's state writes an entry in every index of
-- `trades` (about four refreshes per event, the cost model): one index fewer to write.
DROP INDEX IF EXISTS trades_state;
