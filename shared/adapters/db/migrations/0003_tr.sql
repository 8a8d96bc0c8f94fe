-- Trade repository (TR) delivery: the circuit breaker per TR endpoint, and the TR's verdicts
-- kept where the console reads them.

-- One row per TR endpoint (regime). Its state must survive across activations: every
-- submit activation is a fresh process somewhere, so an in-memory breaker would never open.
-- Not tenant-owned (the TR is down for every tenant alike), hence no row-level security.
CREATE TABLE tr_circuit_breakers (
    name                  text PRIMARY KEY,              -- the regime, e.g. krx
    state                 text NOT NULL DEFAULT 'closed'
                          CHECK (state IN ('closed', 'open', 'half_open')),
    consecutive_failures  integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    opened_at             timestamptz,
    open_until            timestamptz,                   -- open: fail fast until then
    probe_until           timestamptz,                   -- half_open: one probe's lease
    last_error            text,
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- The TR's whole-file refusal (HTTP 400 code and message), and when feedback last moved it.
ALTER TABLE report_files
    ADD COLUMN reject_code    text,
    ADD COLUMN reject_reason  text,
    ADD COLUMN feedback_at    timestamptz;

-- Which TR message a feedback file spoke of (also for files that matched nothing).
ALTER TABLE tr_feedback
    ADD COLUMN tr_message_id  text,
    ADD COLUMN deliveries     integer NOT NULL DEFAULT 1,   -- a redelivered file counts here
    ADD COLUMN last_seen_at   timestamptz NOT NULL DEFAULT now();
CREATE INDEX tr_feedback_report_file ON tr_feedback (report_file_id);
