-- The dashboard's "today" counts events by when they came in (created_at), not by their
-- event timestamp: an FEP's T+1 file holds yesterday's trades, and operations staff read
-- "received today" as what arrived today. One tenant's day is an index-only range scan of
-- this index (state included), whatever the other tenants' volume.
CREATE INDEX IF NOT EXISTS trade_events_tenant_received
    ON trade_events (tenant_id, created_at) INCLUDE (state);
