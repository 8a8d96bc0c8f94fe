import { useState, type FormEvent } from "react";
import { useT } from "../i18n";
import { codeLabel, regimeLabel } from "./lists/labels";
import { ASSET_CLASSES, EVENT_STATES, REGIMES, type AssetClass, type EventState, type Regime } from "../api/types/trades";

export interface TradeFilterValues {
  q: string;
  counterparty: string;
  state: EventState[];
  asset_class: AssetClass[];
  regime: Regime[];
  /** Trades late or at risk now (the dashboard's tiles link here; #14 one truth). */
  due?: "late" | "at_risk";
}

export { ASSET_CLASSES, EVENT_STATES as STATES } from "../api/types/trades";

export const EMPTY_FILTERS: TradeFilterValues = { q: "", counterparty: "", state: [], asset_class: [], regime: [] };

const list = <T extends string>(params: URLSearchParams, key: string, allowed: readonly T[]): T[] =>
  (params.get(key) ?? "").split(",").filter((v): v is T => (allowed as readonly string[]).includes(v));

/** Filters as the URL holds them (so a filtered list can be bookmarked and shared). */
export function filtersFromParams(params: URLSearchParams): TradeFilterValues {
  return {
    q: params.get("q") ?? "",
    counterparty: params.get("counterparty") ?? "",
    state: list(params, "state", EVENT_STATES),
    asset_class: list(params, "asset_class", ASSET_CLASSES),
    regime: list(params, "regime", REGIMES),
    ...(params.get("due") === "late" || params.get("due") === "at_risk" ? { due: params.get("due") as "late" | "at_risk" } : {}),
  };
}

function MultiSelect<T extends string>({ id, label, options, value, onChange, optionLabel = (o) => o }: {
  id: string; label: string; options: readonly T[]; value: T[]; onChange: (v: T[]) => void;
  optionLabel?: (option: T) => string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} multiple size={Math.min(options.length, 5)} value={value}
        onChange={(e) => onChange([...e.target.selectedOptions].map((o) => o.value as T))}>
        {options.map((o) => (
          <option key={o} value={o}>{optionLabel(o)}</option>
        ))}
      </select>
    </div>
  );
}

/** The trades filter form: applied on submit (Enter in any field), cleared in one step. */
export function TradeFilters({ value, onApply }: { value: TradeFilterValues; onApply: (v: TradeFilterValues) => void }) {
  const t = useT();
  const [draft, setDraft] = useState(value);
  const set = <K extends keyof TradeFilterValues>(key: K, v: TradeFilterValues[K]) => setDraft((d) => ({ ...d, [key]: v }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({ ...draft, q: draft.q.trim(), counterparty: draft.counterparty.trim() });
  };
  return (
    <form className="filters" onSubmit={submit} aria-label={t("trades.filters")} role="search">
      <div className="field">
        <label htmlFor="f-q">{t("trades.q")}</label>
        <input id="f-q" type="search" value={draft.q} onChange={(e) => set("q", e.target.value)} maxLength={100}
          aria-describedby="f-q-hint" />
        <span id="f-q-hint" className="hint">{t("trades.q_hint")}</span>
      </div>
      <div className="field">
        <label htmlFor="f-cp">{t("trades.counterparty")}</label>
        <input id="f-cp" value={draft.counterparty} onChange={(e) => set("counterparty", e.target.value)} maxLength={200} />
      </div>
      <MultiSelect id="f-state" label={t("trades.state")} options={EVENT_STATES} value={draft.state} onChange={(v) => set("state", v)}
        optionLabel={(o) => codeLabel(t, "state", o)} />
      <MultiSelect id="f-ac" label={t("trades.asset_class")} options={ASSET_CLASSES} value={draft.asset_class}
        onChange={(v) => set("asset_class", v)} optionLabel={(o) => codeLabel(t, "asset_class", o)} />
      <MultiSelect id="f-regime" label={t("trades.regime")} options={REGIMES} value={draft.regime} onChange={(v) => set("regime", v)}
        optionLabel={(o) => regimeLabel(t, o)} />
      <div className="actions">
        <button type="submit">{t("trades.apply")}</button>
        <button type="button" onClick={() => { setDraft(EMPTY_FILTERS); onApply(EMPTY_FILTERS); }}>
          {t("trades.clear")}
        </button>
      </div>
    </form>
  );
}
