-- Core schema: tenants and identities, the ingest -> report -> feedback chain, the queue,
-- and operational records. Every tenant-owned table is guarded by row-level security keyed
-- on the transaction-local setting app.tenant_id (see shared/adapters/db/database.py), so a
-- query that forgets its tenant filter still cannot see another tenant's rows.

CREATE SCHEMA IF NOT EXISTS app;

-- The tenant of the current transaction, or NULL when none is set (then nothing is visible).
CREATE OR REPLACE FUNCTION app.current_tenant() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Background work across tenants (queue sweeps, monitor, sign-in lookups) opts in explicitly.
CREATE OR REPLACE FUNCTION app.is_system() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT coalesce(current_setting('app.system', true), '') = 'on' $$;

-- Identities ---------------------------------------------------------------------------------

CREATE TABLE tenants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL,
    lei         text CHECK (lei IS NULL OR lei ~ '^[A-Z0-9]{18}[0-9]{2}$'),
    -- tenant id column so the common RLS policy applies unchanged
    tenant_id   uuid GENERATED ALWAYS AS (id) STORED,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    username       text NOT NULL UNIQUE CHECK (length(username) BETWEEN 3 AND 100),
    display_name   text,
    password_hash  text NOT NULL,
    role           text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz
);

CREATE TABLE api_keys (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL REFERENCES tenants(id),
    name          text NOT NULL,
    prefix        text NOT NULL UNIQUE,            -- shown to humans, used to find the row
    key_hash      text NOT NULL,                   -- the secret itself is never stored
    scopes        text[] NOT NULL DEFAULT ARRAY['ingest'],
    created_by    uuid REFERENCES users(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);

-- Ingestion ----------------------------------------------------------------------------------

CREATE TABLE ingest_files (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    bucket         text NOT NULL,
    object_key     text NOT NULL,
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes     bigint NOT NULL CHECK (size_bytes >= 0),
    format         text,
    source         text,                            -- FEP / channel that delivered it
    status         text NOT NULL DEFAULT 'received'
                   CHECK (status IN ('received', 'parsing', 'parsed', 'rejected', 'duplicate')),
    reject_reason  text,
    row_count      integer,
    chunk_count    integer,
    received_at    timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- the ingest ledger: one file per tenant and content, whatever its name
    UNIQUE (tenant_id, sha256)
);
CREATE INDEX ingest_files_status ON ingest_files (tenant_id, status, received_at DESC);

CREATE TABLE raw_rows (
    tenant_id   uuid NOT NULL REFERENCES tenants(id),
    file_id     uuid NOT NULL REFERENCES ingest_files(id),
    row_no      integer NOT NULL,                   -- 1-based position in the file
    chunk_no    integer NOT NULL,
    content     text NOT NULL,
    state       text NOT NULL DEFAULT 'stored'
                CHECK (state IN ('stored', 'parsed', 'parse_error', 'event')),
    error       text,
    PRIMARY KEY (file_id, row_no)
);
CREATE INDEX raw_rows_chunk ON raw_rows (file_id, chunk_no);

-- Trades and their events --------------------------------------------------------------------

CREATE TABLE trade_events (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL REFERENCES tenants(id),
    file_id          uuid REFERENCES ingest_files(id),
    row_no           integer,
    source           text NOT NULL CHECK (source IN ('file', 'api', 'repair')),
    uti              text NOT NULL,
    prior_uti        text,
    trade_id         text,
    action_type      text NOT NULL,
    event_type       text,
    event_timestamp  timestamptz NOT NULL,
    asset_class      text,
    regimes          text[] NOT NULL DEFAULT '{}',
    payload          jsonb NOT NULL,
    payload_hash     text NOT NULL,
    version          integer NOT NULL DEFAULT 1,
    supersedes       uuid REFERENCES trade_events(id),
    state            text NOT NULL DEFAULT 'received'
                     CHECK (state IN ('received', 'invalid', 'valid', 'reported', 'submitted',
                                      'acked', 'nacked', 'cancelled', 'superseded')),
    deadline_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- an event is taken once, however often it is delivered
    UNIQUE (tenant_id, uti, action_type, event_timestamp, payload_hash)
);
CREATE INDEX trade_events_uti ON trade_events (tenant_id, uti, event_timestamp);
CREATE INDEX trade_events_state ON trade_events (tenant_id, state, created_at DESC);
CREATE INDEX trade_events_file ON trade_events (file_id, row_no);

CREATE TABLE trades (
    tenant_id         uuid NOT NULL REFERENCES tenants(id),
    uti               text NOT NULL,
    trade_id          text,
    asset_class       text,
    product           text,
    counterparty_1    text,
    counterparty_2    text,
    lifecycle         text NOT NULL DEFAULT 'live'
                      CHECK (lifecycle IN ('live', 'terminated', 'errored')),
    state             text NOT NULL,
    last_event_id     uuid REFERENCES trade_events(id),
    last_action_type  text,
    regimes           text[] NOT NULL DEFAULT '{}',
    executed_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, uti)
);
CREATE INDEX trades_state ON trades (tenant_id, state, updated_at DESC);

