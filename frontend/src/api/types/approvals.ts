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

export const APPROVAL_KINDS = enumOf<ApprovalKind>()(["repair", "bulk_repair", "cancel", "resubmit"]);
export const APPROVAL_STATUSES = enumOf<ApprovalStatus>()(["pending", "approved", "rejected", "expired"]);
/** The thresholds the API takes (shared/domain/approvals.py MAX_THRESHOLD) and the validity. */
export const MAX_THRESHOLD = 1_000_000;
export const VALIDITY_HOURS = { min: 1, max: 720, default: 72 } as const;

/** True for the 202 answer: the action waits for another user's approval and did nothing yet. */
export function isHeld<T extends object>(answer: T | PendingApproval): answer is PendingApproval {
  return (answer as { status?: unknown }).status === "pending_approval" && "approval" in answer;
}

/** The window event screens send after an act that may change the pending count (the nav's badge
 * reads it again). */
export const APPROVALS_CHANGED = "swaprep:approvals-changed";
export const approvalsChanged = (): void => void window.dispatchEvent(new Event(APPROVALS_CHANGED));
