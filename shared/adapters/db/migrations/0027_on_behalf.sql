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