CREATE TABLE validation_issues (
    id          bigserial PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants(id),
    event_id    uuid NOT NULL REFERENCES trade_events(id),
    rule_id     text NOT NULL,
    severity    text NOT NULL CHECK (severity IN ('reject', 'warn')),
    field       text,
    message     text NOT NULL,
    message_ko  text,
    regime      text,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assigned', 'resolved')),
    assignee    text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);
CREATE INDEX validation_issues_event ON validation_issues (event_id);
CREATE INDEX validation_issues_rule ON validation_issues (tenant_id, rule_id, status);

-- Reports, submissions and feedback ------------------------------------------------------------

CREATE TABLE report_files (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    regime          text NOT NULL,
    tr              text NOT NULL,
    bucket          text,
    object_key      text,
    record_count    integer NOT NULL DEFAULT 0,
    status          text NOT NULL DEFAULT 'building'
                    CHECK (status IN ('building', 'generated', 'submitting', 'submitted',
                                      'acked', 'partially_acked', 'rejected', 'failed')),
    tr_message_id   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    submitted_at    timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_files_status ON report_files (tenant_id, status, created_at DESC);

CREATE TABLE report_items (
    id              bigserial PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    report_file_id  uuid NOT NULL REFERENCES report_files(id),
    event_id        uuid NOT NULL REFERENCES trade_events(id),
    position        integer NOT NULL,
    record_ref      text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acked', 'nacked')),
    tr_code         text,
    tr_message      text,
    UNIQUE (report_file_id, position),
    UNIQUE (report_file_id, event_id)
);
CREATE INDEX report_items_event ON report_items (event_id);

CREATE TABLE submissions (
    id              bigserial PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    report_file_id  uuid NOT NULL REFERENCES report_files(id),
    attempt         integer NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    http_status     integer,
    tr_message_id   text,
    outcome         text CHECK (outcome IN ('accepted', 'retry', 'failed')),
    error           text,
    UNIQUE (report_file_id, attempt)
);

CREATE TABLE tr_feedback (
    id              bigserial PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    report_file_id  uuid REFERENCES report_files(id),
    bucket          text NOT NULL,
    object_key      text NOT NULL,
    sha256          text NOT NULL,
    status          text NOT NULL DEFAULT 'received'
                    CHECK (status IN ('received', 'applied', 'duplicate', 'rejected')),
    ack_count       integer NOT NULL DEFAULT 0,
    nack_count      integer NOT NULL DEFAULT 0,
    error           text,
    received_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, sha256)
);

-- Queue (PostgreSQL adapter of the queue port) ---------------------------------------------------

