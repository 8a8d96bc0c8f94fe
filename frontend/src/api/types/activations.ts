// Shape of GET /api/activations (shared/services/reads/activations.py): logs stay out of lists.

export const ACTIVATION_STATUSES = ["running", "success", "application_error", "developer_error", "timeout"] as const;
/** The pipeline's actions (functions/), offered as suggestions: the filter is exact. */
export const ACTION_NAMES = ["ingest", "process", "validate", "generate", "submit", "feedback", "api"];

export interface Activation {
  id: string;
  action: string;
  trigger: string | null;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  status: string;
  cold_start: boolean | null;
  result: unknown;
  error: string | null;
}
