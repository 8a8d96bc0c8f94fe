// Shapes of GET /api/reports, /api/reports/{id} and /api/reports/{id}/download
// (shared/services/reads/reports.py, shared/api/routes/files.py).
import { enumOf, type QueryOf, type Schemas } from "./spec";

export type Submission = Schemas["Submission"];
export type ReportFile = Schemas["ReportFile"];
export type DownloadUrl = Schemas["DownloadUrl"];

export const REPORT_STATUSES = enumOf<ReportFile["status"]>()([
  "building", "generated", "submitting", "submitted", "acked", "partially_acked", "rejected", "failed",
]);
// The regimes a report file can be for are the trades' regimes (one list, api/types/trades.ts).
export { REGIMES as REPORT_REGIMES } from "./trades";

type ReportsQuery = QueryOf<"/api/reports", "get">;
// The columns GET /api/reports sorts by (checked against the spec's enum).
export const REPORT_SORTS = enumOf<NonNullable<ReportsQuery["sort"]>>()(["created_at", "regime", "status", "record_count"]);
