// Shape of GET /api/audit (shared/services/reads/audit.py).

export interface AuditEntry {
  id: number | string;
  at: string;
  actor: string;
  actor_id: string | null;
  actor_type: "user" | "api_key" | "system" | "anonymous" | string;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
}
