-- Throughput (#15): a trade's counterparty name is looked up when its latest event changes,
-- not on every write of the row. The trigger fired on every UPDATE naming last_event_id in
-- its SET list (every stage's state refresh names it), and each firing read the event's
-- payload (a TOASTed jsonb, decompressed whole) for one name.
DROP TRIGGER IF EXISTS trades_counterparty_name ON trades;
CREATE TRIGGER trades_counterparty_name BEFORE INSERT ON trades
    FOR EACH ROW EXECUTE FUNCTION app.trades_counterparty_name();
DROP TRIGGER IF EXISTS trades_counterparty_name_changed ON trades;
CREATE TRIGGER trades_counterparty_name_changed BEFORE UPDATE OF last_event_id ON trades
    FOR EACH ROW WHEN (NEW.last_event_id IS DISTINCT FROM OLD.last_event_id)
    EXECUTE FUNCTION app.trades_counterparty_name();

-- A trade's state asks whether any of its events waits for repair (trade_state.refresh_trades,
-- run by every stage): a partial index answers it from the few invalid events, as
-- trade_events_received (0002) does for the events not yet validated, instead of reading
-- every event of the trade.
CREATE INDEX IF NOT EXISTS trade_events_invalid ON trade_events (tenant_id, uti)
    WHERE state = 'invalid';
