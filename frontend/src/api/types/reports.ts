// Shapes of GET /api/reports, /api/reports/{id} and /api/reports/{id}/download
// (shared/services/reads/reports.py, shared/api/routes/files.py).

export const REPORT_STATUSES = [
  "building", "generated", "submitting", "submitted", "acked", "partially_acked", "rejected", "failed",
] as const;
export const REPORT_REGIMES = ["krx", "cftc-part45", "emir"] as const;

export interface Submission {
  attempt: number;
  started_at: string;
  finished_at: string | null;
  http_status: number | null;
  tr_message_id: string | null;
  outcome: "accepted" | "retry" | "failed" | null;
  error: string | null;
}

export interface ReportFile {
  id: string;
  regime: string;
  tr: string;
  object_key: string | null;
  record_count: number;
  status: string;
  tr_message_id: string | null;
  reject_code?: string | null;
  reject_reason?: string | null;
  created_at: string;
  submitted_at: string | null;
  feedback_at?: string | null;
  updated_at: string;
  items_by_status: { pending: number; acked: number; nacked: number } & Record<string, number>;
  submissions: Submission[];
}

export interface DownloadUrl {
  url: string;
  file_name: string;
  regime: string;
  expires_in: number;
  expires_at: string;
}
