// Shapes of GET /api/alerts and POST /api/alerts/{id}/ack (shared/services/reads/alerts.py).

export const ALERT_STATUSES = ["open", "acked", "resolved"] as const;
export const ALERT_SEVERITIES = ["info", "warning", "critical"] as const;
/** The monitor's alert kinds (docs/MONITOR.md), offered as suggestions: the filter is exact. */
export const ALERT_KINDS = [
  "deadline.late", "deadline.at_risk", "tr.nack", "tr.silence", "files.stuck", "queue.lease_expired",
  "reconciliation.breaks", "anomaly.volume_drop", "anomaly.volume_spike", "anomaly.rejection_spike",
];

export interface Alert {
  id: number | string;
  kind: string;
  severity: string;
  summary: string;
  details: Record<string, unknown> | null;
  status: string;
  occurrences: number;
  first_seen_at: string;
  last_seen_at: string;
  acked_by: string | null;
  acked_at: string | null;
  resolved_at: string | null;
}

export interface ItemOutcome {
  id: string;
  outcome: string;
  ok: boolean;
  message: string;
}
