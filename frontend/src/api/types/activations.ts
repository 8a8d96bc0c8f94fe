// Shape of GET /api/activations (shared/services/reads/activations.py): logs stay out of lists.
import { enumOf, type Schemas } from "./spec";

export type Activation = Schemas["Activation"];

export const ACTIVATION_STATUSES = enumOf<Activation["status"]>()([
  "running", "success", "application_error", "developer_error", "timeout",
]);
/** The pipeline's actions (functions/), offered as suggestions: the filter is exact. */
export const ACTION_NAMES = ["ingest", "process", "validate", "generate", "submit", "feedback", "tr-reports", "api"];
