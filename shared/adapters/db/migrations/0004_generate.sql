-- generate: which regimes each event has already been put in a report file for.
--
-- An event may be reportable under several regimes (trade_events.regimes, or the tenant's
-- default when empty) but has one `state`, which moves on (reported, submitted, acked) with
-- the first regime's file. `reported_regimes` is the per-regime truth generate selects on: a
-- column of the event row itself, so that `SELECT ... FOR UPDATE SKIP LOCKED` re-checks it on
-- the newest row version and two concurrent generate runs can never put one event into two
-- files of the same regime (a NOT EXISTS over report_items would be judged on the older
-- snapshot). The partial index holds only events that still owe a report, so the selection
-- stays small however many acknowledged events pile up.

-- The regimes a tenant reports to (docs/PIPELINE.md); IF NOT EXISTS: another migration may
-- have added it first.
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS regimes text[] NOT NULL DEFAULT '{krx}';

ALTER TABLE trade_events ADD COLUMN reported_regimes text[] NOT NULL DEFAULT '{}';

CREATE INDEX trade_events_unreported ON trade_events (tenant_id, event_timestamp)
    WHERE state IN ('valid', 'reported', 'submitted', 'acked', 'nacked')
      AND cardinality(reported_regimes) < greatest(cardinality(regimes), 1);
