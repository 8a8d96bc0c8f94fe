// Four-eyes approval (shared/api/routes/approvals.py, docs/API.md "Approvals (four eyes)"): the
// requests held for a second user, their decision, the tenant's policy, and the 202 answer of an
// action the policy holds.
import { enumOf, type Schemas } from "./spec";

export type ApprovalRequest = Schemas["ApprovalRequest"];
export type ApprovalKind = ApprovalRequest["kind"];
export type ApprovalStatus = ApprovalRequest["status"];
/** The 202 of a repair, bulk repair, cancellation or resubmission the policy holds: nothing done. */
export type PendingApproval = Schemas["PendingApproval"];
export type FourEyesPolicy = Schemas["FourEyesPolicy"];
export type FourEyesThresholds = Schemas["FourEyesThresholds"];

export const APPROVAL_KINDS = enumOf<ApprovalKind>()(["repair", "bulk_repair", "cancel", "resubmit", "backload"]);
export const APPROVAL_STATUSES = enumOf<ApprovalStatus>()(["pending", "approved", "rejected", "expired"]);
/** The highest threshold the API takes per action: what one request of it can carry
 * (shared/domain/approvals.py MAX_EVENTS_PER_REQUEST), and the validity. */
export const MAX_THRESHOLD: Record<ApprovalKind, number> = { repair: 1, bulk_repair: 500, cancel: 1000, resubmit: 1000, backload: 10_000_000 };
export const VALIDITY_HOURS = { min: 1, max: 720, default: 72 } as const;
/** One user's events of an action within this many hours add up towards its threshold; 0: off. */
export const WINDOW_HOURS = { min: 0, max: 720, default: 24 } as const;

/** True for the 202 answer: the action waits for another user's approval and did nothing yet. */
export function isHeld<T extends object>(answer: T | PendingApproval): answer is PendingApproval {
  return (answer as { status?: unknown }).status === "pending_approval" && "approval" in answer;
}

/** The window event screens send after an act that may change the pending count (the nav's badge
 * reads it again). */
export const APPROVALS_CHANGED = "swaprep:approvals-changed";
export const approvalsChanged = (): void => void window.dispatchEvent(new Event(APPROVALS_CHANGED));
