-- The monitor (docs/MONITOR.md): what it posted to the webhook, when an alert cleared, when
-- each check last ran, the reconciliation breaks it found, and the objects the lost-trigger
-- sweep handed on.

-- Alerts: resolved by the check that raised them once the condition clears; the webhook
-- state last posted ("<severity>:<occurrence tier>") so that a state is never posted twice.
ALTER TABLE alerts
    ADD COLUMN IF NOT EXISTS resolved_at     timestamptz,
    ADD COLUMN IF NOT EXISTS notified_at     timestamptz,
    ADD COLUMN IF NOT EXISTS notified_state  text;
-- The notifier looks only at open alerts not yet posted in their current state.
CREATE INDEX IF NOT EXISTS alerts_open ON alerts (last_seen_at) WHERE status = 'open';

-- One row per check: its cadence survives across activations (a cron tick is a fresh
-- process), and the anomaly check remembers the last 5-minute window it judged.
-- Platform state, not tenant-owned: no row-level security (like tr_circuit_breakers).
CREATE TABLE monitor_checks (
    name           text PRIMARY KEY,
    last_run_at    timestamptz,
    last_ok_at     timestamptz,
    last_window    timestamptz,
    -- where a paged check resumes (the lost-trigger sweep's ListObjects marker per bucket)
    cursor         jsonb NOT NULL DEFAULT '{}',
    last_error     text,
    duration_ms    integer
);

-- Reconciliation: a UTI where our view and the TR's acknowledged view differ after the
-- deadline. One open row per tenant and UTI; resolved when the views agree again.
CREATE TABLE reconciliation_breaks (
    id             bigserial PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    uti            text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('never_acked', 'behind_tr', 'nacked')),
    our_event_id   uuid REFERENCES trade_events(id),
    our_action     text,
    tr_event_id    uuid REFERENCES trade_events(id),
    tr_action      text,
    deadline_at    timestamptz,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz
);
CREATE UNIQUE INDEX reconciliation_breaks_open ON reconciliation_breaks (tenant_id, uti)
    WHERE resolved_at IS NULL;
ALTER TABLE reconciliation_breaks ENABLE ROW LEVEL SECURITY;
ALTER TABLE reconciliation_breaks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reconciliation_breaks
    USING (app.is_system() OR tenant_id = app.current_tenant())
    WITH CHECK (app.is_system() OR tenant_id = app.current_tenant());

-- Objects the lost-trigger sweep handed to ingest / feedback, with the outcome: an object
-- the ledgers do not name (a duplicate under a new key, a file for an unknown tenant) is
-- then not handed on again every tick. Not tenant-owned: the tenant may be unknown.
CREATE TABLE swept_objects (
    bucket      text NOT NULL,
    object_key  text NOT NULL,
    etag        text NOT NULL,
    outcome     text NOT NULL,
    swept_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bucket, object_key, etag)
);

-- Lookups of the sweep ("is this key in the ledger?") and of the stuck-file check.
CREATE INDEX IF NOT EXISTS ingest_files_key ON ingest_files (bucket, object_key);
CREATE INDEX IF NOT EXISTS tr_feedback_key ON tr_feedback (bucket, object_key);
CREATE INDEX IF NOT EXISTS report_files_open ON report_files (status, updated_at)
    WHERE status IN ('building', 'generated', 'submitting', 'submitted');
-- The anomaly check counts events received and judged per 5-minute window.
CREATE INDEX IF NOT EXISTS trade_events_created_at ON trade_events (created_at);
CREATE INDEX IF NOT EXISTS trade_events_validated_at ON trade_events (validated_at)
    WHERE validated_at IS NOT NULL;
