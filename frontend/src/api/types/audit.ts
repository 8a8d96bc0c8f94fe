// Shape of GET /api/audit (shared/services/reads/audit.py).
import { enumOf, type QueryOf, type Schemas } from "./spec";

export type AuditEntry = Schemas["AuditEntry"];
type AuditQuery = QueryOf<"/api/audit", "get">;
// The columns GET /api/audit sorts by (checked against the spec's enum).
export const AUDIT_SORTS = enumOf<NonNullable<AuditQuery["sort"]>>()(["at", "action", "actor"]);
