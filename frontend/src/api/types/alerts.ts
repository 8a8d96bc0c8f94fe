// Shapes of GET /api/alerts and POST /api/alerts/{id}/ack (shared/services/reads/alerts.py).
import { enumOf, type QueryOf, type Schemas } from "./spec";

export type Alert = Schemas["Alert"];
export type ItemOutcome = Schemas["ItemOutcome"];

export const ALERT_STATUSES = enumOf<Alert["status"]>()(["open", "acked", "resolved"]);
export const ALERT_SEVERITIES = enumOf<Alert["severity"]>()(["info", "warning", "critical"]);
/** The monitor's alert kinds (docs/MONITOR.md), offered as suggestions: the filter is exact. */
export const ALERT_KINDS = [
  "deadline.late", "deadline.at_risk", "tr.nack", "tr.silence", "files.stuck", "queue.lease_expired",
  "reconciliation.breaks", "anomaly.volume_drop", "anomaly.volume_spike", "anomaly.rejection_spike",
];

type AlertsQuery = QueryOf<"/api/alerts", "get">;
// The columns GET /api/alerts sorts by (checked against the spec's enum); severity by rank.
export const ALERT_SORTS = enumOf<NonNullable<AlertsQuery["sort"]>>()(["last_seen_at", "severity", "kind"]);
