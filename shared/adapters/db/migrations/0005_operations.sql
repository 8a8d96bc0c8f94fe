-- Operator actions (docs/PIPELINE.md "Operator actions"): repair, resubmit, cancel, redrive,
-- issue triage and alert acks, each audited with who, when, before and after.

-- Who, by a key that survives a rename: the user's, API key's or process's id beside the name
-- shown in `actor`. NULL for rows the pipeline stages write (their actor is the stage).
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS actor_id text;

-- The console's history of one event, issue or alert: newest first.
CREATE INDEX IF NOT EXISTS audit_log_entity
    ON audit_log (tenant_id, entity_type, entity_id, at DESC);

-- A repaired event points at the version it replaced; finding the newer version of an event
-- ("superseded by ...") is a lookup on that pointer.
CREATE INDEX IF NOT EXISTS trade_events_supersedes
    ON trade_events (supersedes) WHERE supersedes IS NOT NULL;
