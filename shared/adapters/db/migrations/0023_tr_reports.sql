-- Issue 17 item 3: a trade repository's end-of-day reports (auth.107 trade state, auth.091
-- reconciliation, auth.106 warnings) as the tr-reports stage loads them, and the breaks
-- between the TR's view and ours, with the operators' workflow on them
-- (docs/OBLIGATIONS.md "Reconciliation with the TR").

-- Every report file the stage saw: one row per tenant and content, so the same file again
-- (under any key) changes nothing but its delivery count.
CREATE TABLE tr_report_files (
    id              bigserial PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    bucket          text NOT NULL,
    object_key      text NOT NULL,
    sha256          text NOT NULL,
    regime          text,
    kind            text CHECK (kind IN ('trade_state', 'reconciliation', 'warnings')),
    reference_date  date,
    -- loaded: its rows are the tenant's current view; stale: a newer report of its kind was
    -- loaded first, so it replaced nothing; rejected: unreadable (error says why)
    status          text NOT NULL DEFAULT 'received'
                    CHECK (status IN ('received', 'loaded', 'stale', 'rejected')),
    records         integer NOT NULL DEFAULT 0,
    problems        jsonb NOT NULL DEFAULT '[]'::jsonb,  -- records that could not be read, why
    error           text,
    deliveries      integer NOT NULL DEFAULT 1,
    received_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    loaded_at       timestamptz,
    UNIQUE (tenant_id, sha256)
);
-- the lost-trigger sweep asks "is this key known?"
CREATE INDEX tr_report_files_key ON tr_report_files (bucket, object_key);

-- Per tenant, regime and kind, the report whose rows are current (a late report of an
-- earlier day does not overwrite a later one).
CREATE TABLE tr_report_heads (
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    regime          text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('trade_state', 'reconciliation', 'warnings')),
    reference_date  date NOT NULL,
    report_file_id  bigint NOT NULL REFERENCES tr_report_files(id),
    PRIMARY KEY (tenant_id, regime, kind)
);

-- The TR's latest trade state: one row per open trade at the TR.
CREATE TABLE tr_trade_states (
    tenant_id              uuid NOT NULL REFERENCES tenants(id),
    regime                 text NOT NULL,
    uti                    text NOT NULL,
    reference_date         date NOT NULL,
    report_file_id         bigint NOT NULL REFERENCES tr_report_files(id),
    last_action            text,
    level                  text,
    reporting_counterparty text,
    other_counterparty     text,
    received_at            timestamptz,
    valuation_amount       numeric,
    valuation_currency     text,
    valuation_timestamp    timestamptz,
    reconciliation_flag    text,
    reported_values        jsonb NOT NULL DEFAULT '{}'::jsonb,  -- the matching fields
    PRIMARY KEY (tenant_id, regime, uti)
);

-- The TR's latest reconciliation status per trade: pairing, matching, the differing fields.
CREATE TABLE tr_recon_statuses (
    tenant_id           uuid NOT NULL REFERENCES tenants(id),
    regime              text NOT NULL,
    uti                 text NOT NULL,
    reference_date      date NOT NULL,
    report_file_id      bigint NOT NULL REFERENCES tr_report_files(id),
    two_sided           boolean NOT NULL,
    paired              boolean NOT NULL,
    matched             boolean NOT NULL,
    differences         jsonb NOT NULL DEFAULT '[]'::jsonb,  -- [{field, ours, theirs}]
    other_counterparty  text,
    revived             boolean NOT NULL DEFAULT false,
    further_modified    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, regime, uti),
    CHECK (NOT matched OR paired),
    CHECK (NOT paired OR two_sided)
);

-- The TR's latest warnings per trade.
CREATE TABLE tr_warnings (
    tenant_id            uuid NOT NULL REFERENCES tenants(id),
    regime               text NOT NULL,
    uti                  text NOT NULL,
    kind                 text NOT NULL CHECK (kind IN ('no_valuation', 'outdated_valuation')),
    reference_date       date NOT NULL,
    report_file_id       bigint NOT NULL REFERENCES tr_report_files(id),
    other_counterparty   text,
    valuation_amount     numeric,
    valuation_currency   text,
    valuation_timestamp  timestamptz,
    PRIMARY KEY (tenant_id, regime, uti, kind)
);

-- Breaks: where the TR's view differs from our books (shared.domain.reconciliation.breaks).
-- The monitor's own reconciliation check (reconciliation_breaks, 0006) compares our events
-- with the ACKs we stored and is left as it is; these come from the TR's reports.
CREATE TABLE tr_breaks (
    id                   bigserial PRIMARY KEY,
    tenant_id            uuid NOT NULL REFERENCES tenants(id),
    regime               text NOT NULL,
    uti                  text NOT NULL,
    kind                 text NOT NULL CHECK (kind IN ('at_tr_only', 'open_at_tr',
                                                       'missing_at_tr', 'field_mismatch')),
    signature            text NOT NULL,  -- what is wrong: a resolved break found again stays resolved
    differences          jsonb NOT NULL DEFAULT '[]'::jsonb,
    our_action           text,
    tr_action            text,
    first_reference_date date NOT NULL,
    last_reference_date  date NOT NULL,
    -- open -> assigned -> resolved (an operator, with a note); cleared: a later report no
    -- longer shows it
    status               text NOT NULL DEFAULT 'open'
                         CHECK (status IN ('open', 'assigned', 'resolved', 'cleared')),
    assignee             text,
    resolution_note      text,
    resolved_by          text,
    resolved_at          timestamptz,
    cleared_at           timestamptz,
    first_seen_at        timestamptz NOT NULL DEFAULT now(),
    last_seen_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'assigned' OR assignee IS NOT NULL),
    CHECK (status <> 'resolved' OR (resolution_note IS NOT NULL AND resolved_at IS NOT NULL))
);
-- one live (open or assigned) break per tenant, regime, trade and kind
CREATE UNIQUE INDEX tr_breaks_live ON tr_breaks (tenant_id, regime, uti, kind)
    WHERE status IN ('open', 'assigned');
CREATE INDEX tr_breaks_list ON tr_breaks (tenant_id, status, id DESC);
CREATE INDEX tr_breaks_uti ON tr_breaks (tenant_id, uti);

ALTER TABLE tr_report_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE tr_report_files FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tr_report_files
    USING (app.is_system() OR tenant_id = app.current_tenant())
    WITH CHECK (app.is_system() OR tenant_id = app.current_tenant());
ALTER TABLE tr_report_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE tr_report_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tr_report_heads
    USING (app.is_system() OR tenant_id = app.current_tenant())
    WITH CHECK (app.is_system() OR tenant_id = app.current_tenant());
ALTER TABLE tr_trade_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE tr_trade_states FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tr_trade_states
    USING (app.is_system() OR tenant_id = app.current_tenant())
    WITH CHECK (app.is_system() OR tenant_id = app.current_tenant());
ALTER TABLE tr_recon_statuses ENABLE ROW LEVEL SECURITY;
ALTER TABLE tr_recon_statuses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tr_recon_statuses
    USING (app.is_system() OR tenant_id = app.current_tenant())
    WITH CHECK (app.is_system() OR tenant_id = app.current_tenant());
ALTER TABLE tr_warnings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tr_warnings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tr_warnings
    USING (app.is_system() OR tenant_id = app.current_tenant())
    WITH CHECK (app.is_system() OR tenant_id = app.current_tenant());
ALTER TABLE tr_breaks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tr_breaks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tr_breaks
    USING (app.is_system() OR tenant_id = app.current_tenant())
    WITH CHECK (app.is_system() OR tenant_id = app.current_tenant());
