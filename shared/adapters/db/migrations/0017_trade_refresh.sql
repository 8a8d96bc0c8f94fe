-- Trades whose state a pipeline stage changed, refreshed right after the stage commits
-- (shared/services/pipeline/trade_state.py). Refreshing them inside each stage's
-- transaction held their row locks to its commit, and five stages with several containers
-- each queued behind one another on the same trades: 3.9 ms of lock wait per event on the
-- 100k bench, process containers mostly waiting. Rows are transient: the refresher deletes
-- what it applied; append-only, so that writers never conflict with one another.
CREATE TABLE trade_refresh_pending (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL,  -- no foreign key: a row lives seconds; tenants are not deleted
    uti       text NOT NULL,
    lifecycle text            -- what validation found the trade's lifecycle to be, if it did
);
CREATE INDEX trade_refresh_pending_tenant ON trade_refresh_pending (tenant_id, id);

ALTER TABLE trade_refresh_pending ENABLE ROW LEVEL SECURITY;
ALTER TABLE trade_refresh_pending FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON trade_refresh_pending
    USING ((SELECT app.is_system()) OR tenant_id = (SELECT app.current_tenant()))
    WITH CHECK ((SELECT app.is_system()) OR tenant_id = (SELECT app.current_tenant()));
