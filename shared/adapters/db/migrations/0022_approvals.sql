-- Issue 17: four-eyes approval of operator actions (shared.domain.approvals). A tenant's
-- policy (which actions over how many events wait for a second user) and the requests that
-- wait: what was asked (the action's own request body), by whom, until when, and who decided.
ALTER TABLE tenants ADD COLUMN four_eyes jsonb NOT NULL DEFAULT '{}'::jsonb
    CHECK (jsonb_typeof(four_eyes) = 'object');

CREATE TABLE approval_requests (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants(id),
    kind               text NOT NULL CHECK (kind IN ('repair', 'bulk_repair', 'cancel',
                                                     'resubmit')),
    request            jsonb NOT NULL,
    events             integer NOT NULL CHECK (events > 0),
    requested_by       text NOT NULL,
    requested_by_name  text NOT NULL,
    requested_at       timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL,
    status             text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    decided_by         text,
    decided_by_name    text,
    decided_at         timestamptz,
    note               text,
    outcome            jsonb,
    -- the database's own guard on four eyes: nobody approves their own request (withdrawing
    -- it, a rejection by the requester, is allowed)
    CHECK (status <> 'approved' OR decided_by <> requested_by)
);
CREATE INDEX approval_requests_pending ON approval_requests (tenant_id, requested_at)
    WHERE status = 'pending';
CREATE INDEX approval_requests_recent ON approval_requests (tenant_id, requested_at DESC);
ALTER TABLE approval_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE approval_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON approval_requests
    USING (app.is_system() OR tenant_id = app.current_tenant())
    WITH CHECK (app.is_system() OR tenant_id = app.current_tenant());
