// Back-load jobs (shared/api/routes/backloads.py, docs/API.md "Back-loads"): the dry run, the jobs
// with their progress, and the states a job moves through. The monitor's tick works jobs off.
import { enumOf, type Schemas } from "./spec";

export type BackloadJob = Schemas["BackloadJob"];
export type BackloadPlanResult = Schemas["BackloadPlanResult"];
export type BackloadStatus = BackloadJob["status"];

export const BACKLOAD_STATUSES = enumOf<BackloadStatus>()(["ready", "running", "paused", "done", "cancelled"]);
/** What each control may do from each state (shared/services/operations/backload.py set_status). */
export const CONTROLS: Record<"pause" | "resume" | "cancel", BackloadStatus[]> = {
  pause: ["ready", "running"],
  resume: ["paused"],
  cancel: ["ready", "running", "paused"],
};
