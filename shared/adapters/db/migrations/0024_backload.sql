-- Issue 17: back-loading, re-reporting every open trade as a controlled job (a new field, a
-- regulatory upgrade): one row per job with its progress and a cursor (the last UTI done),
-- committed with each batch's events, so a job killed at any point resumes where it stopped
-- and never inserts an event twice. Its events carry source 'backload'.
ALTER TABLE trade_events DROP CONSTRAINT IF EXISTS trade_events_source_check;
ALTER TABLE trade_events ADD CONSTRAINT trade_events_source_check
    CHECK (source IN ('file', 'api', 'repair', 'backload'));

CREATE TABLE backload_jobs (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL REFERENCES tenants(id),
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    regimes       text[] NOT NULL DEFAULT '{}',
    asset_class   text,
    as_of         timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'ready'
                  CHECK (status IN ('ready', 'running', 'paused', 'done', 'cancelled')),
    total         integer NOT NULL CHECK (total >= 0),
    done          integer NOT NULL DEFAULT 0,
    skipped       integer NOT NULL DEFAULT 0,
    cursor_uti    text,
    batch_size    integer NOT NULL CHECK (batch_size BETWEEN 1 AND 5000),
    rate_per_s    numeric CHECK (rate_per_s IS NULL OR rate_per_s > 0),
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX backload_jobs_tenant ON backload_jobs (tenant_id, created_at DESC);
ALTER TABLE backload_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE backload_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON backload_jobs
    USING (app.is_system() OR tenant_id = app.current_tenant())
    WITH CHECK (app.is_system() OR tenant_id = app.current_tenant());
