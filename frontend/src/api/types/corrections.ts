// Shapes of the verification and correction routes (shared/services/operations/verification.py):
// the verification log, the correction clocks and the drafted regulator notice.
import { enumOf, type Schemas } from "./spec";

export type Verification = Schemas["Verification"];
export type CorrectionClock = Schemas["CorrectionClock"];
export type CorrectionNotice = Schemas["CorrectionNotice"];
export type VerificationResult = Schemas["VerificationResult"];

export const CLOCK_STATES = enumOf<CorrectionClock["state"]>()(["on_track", "at_risk", "late", "resolved"]);
/** Unresolved clocks: what the screen lists unless asked otherwise. */
export const LIVE_CLOCK_STATES: CorrectionClock["state"][] = ["on_track", "at_risk", "late"];
/** The regimes a notice is drafted for from the screen (the ones with a prescribed notice). */
export const NOTICE_REGIMES = ["cftc-part45", "emir", "uk-emir"] as const;
