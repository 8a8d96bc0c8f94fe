// The values GET /api/trades filters by (shared/services/reads/filters.py TradesQuery): each list
// is checked against the spec's enum, so a state, asset class or regime the API adds fails `tsc`
// until the console offers it.
import { enumOf, type QueryOf } from "./spec";

export type TradesQuery = QueryOf<"/api/trades", "get">;
type Each<K extends keyof TradesQuery> = NonNullable<TradesQuery[K]> extends readonly (infer V)[] ? V : never;
export type EventState = Each<"state">;
export type AssetClass = Each<"asset_class">;
export type Regime = Each<"regime">;

export const EVENT_STATES = enumOf<EventState>()([
  "received", "invalid", "valid", "reported", "submitted", "acked", "nacked", "cancelled", "superseded", "not_reportable",
]);
export const ASSET_CLASSES = enumOf<AssetClass>()(["INTR", "CRDT", "CURR", "EQUI", "COMM"]);
export const REGIMES = enumOf<Regime>()([
  "krx", "cftc-part45", "emir", "uk-emir", "jfsa", "mas", "hkma", "asic", "cftc-part43",
]);
export type TradeSort = NonNullable<TradesQuery["sort"]>;
export type SortOrder = NonNullable<TradesQuery["order"]>;
export const TRADE_SORTS = enumOf<TradeSort>()(["updated_at", "executed_at", "uti", "trade_id", "state"]);

// The states a repair takes (shared/services/operations/repair.py REPAIRABLE): any other answers
// 409, so no repair is offered for it.
export const REPAIRABLE_STATES: readonly EventState[] = ["invalid", "nacked"];
export const isRepairable = (state: string | null | undefined): boolean =>
  (REPAIRABLE_STATES as readonly string[]).includes(state ?? "");
