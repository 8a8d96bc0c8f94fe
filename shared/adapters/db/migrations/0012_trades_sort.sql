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

-- The search of the trades list (`q`: a substring of the UTI, trade id, either LEI or the
-- other side's name, any case), through a pg_trgm GIN index that row-level security lets the
-- planner use. Under RLS only leakproof operators may be index conditions, and LIKE is not;
-- but a policy's own conditions are, whatever they are (they are evaluated first anyway). So
-- the searched text lives in `trade_search`, whose SELECT policy holds the LIKE, with the
-- pattern from the transaction's `app.search` setting (app.search_pattern(): '%', every row,
-- when none is set; shared/adapters/db/reads/trades.py sets it for one query and clears it).
-- A pg_trgm index on `trades` itself was measured unused for a tenant (docs/QUERIES.md#search).
--
-- pg_trgm ships with PostgreSQL's contrib; on NCP Cloud DB for PostgreSQL it is installed from
-- the console (DB 관리 > Extension 관리), into the schema cdb_admin, not by CREATE EXTENSION.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        BEGIN
            CREATE EXTENSION pg_trgm;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'the pg_trgm extension is not installed and this role may not '
                'install it: install it for this database first (NCP: Cloud DB for '
                'PostgreSQL > DB 관리 > Extension 관리), then migrate again';
        END;
    END IF;
END
$$;

-- One lower-case text of the searched columns, joined by U+001F (a control character: a query
-- cannot hold one, so a match never spans two fields).
CREATE OR REPLACE FUNCTION app.trade_search_text(uti text, trade_id text, counterparty_1 text,
                                                 counterparty_2 text, counterparty_2_name text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT lower(uti || chr(31) || coalesce(trade_id, '') || chr(31)
                || coalesce(counterparty_1, '') || chr(31) || coalesce(counterparty_2, '')
                || chr(31) || coalesce(counterparty_2_name, '')) $$;

CREATE OR REPLACE FUNCTION app.search_pattern() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT coalesce(nullif(current_setting('app.search', true), ''), '%') $$;

CREATE TABLE IF NOT EXISTS trade_search (
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    uti          text NOT NULL,
    search_text  text NOT NULL,
    PRIMARY KEY (tenant_id, uti)
);
ALTER TABLE trade_search ENABLE ROW LEVEL SECURITY;
ALTER TABLE trade_search FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON trade_search;
CREATE POLICY tenant_isolation ON trade_search
    USING (app.is_system() OR tenant_id = app.current_tenant())
    WITH CHECK (app.is_system() OR tenant_id = app.current_tenant());
-- Restrictive: a row is read only when it also matches the pattern.
DROP POLICY IF EXISTS search_match ON trade_search;
CREATE POLICY search_match ON trade_search AS RESTRICTIVE FOR SELECT
    USING (search_text LIKE app.search_pattern());

DO $$
DECLARE
    trgm_schema name := (SELECT extnamespace::regnamespace::name FROM pg_extension
                         WHERE extname = 'pg_trgm');
BEGIN
    EXECUTE format('CREATE INDEX IF NOT EXISTS trade_search_trgm ON trade_search'
                   ' USING gin (search_text %I.gin_trgm_ops)', trgm_schema);
END
$$;

-- Kept by statement triggers on `trades` (set-based: one statement per batch the pipeline
-- writes); an update re-reads only the rows whose searched columns changed.
CREATE OR REPLACE FUNCTION app.trade_search_insert() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO trade_search (tenant_id, uti, search_text)
    SELECT n.tenant_id, n.uti, app.trade_search_text(n.uti, n.trade_id, n.counterparty_1,
                                                     n.counterparty_2, n.counterparty_2_name)
    FROM new_rows n
    ON CONFLICT (tenant_id, uti) DO UPDATE SET search_text = EXCLUDED.search_text;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION app.trade_search_update() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    DELETE FROM trade_search s USING old_rows o
    WHERE s.tenant_id = o.tenant_id AND s.uti = o.uti
      AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.tenant_id = o.tenant_id AND n.uti = o.uti);
    INSERT INTO trade_search (tenant_id, uti, search_text)
    SELECT n.tenant_id, n.uti, app.trade_search_text(n.uti, n.trade_id, n.counterparty_1,
                                                     n.counterparty_2, n.counterparty_2_name)
    FROM new_rows n
    LEFT JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.uti = n.uti
    WHERE o.uti IS NULL
       OR (o.trade_id, o.counterparty_1, o.counterparty_2, o.counterparty_2_name)
          IS DISTINCT FROM (n.trade_id, n.counterparty_1, n.counterparty_2, n.counterparty_2_name)
    ON CONFLICT (tenant_id, uti) DO UPDATE SET search_text = EXCLUDED.search_text;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION app.trade_search_delete() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    DELETE FROM trade_search s USING old_rows o
    WHERE s.tenant_id = o.tenant_id AND s.uti = o.uti;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS trades_search_insert ON trades;
CREATE TRIGGER trades_search_insert AFTER INSERT ON trades
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION app.trade_search_insert();
DROP TRIGGER IF EXISTS trades_search_update ON trades;
CREATE TRIGGER trades_search_update AFTER UPDATE ON trades
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION app.trade_search_update();
DROP TRIGGER IF EXISTS trades_search_delete ON trades;
CREATE TRIGGER trades_search_delete AFTER DELETE ON trades
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION app.trade_search_delete();

-- The trades there are now (FORCE RLS binds the migrating owner too).
SELECT set_config('app.system', 'on', true);
INSERT INTO trade_search (tenant_id, uti, search_text)
SELECT tenant_id, uti, app.trade_search_text(uti, trade_id, counterparty_1, counterparty_2,
                                             counterparty_2_name)
FROM trades
ON CONFLICT (tenant_id, uti) DO NOTHING;
