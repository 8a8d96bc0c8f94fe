-- The read side (shared/services/queries, docs/QUERIES.md): indexes for keyset pages and
-- prefix searches, the counterparty's name on `trades`, and hourly / daily counters of trade
-- events (deltas appended in the events' own transactions, folded by a cron tick), so that
-- stats stay fast on millions of events.
--
-- Every query also says `tenant_id = app.current_tenant()`: the RLS policy alone
-- (`is_system() OR tenant_id = ...`) cannot be used as an index condition.

-- Trades list: newest change first, UTI as the tiebreak of the keyset.
CREATE INDEX IF NOT EXISTS trades_recent ON trades (tenant_id, updated_at DESC, uti DESC);
CREATE INDEX IF NOT EXISTS trades_state_recent
    ON trades (tenant_id, state, updated_at DESC, uti DESC);
CREATE INDEX IF NOT EXISTS trades_executed ON trades (tenant_id, executed_at)
    INCLUDE (counterparty_2, state);
-- Prefix searches (`col ~>=~ lo AND col ~<~ hi`): text_pattern_ops orders by bytes, whatever
-- the database collation; its operators are leakproof (usable in index conditions under RLS,
-- unlike LIKE) and take parameters (a generic plan keeps the index range).
CREATE INDEX IF NOT EXISTS trades_uti_prefix ON trades (tenant_id, uti text_pattern_ops);
CREATE INDEX IF NOT EXISTS trades_trade_id_prefix
    ON trades (tenant_id, trade_id text_pattern_ops);
CREATE INDEX IF NOT EXISTS trades_cp1_prefix
    ON trades (tenant_id, counterparty_1 text_pattern_ops);
CREATE INDEX IF NOT EXISTS trades_cp2_prefix
    ON trades (tenant_id, counterparty_2 text_pattern_ops);

-- The other side's name as its latest event gives it, for "counterparty name starts with".
-- Filled by trigger when the trade's latest event changes: process.py need not know.
-- Searched through a stored lower-case copy: under row-level security the planner uses only
-- leakproof operators in index conditions, and lower() is not, so an index on
-- lower(counterparty_2_name) would never be used by a tenant's query.
ALTER TABLE trades ADD COLUMN IF NOT EXISTS counterparty_2_name text;
ALTER TABLE trades ADD COLUMN IF NOT EXISTS counterparty_2_name_key text
    GENERATED ALWAYS AS (lower(counterparty_2_name)) STORED;
CREATE INDEX IF NOT EXISTS trades_cp2_name_prefix
    ON trades (tenant_id, counterparty_2_name_key text_pattern_ops);

CREATE OR REPLACE FUNCTION app.trades_counterparty_name() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
    IF NEW.last_event_id IS NOT NULL THEN
        NEW.counterparty_2_name := coalesce(
            (SELECT payload -> 'counterparty_2' ->> 'name' FROM trade_events
             WHERE id = NEW.last_event_id),
            NEW.counterparty_2_name);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER trades_counterparty_name BEFORE INSERT OR UPDATE OF last_event_id ON trades
    FOR EACH ROW EXECUTE FUNCTION app.trades_counterparty_name();

-- Trade detail: report items of the UTI's events joined to their files (report_items_event
-- exists); errors: NACKs by TR code; top rejection codes in a time range.
CREATE INDEX IF NOT EXISTS report_items_nacked
    ON report_items (tenant_id, tr_code, id) WHERE status = 'nacked';
CREATE INDEX IF NOT EXISTS report_items_nacked_file
    ON report_items (report_file_id) INCLUDE (tenant_id, tr_code) WHERE status = 'nacked';
CREATE INDEX IF NOT EXISTS validation_issues_created
    ON validation_issues (tenant_id, created_at) INCLUDE (rule_id, severity);