CREATE TABLE queue_messages (
    id                 bigserial PRIMARY KEY,
    queue              text NOT NULL,
    tenant_id          uuid REFERENCES tenants(id),
    body               jsonb NOT NULL,
    dedup_id           text,
    receipt            uuid,                          -- changes on every receive
    receive_count      integer NOT NULL DEFAULT 0,
    max_receives       integer NOT NULL DEFAULT 5 CHECK (max_receives > 0),
    visible_at         timestamptz NOT NULL DEFAULT now(),
    sent_at            timestamptz NOT NULL DEFAULT now(),
    first_received_at  timestamptz,
    last_error         text
);
CREATE INDEX queue_messages_ready ON queue_messages (queue, visible_at, id);
CREATE UNIQUE INDEX queue_messages_dedup ON queue_messages (queue, dedup_id)
    WHERE dedup_id IS NOT NULL;

CREATE TABLE dead_letters (
    id             bigserial PRIMARY KEY,
    queue          text NOT NULL,
    message_id     bigint NOT NULL,
    tenant_id      uuid REFERENCES tenants(id),
    body           jsonb NOT NULL,
    dedup_id       text,
    receive_count  integer NOT NULL,
    last_error     text,
    sent_at        timestamptz NOT NULL,
    dead_at        timestamptz NOT NULL DEFAULT now(),
    redriven_at    timestamptz
);
CREATE INDEX dead_letters_queue ON dead_letters (queue, dead_at) WHERE redriven_at IS NULL;

-- Effects already done per consumer and message: a redelivered message is acked, not redone.
CREATE TABLE processed_messages (
    consumer      text NOT NULL,
    message_key   text NOT NULL,
    tenant_id     uuid REFERENCES tenants(id),
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_key)
);

-- Operations -----------------------------------------------------------------------------------

CREATE TABLE activations (
    id           text PRIMARY KEY,                  -- the platform's activation id
    action       text NOT NULL,
    tenant_id    uuid REFERENCES tenants(id),
    trigger      text,
    started_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    duration_ms  integer,
    status       text NOT NULL CHECK (status IN ('running', 'success', 'application_error',
                                                 'developer_error', 'timeout')),
    cold_start   boolean,
    result       jsonb,
    error        text,
    logs         text
);
CREATE INDEX activations_action ON activations (action, started_at DESC);
CREATE INDEX activations_started ON activations (started_at DESC);

CREATE TABLE alerts (
    id             bigserial PRIMARY KEY,
    tenant_id      uuid REFERENCES tenants(id),
    kind           text NOT NULL,
    severity       text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    dedup_key      text NOT NULL,
    summary        text NOT NULL,
    details        jsonb NOT NULL DEFAULT '{}',
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acked', 'resolved')),
    occurrences    integer NOT NULL DEFAULT 1,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    acked_by       text,
    acked_at       timestamptz
);
CREATE UNIQUE INDEX alerts_open_dedup ON alerts (coalesce(tenant_id::text, ''), dedup_key)
    WHERE status <> 'resolved';

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    tenant_id    uuid REFERENCES tenants(id),
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    actor_type   text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system', 'anonymous')),
    action       text NOT NULL,
    entity_type  text,
    entity_id    text,
    before       jsonb,
    after        jsonb,
    request_id   text
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at DESC);

-- Row-level security on every table that carries a tenant --------------------------------------

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'tenants', 'users', 'api_keys', 'ingest_files', 'raw_rows', 'trade_events', 'trades',
        'validation_issues', 'report_files', 'report_items', 'submissions', 'tr_feedback',
        'queue_messages', 'dead_letters', 'processed_messages', 'activations', 'alerts',
        'audit_log'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        -- FORCE: the owning role (which the application may use) is bound by the policy too.
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING (app.is_system() OR tenant_id = app.current_tenant()) '
            'WITH CHECK (app.is_system() OR tenant_id = app.current_tenant())', t);
    END LOOP;
END $$;
