-- Sign-in (issue #5): refresh tokens and the per-username failure throttle.

-- Refresh tokens: opaque 256-bit secrets, stored as sha256 (like API keys: nobody can guess
-- them, so a slow hash adds nothing). Each refresh rotates the token: the old row gets
-- `rotated_at` and a new row joins the same `family_id`. Presenting a rotated token again means
-- it was copied, so the whole family is revoked (the thief's and the owner's sessions end).
CREATE TABLE refresh_tokens (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    user_id         uuid NOT NULL REFERENCES users(id),
    family_id       uuid NOT NULL,
    parent_id       uuid REFERENCES refresh_tokens(id),
    token_hash      text NOT NULL UNIQUE CHECK (token_hash ~ '^sha256:[0-9a-f]{64}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    rotated_at      timestamptz,
    revoked_at      timestamptz,
    revoked_reason  text CHECK (revoked_reason IN ('logout', 'reuse', 'user_changed',
                                                  'user_disabled'))
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON refresh_tokens
    USING (app.is_system() OR tenant_id = app.current_tenant())
    WITH CHECK (app.is_system() OR tenant_id = app.current_tenant());

-- Failed sign-ins per attempted username (lower-cased), so the stateless api action can
-- throttle guessing. Not tenant-owned: an unknown username has no tenant, and answering
-- unknown and known names alike is the point.
CREATE TABLE sign_in_failures (
    id        bigserial PRIMARY KEY,
    username  text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_username ON sign_in_failures (username, at DESC);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