CREATE INDEX IF NOT EXISTS dead_letters_tenant ON dead_letters (tenant_id, queue, id);
CREATE INDEX IF NOT EXISTS report_files_recent ON report_files (tenant_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS ingest_files_recent
    ON ingest_files (tenant_id, received_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS activations_tenant
    ON activations (tenant_id, started_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS alerts_tenant ON alerts (tenant_id, last_seen_at DESC, id DESC);

-- Late reports: events past (or acknowledged after) their deadline. In a healthy system a small
-- set: in-flight events plus the few acknowledged late, never the millions acknowledged in time.
CREATE INDEX IF NOT EXISTS trade_events_late
    ON trade_events (tenant_id, deadline_at) INCLUDE (state)
    WHERE deadline_at IS NOT NULL
      AND (state NOT IN ('acked', 'cancelled', 'superseded')
           OR (state = 'acked' AND updated_at > deadline_at));

-- Hourly rollup of trade events ------------------------------------------------------------------
-- Per tenant and UTC hour of the event timestamp, one count per dimension value: by state,
-- and (for every event but a repaired event's replaced version) by asset class, action type
-- and regime. One row per value rather than per combination: an hour holds at most ~25 rows
-- whatever the volume, so a month by day sums ~18k rows. Hourly (not daily) so that a day /
-- week / month in any whole-hour time zone is a sum of hours; other zones are counted from
-- trade_events with the same app.rollup_keys().
--
-- Writers only append: statement-level triggers (transition tables: one grouped INSERT per
-- statement, a 500-event chunk costs one, not 500) add signed counts to
-- trade_event_rollup_delta in the events' own transaction. No upsert there, so concurrent
-- stages never wait on (or deadlock over) the same "this hour, state received" counter row;
-- app.compact_trade_event_rollup() (monitor cron, a single writer) folds the deltas into
-- trade_event_rollup. Readers sum both, so the counts are exact whenever compaction runs.
CREATE TABLE trade_event_rollup (
    tenant_id  uuid NOT NULL REFERENCES tenants(id),
    hour       timestamptz NOT NULL,
    dim        text NOT NULL CHECK (dim IN ('state', 'asset_class', 'action_type', 'regime')),
    key        text NOT NULL,
    events     bigint NOT NULL,
    PRIMARY KEY (tenant_id, hour, dim, key)
);
-- The same per local day of the reporting zone (Asia/Seoul, the stats' default): a quarter
-- by week sums ~2.5k rows instead of ~60k hourly ones.
CREATE TABLE trade_event_rollup_daily (
    tenant_id  uuid NOT NULL REFERENCES tenants(id),
    day        date NOT NULL,
    dim        text NOT NULL,
    key        text NOT NULL,
    events     bigint NOT NULL,
    PRIMARY KEY (tenant_id, day, dim, key)
);
CREATE TABLE trade_event_rollup_delta (
    tenant_id  uuid NOT NULL REFERENCES tenants(id),
    hour       timestamptz NOT NULL,
    dim        text NOT NULL,
    key        text NOT NULL,
    events     bigint NOT NULL
);
CREATE INDEX trade_event_rollup_delta_hour ON trade_event_rollup_delta (tenant_id, hour);

-- The usual policy, with the settings read once per query (an InitPlan) rather than per
-- row: these tables are read thousands of rows at a time.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['trade_event_rollup', 'trade_event_rollup_daily',
                             'trade_event_rollup_delta'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING ((SELECT app.is_system()) OR tenant_id = (SELECT app.current_tenant())) '
            'WITH CHECK ((SELECT app.is_system()) OR tenant_id = (SELECT app.current_tenant()))',
            t);
    END LOOP;
END $$;

-- The zone of trade_event_rollup_daily (shared/services/queries/stats.py ROLLUP_ZONE).
CREATE OR REPLACE FUNCTION app.rollup_zone() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 'Asia/Seoul'::text $$;

CREATE OR REPLACE FUNCTION app.rollup_hour(ts timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT date_trunc('hour', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' $$;

-- The (dimension, value) pairs one event counts under. An event without regimes reports to
-- its tenant's defaults: 'default'.
CREATE OR REPLACE FUNCTION app.rollup_keys(state text, asset_class text, action_type text,
                                           regimes text[])
RETURNS TABLE (dim text, key text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT 'state', state
    UNION ALL
    SELECT k.dim, k.key FROM (
        SELECT 'asset_class' AS dim, coalesce(asset_class, 'none') AS key
        UNION ALL SELECT 'action_type', action_type
        UNION ALL SELECT 'regime', r
        FROM unnest(CASE WHEN cardinality(regimes) = 0 THEN ARRAY['default'] ELSE regimes END)
             AS r
    ) AS k
    WHERE state <> 'superseded'
$$;

CREATE OR REPLACE FUNCTION app.trade_event_rollup_apply() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO trade_event_rollup_delta (tenant_id, hour, dim, key, events)
        SELECT e.tenant_id, app.rollup_hour(e.event_timestamp), k.dim, k.key, count(*)
        FROM new_rows e
        CROSS JOIN LATERAL app.rollup_keys(e.state, e.asset_class, e.action_type, e.regimes) k
        GROUP BY 1, 2, 3, 4;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO trade_event_rollup_delta (tenant_id, hour, dim, key, events)
        SELECT e.tenant_id, app.rollup_hour(e.event_timestamp), k.dim, k.key, -count(*)
        FROM old_rows e
        CROSS JOIN LATERAL app.rollup_keys(e.state, e.asset_class, e.action_type, e.regimes) k
        GROUP BY 1, 2, 3, 4;
    ELSE
        -- Only rows whose counted columns changed (most updates touch other columns).
        INSERT INTO trade_event_rollup_delta (tenant_id, hour, dim, key, events)
        SELECT d.tenant_id, app.rollup_hour(d.event_timestamp), k.dim, k.key, sum(d.delta)
        FROM (
            SELECT o.tenant_id, o.event_timestamp, o.state, o.asset_class, o.action_type,
                   o.regimes, -1 AS delta
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.tenant_id, o.event_timestamp, o.state, o.asset_class, o.action_type,
                   o.regimes) IS DISTINCT FROM
                  (n.tenant_id, n.event_timestamp, n.state, n.asset_class, n.action_type,
                   n.regimes)
            UNION ALL
            SELECT n.tenant_id, n.event_timestamp, n.state, n.asset_class, n.action_type,
                   n.regimes, 1
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.tenant_id, o.event_timestamp, o.state, o.asset_class, o.action_type,
                   o.regimes) IS DISTINCT FROM
                  (n.tenant_id, n.event_timestamp, n.state, n.asset_class, n.action_type,
                   n.regimes)
        ) AS d
        CROSS JOIN LATERAL app.rollup_keys(d.state, d.asset_class, d.action_type, d.regimes) k
        GROUP BY 1, 2, 3, 4
        HAVING sum(d.delta) <> 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER trade_event_rollup_insert AFTER INSERT ON trade_events
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.trade_event_rollup_apply();
CREATE TRIGGER trade_event_rollup_update AFTER UPDATE ON trade_events
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.trade_event_rollup_apply();
CREATE TRIGGER trade_event_rollup_delete AFTER DELETE ON trade_events
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.trade_event_rollup_apply();

-- Fold the appended deltas into the rollup; returns the delta rows folded. Rows of
-- transactions still open stay for the next run; a concurrent run skips rows this one
-- deleted. Run in a system scope (all tenants) by the monitor's cron tick.
CREATE OR REPLACE FUNCTION app.compact_trade_event_rollup() RETURNS bigint
LANGUAGE plpgsql AS
$$
DECLARE
    folded bigint;
BEGIN
    -- data-modifying CTEs run to completion whether or not the outer query reads them
    WITH moved AS (DELETE FROM trade_event_rollup_delta RETURNING *),
    hourly AS (
        INSERT INTO trade_event_rollup AS r (tenant_id, hour, dim, key, events)
        SELECT tenant_id, hour, dim, key, sum(events) FROM moved
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_id, hour, dim, key) DO UPDATE SET events = r.events + EXCLUDED.events
    ),
    daily AS (
        INSERT INTO trade_event_rollup_daily AS r (tenant_id, day, dim, key, events)
        SELECT tenant_id, (hour AT TIME ZONE app.rollup_zone())::date, dim, key, sum(events)
        FROM moved GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_id, day, dim, key) DO UPDATE SET events = r.events + EXCLUDED.events
    )
    SELECT count(*) INTO folded FROM moved;
    RETURN folded;
END
$$;

-- Backfill what exists (FORCE RLS binds the migrating owner too: look across tenants).
SELECT set_config('app.system', 'on', true);
INSERT INTO trade_event_rollup (tenant_id, hour, dim, key, events)
SELECT e.tenant_id, app.rollup_hour(e.event_timestamp), k.dim, k.key, count(*)
FROM trade_events e
CROSS JOIN LATERAL app.rollup_keys(e.state, e.asset_class, e.action_type, e.regimes) k
GROUP BY 1, 2, 3, 4;
INSERT INTO trade_event_rollup_daily (tenant_id, day, dim, key, events)
SELECT tenant_id, (hour AT TIME ZONE app.rollup_zone())::date, dim, key, sum(events)
FROM trade_event_rollup GROUP BY 1, 2, 3, 4;
UPDATE trades t SET counterparty_2_name = e.payload -> 'counterparty_2' ->> 'name'
FROM trade_events e WHERE e.id = t.last_event_id;
