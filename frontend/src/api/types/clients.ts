// Shapes of GET /api/clients, /api/clients/{lei}/reports and /api/clients/{lei}/daily
// (shared/services/clients.py, shared/api/routes/clients.py).
import { enumOf, type Schemas } from "./spec";

export type Client = Schemas["Client"];
export type ClientReport = Schemas["ClientReport"];

export const CLIENT_REPORT_STATUSES = enumOf<ClientReport["status"]>()(["pending", "acked", "nacked"]);
