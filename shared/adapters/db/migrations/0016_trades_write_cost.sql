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

-- The search text of a trade is rewritten by a row trigger that fires only when a searched
-- column changed (its WHEN is checked in C, before any PL/pgSQL runs). The statement trigger
-- of 0012 joined the statement's old and new rows, transition tables with no index: 50 ms
-- per state refresh of a few hundred trades, about 0.85 ms of server time per event in the
-- bench, although a refresh changes a searched column only when the latest event brings a new
-- counterparty name.
CREATE OR REPLACE FUNCTION app.trade_search_row_update() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    IF (OLD.tenant_id, OLD.uti) IS DISTINCT FROM (NEW.tenant_id, NEW.uti) THEN
        DELETE FROM trade_search WHERE tenant_id = OLD.tenant_id AND uti = OLD.uti;
    END IF;
    INSERT INTO trade_search (tenant_id, uti, search_text)
    VALUES (NEW.tenant_id, NEW.uti,
            app.trade_search_text(NEW.uti, NEW.trade_id, NEW.counterparty_1,
                                  NEW.counterparty_2, NEW.counterparty_2_name))
    ON CONFLICT (tenant_id, uti) DO UPDATE SET search_text = EXCLUDED.search_text;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS trades_search_update ON trades;
CREATE TRIGGER trades_search_update AFTER UPDATE ON trades
    FOR EACH ROW
    WHEN ((OLD.tenant_id, OLD.uti, OLD.trade_id, OLD.counterparty_1, OLD.counterparty_2,
           OLD.counterparty_2_name) IS DISTINCT FROM
          (NEW.tenant_id, NEW.uti, NEW.trade_id, NEW.counterparty_1, NEW.counterparty_2,
           NEW.counterparty_2_name))
    EXECUTE FUNCTION app.trade_search_row_update();
DROP FUNCTION IF EXISTS app.trade_search_update();

-- The rollup's update branch without a join: each old row counts -1 and each new row +1 in its
-- groups, and a group whose sum is 0 (a row whose counted columns did not change) is dropped.
-- The same deltas as 0013's, which joined the old and new transition tables (no index) on the
-- event id, twice: 12 ms per state update of a few hundred events.
CREATE OR REPLACE FUNCTION app.trade_event_rollup_apply() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO trade_event_rollup_delta (tenant_id, hour, dim, key, events)
        SELECT e.tenant_id, app.rollup_hour(e.created_at), k.dim, k.key, count(*)
        FROM new_rows e
        CROSS JOIN LATERAL app.rollup_keys(e.state, e.asset_class, e.action_type, e.regimes) k
        GROUP BY 1, 2, 3, 4;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO trade_event_rollup_delta (tenant_id, hour, dim, key, events)
        SELECT e.tenant_id, app.rollup_hour(e.created_at), k.dim, k.key, -count(*)
        FROM old_rows e
        CROSS JOIN LATERAL app.rollup_keys(e.state, e.asset_class, e.action_type, e.regimes) k
        GROUP BY 1, 2, 3, 4;
    ELSE
        INSERT INTO trade_event_rollup_delta (tenant_id, hour, dim, key, events)
        SELECT d.tenant_id, app.rollup_hour(d.created_at), k.dim, k.key, sum(d.delta)
        FROM (
            SELECT o.tenant_id, o.created_at, o.state, o.asset_class, o.action_type,
                   o.regimes, -1 AS delta
            FROM old_rows o
            UNION ALL
            SELECT n.tenant_id, n.created_at, n.state, n.asset_class, n.action_type,
                   n.regimes, 1
            FROM new_rows n
        ) AS d
        CROSS JOIN LATERAL app.rollup_keys(d.state, d.asset_class, d.action_type, d.regimes) k
        GROUP BY 1, 2, 3, 4
        HAVING sum(d.delta) <> 0;
    END IF;
    RETURN NULL;
END
$$;
