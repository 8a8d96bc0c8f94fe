// Shapes of the reconciliation routes (shared/services/reads/reconciliation.py): the breaks
// between the TRs' end-of-day reports and our books, the figures, one trade's TR view.
import { enumOf, type QueryOf, type Schemas } from "./spec";

export type TrBreak = Schemas["TrBreak"];
export type TrSummary = Schemas["TrSummary"];
export type TrView = Schemas["TrView"];
export type FieldDifference = Schemas["FieldDifference"];
export type BreaksQuery = QueryOf<"/api/reconciliation/breaks", "get">;

export const BREAK_STATUSES = enumOf<TrBreak["status"]>()(["open", "assigned", "resolved", "cleared"]);
export const BREAK_KINDS = enumOf<TrBreak["kind"]>()(["at_tr_only", "open_at_tr", "missing_at_tr", "field_mismatch"]);
/** The regimes whose TRs send the end-of-day reports read here (shared.domain.reconciliation.REGIMES). */
export const TR_REPORT_REGIMES = ["emir", "uk-emir"] as const;
/** Live breaks: what the screen lists unless asked otherwise. */
export const LIVE_STATUSES: TrBreak["status"][] = ["open", "assigned"];
