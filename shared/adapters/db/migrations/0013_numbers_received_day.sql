-- One truth for every number (#14, item 3).
--
-- 1. The stats rollup counts events by the hour they were RECEIVED (created_at), no longer by
--    their event timestamp. The dashboard's "received today" tiles count what came in today
--    (migration 0011: an FEP's T+1 file holds yesterday's trades); the chart beside them
--    counted by trade date, so it showed 0 for a day in which 3,100 events arrived, and its
--    ACK / NACK totals left out events dated more than 14 days back (stale valuations). Now
--    the chart's today bar, the acceptance panel's today bucket and the tiles are one count.
--    created_at never changes, so an event stays in its hour through every state change.
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
        -- Only rows whose counted columns changed (most updates touch other columns).
        INSERT INTO trade_event_rollup_delta (tenant_id, hour, dim, key, events)
        SELECT d.tenant_id, app.rollup_hour(d.created_at), k.dim, k.key, sum(d.delta)
        FROM (
            SELECT o.tenant_id, o.created_at, o.state, o.asset_class, o.action_type,
                   o.regimes, -1 AS delta
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.tenant_id, o.created_at, o.state, o.asset_class, o.action_type,
                   o.regimes) IS DISTINCT FROM
                  (n.tenant_id, n.created_at, n.state, n.asset_class, n.action_type,
                   n.regimes)
            UNION ALL
            SELECT n.tenant_id, n.created_at, n.state, n.asset_class, n.action_type,
                   n.regimes, 1
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.tenant_id, o.created_at, o.state, o.asset_class, o.action_type,
                   o.regimes) IS DISTINCT FROM
                  (n.tenant_id, n.created_at, n.state, n.asset_class, n.action_type,
                   n.regimes)
        ) AS d
        CROSS JOIN LATERAL app.rollup_keys(d.state, d.asset_class, d.action_type, d.regimes) k
        GROUP BY 1, 2, 3, 4
        HAVING sum(d.delta) <> 0;
    END IF;
    RETURN NULL;
END
$$;

-- Rebuild the counters on the new basis (FORCE RLS binds the migrating owner too).
SELECT set_config('app.system', 'on', true);
DELETE FROM trade_event_rollup_delta;
DELETE FROM trade_event_rollup;
DELETE FROM trade_event_rollup_daily;
INSERT INTO trade_event_rollup (tenant_id, hour, dim, key, events)
SELECT e.tenant_id, app.rollup_hour(e.created_at), k.dim, k.key, count(*)
FROM trade_events e
CROSS JOIN LATERAL app.rollup_keys(e.state, e.asset_class, e.action_type, e.regimes) k
GROUP BY 1, 2, 3, 4;
INSERT INTO trade_event_rollup_daily (tenant_id, day, dim, key, events)
SELECT tenant_id, (hour AT TIME ZONE app.rollup_zone())::date, dim, key, sum(events)
FROM trade_event_rollup GROUP BY 1, 2, 3, 4;

-- 2. Parse errors per file (the files list, the dashboard's tile) are read through the
--    partial index raw_rows_parse_error of migration 0014, which the errors screen's parse
--    group shares.
