-- Issue 17 item 2: delegated reporting. A report file now carries, besides the tenant's own
-- report of an event, the report of the other side when routing (trade_events.routing) says
-- the tenant reports it too (a client under an agreement or by law, another of its entities).
-- An item is keyed by (file, event, reporting counterparty): NULL is the tenant's own side,
-- which is what every existing row is, so old rows stay valid as they are.
ALTER TABLE report_items ADD COLUMN reporting_counterparty text;
ALTER TABLE report_items DROP CONSTRAINT IF EXISTS report_items_report_file_id_event_id_key;
CREATE UNIQUE INDEX IF NOT EXISTS report_items_file_event_side
    ON report_items (report_file_id, event_id, coalesce(reporting_counterparty, ''));
-- the client view: a client's items, newest first
CREATE INDEX IF NOT EXISTS report_items_client
    ON report_items (tenant_id, reporting_counterparty, id DESC)
    WHERE reporting_counterparty IS NOT NULL;

-- The client view: a `client_viewer` user sees what was reported for one client LEI and
-- nothing else. The LEI is the user's (`users.client_lei`, set when the user is created) and
-- the API puts it in the transaction-local setting app.client_lei, next to app.tenant_id
-- (shared/adapters/db/database.py, Database.client). The restrictive policy below is ANDed
-- with tenant isolation: with the setting on, only that client's report items are visible,
-- whatever query runs; without it (every other transaction) nothing changes.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'operator', 'viewer', 'client_viewer'));
ALTER TABLE users ADD COLUMN client_lei text CHECK (client_lei ~ '^[0-9A-Z]{18}[0-9]{2}$');
ALTER TABLE users ADD CONSTRAINT users_client_lei_bound
    CHECK ((role = 'client_viewer') = (client_lei IS NOT NULL));

CREATE OR REPLACE FUNCTION app.current_client() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('app.client_lei', true), '') $$;

CREATE POLICY client_scope ON report_items AS RESTRICTIVE
    USING (app.current_client() IS NULL OR reporting_counterparty = app.current_client())
    WITH CHECK (app.current_client() IS NULL);
