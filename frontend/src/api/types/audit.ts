// Shape of GET /api/audit (shared/services/reads/audit.py).
import type { Schemas } from "./spec";

export type AuditEntry = Schemas["AuditEntry"];
