-- Issue 17: a tenant's legal entities and branches with their status per regime, its
-- delegation agreements with clients, and the routing decision on each event
-- (shared.domain.obligations). Statuses are checked against the regime registry by the domain
-- before they are saved; the database keeps them tenant-isolated and referentially whole.
CREATE TABLE legal_entities (
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    entity_id    text NOT NULL CHECK (entity_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind         text NOT NULL CHECK (kind IN ('head_office', 'branch', 'subsidiary')),
    country      text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    lei          text CHECK (lei ~ '^[0-9A-Z]{18}[0-9]{2}$'),
    parent       text,
    statuses     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(statuses) = 'object'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, entity_id),
    FOREIGN KEY (tenant_id, parent) REFERENCES legal_entities (tenant_id, entity_id),
    CHECK ((kind = 'branch') = (parent IS NOT NULL)),
    CHECK (kind = 'branch' OR lei IS NOT NULL)
);
CREATE INDEX legal_entities_lei ON legal_entities (tenant_id, lei);

CREATE TABLE delegation_agreements (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    client_lei     text NOT NULL CHECK (client_lei ~ '^[0-9A-Z]{18}[0-9]{2}$'),
    client_name    text NOT NULL CHECK (length(client_name) BETWEEN 1 AND 200),
    regime         text NOT NULL,
    capacity       text NOT NULL CHECK (capacity IN ('mandatory', 'voluntary')),
    delegate       text NOT NULL,
    valid_from     date NOT NULL,
    valid_to       date CHECK (valid_to IS NULL OR valid_to >= valid_from),
    client_status  text,
    opted_out      boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, delegate) REFERENCES legal_entities (tenant_id, entity_id)
);
CREATE INDEX delegation_agreements_client ON delegation_agreements (tenant_id, client_lei);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['legal_entities', 'delegation_agreements'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING (app.is_system() OR tenant_id = app.current_tenant()) '
            'WITH CHECK (app.is_system() OR tenant_id = app.current_tenant())', t);
    END LOOP;
END $$;

-- The routing decision (shared.domain.obligations.routing.Routing.as_dict) of each event:
-- which reports it owes, by whom, and why; NULL for events stored before it existed.
ALTER TABLE trade_events ADD COLUMN routing jsonb;
