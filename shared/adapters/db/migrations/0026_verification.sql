-- Issue 17 item 4: periodic verification of what a TR holds against our books, its log, and
-- the correction clock each error found starts (docs/OBLIGATIONS.md "Verification and
-- corrections"; shared.domain.verification, shared.domain.corrections).

-- The verification log (CFTC 17 CFR 45.14(a)(3) asks for one): one row per run.
CREATE TABLE verifications (
    id              bigserial PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    regime          text NOT NULL,
    entity_id       text,              -- the entity whose status set the cadence (NULL: none)
    entity_status   text,              -- its status under the regime (SD, MSP, ...)
    -- completed: compared; no_tr_view: the TR's open-trade report was not there to compare
    status          text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'completed', 'no_tr_view', 'failed')),
    reference_date  date,              -- the TR's trade state report compared
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    open_at_tr      integer NOT NULL DEFAULT 0,  -- the TR's open trades compared
    open_here       integer NOT NULL DEFAULT 0,  -- our open trades compared
    findings        integer NOT NULL DEFAULT 0,
    details         jsonb NOT NULL DEFAULT '[]'::jsonb,  -- the findings (first 200)
    trigger         text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    run_by          text NOT NULL,     -- a user's name, or "monitor"
    error           text
);
CREATE INDEX verifications_list ON verifications (tenant_id, id DESC);
CREATE INDEX verifications_last ON verifications (tenant_id, regime, started_at DESC)
    WHERE status IN ('completed', 'no_tr_view');

-- One clock per error found: from its discovery to its correction (or the notice).
CREATE TABLE correction_clocks (
    id              bigserial PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    regime          text NOT NULL,
    uti             text NOT NULL,
    source          text NOT NULL CHECK (source IN ('verification', 'break', 'nack')),
    source_id       text NOT NULL,     -- verifications.id, tr_breaks.id or report_items.id
    kind            text NOT NULL,     -- what is wrong: missing_at_tr, open_at_tr, nack, ...
    summary         text NOT NULL DEFAULT '',
    discovered_at   timestamptz NOT NULL,
    due             timestamptz NOT NULL,
    business_days   integer NOT NULL,
    prescribed      boolean NOT NULL,
    state           text NOT NULL DEFAULT 'on_track'
                    CHECK (state IN ('on_track', 'at_risk', 'late', 'resolved')),
    state_changed_at timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    resolved_by     text,
    resolution_note text,
    notified_at     timestamptz,       -- when the regulator was told (the notice sent)
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'resolved') = (resolved_at IS NOT NULL))
);
-- one clock per source item: a verification finding, a break or a NACK is clocked once
CREATE UNIQUE INDEX correction_clocks_source
    ON correction_clocks (tenant_id, source, source_id, uti, kind);
CREATE INDEX correction_clocks_list ON correction_clocks (tenant_id, state, id DESC);
CREATE INDEX correction_clocks_error ON correction_clocks (tenant_id, regime, uti, kind)
    WHERE state <> 'resolved';
-- (the monitor's look for rejected items not yet clocked uses 0008's report_items_nacked)

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['verifications', 'correction_clocks'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING (app.is_system() OR tenant_id = app.current_tenant()) '
            'WITH CHECK (app.is_system() OR tenant_id = app.current_tenant())', t);
    END LOOP;
END $$;
