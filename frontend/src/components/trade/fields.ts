// A canonical event's payload (shared/domain/model.py TradeEvent, as stored: defaults left out)
// read for people: field paths as validation issues and repairs name them (`legs[0].fixed_rate`),
// labelled per field ("Leg 1 · fixed rate"), values as text, never JSON.
import { en, type MessageKey } from "../../i18n/en";
import type { Lang, Translate } from "../../i18n";

export type Payload = Record<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every leaf of `payload` as [path, value]: objects walked into dotted paths, lists of objects by
 * index (`legs[0].notional.amount`), lists of scalars kept whole. The server's diff walks alike
 * (shared/services/reads/diffs.py), so a first version's fields and later diffs name the same. */
export function flatten(payload: unknown, path = "", out: [string, unknown][] = []): [string, unknown][] {
  if (isRecord(payload) && (Object.keys(payload).length > 0 || !path)) {
    for (const [key, inner] of Object.entries(payload)) flatten(inner, path ? `${path}.${key}` : key, out);
  } else if (Array.isArray(payload) && payload.length > 0 && payload.every(isRecord)) {
    payload.forEach((inner, i) => flatten(inner, `${path}[${i}]`, out));
  } else {
    out.push([path, payload]);
  }
  return out;
}

/** The value at `path` (`legs[0].notional.amount`), undefined when absent. */
export function valueAt(payload: unknown, path: string): unknown {
  let here: unknown = payload;
  for (const part of path.split(/\.|(?=\[)/)) {
    const index = /^\[(\d+)\]$/.exec(part);
    if (index) here = Array.isArray(here) ? here[Number(index[1])] : undefined;
    else here = isRecord(here) ? here[part] : undefined;
    if (here === undefined) return undefined;
  }
  return here;
}

/** A value as text: a scalar as it is, a list of scalars joined, anything else as `key value`
 * pairs; "—" for none. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "✓" : "✗";
  if (Array.isArray(value)) return value.length ? value.map(valueText).join(", ") : "—";
  if (isRecord(value)) {
    if (value.multiplier !== undefined && value.unit !== undefined) return `${String(value.multiplier)} ${String(value.unit)}`; // a Period
    if (value.amount !== undefined && value.currency !== undefined && Object.keys(value).length === 2) return `${amountText(value.amount)} ${String(value.currency)}`;
    return flatten(value).map(([k, v]) => `${k} ${valueText(v)}`).join(", ") || "—";
  }
  return String(value);
}

/** The name of one field (`fixed_rate`): translated when the console knows it, else the
 * model's identifier: made readable in English ("fixed rate"), as it is in Korean (an English
 * word on a Korean screen would read as untranslated; an identifier reads as a code). */
export function fieldName(t: Translate, name: string, lang: Lang = "en"): string {
  const key = `trade.field.${name}`;
  if (Object.hasOwn(en, key)) return t(key as MessageKey);
  return lang === "en" ? name.replace(/_/g, " ") : name;
}

/** A path for people: `legs[0].fixed_rate` → "Leg 1 · fixed rate", `counterparty_2.identifier` →
 * "counterparty 2 · identifier". */
export function fieldLabel(t: Translate, path: string, lang: Lang = "en"): string {
  if (!path) return "—";
  return path
    .split(".")
    .flatMap((part) => {
      const m = /^(\w+)((?:\[\d+\])+)$/.exec(part);
      if (!m) return [fieldName(t, part, lang)];
      const indexes = [...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]) + 1);
      return m[1] === "legs"
        ? indexes.map((n) => t("trade.leg", { n }))
        : [`${fieldName(t, m[1], lang)} ${indexes.map((n) => `#${n}`).join(" ")}`];
    })
    .join(" · ");
}

/** Thousands separators for an amount the API sends as a decimal string. */
export function amountText(amount: unknown): string {
  if (typeof amount !== "string" && typeof amount !== "number") return valueText(amount);
  const [whole, fraction] = String(amount).split(".");
  if (!/^-?\d+$/.test(whole)) return String(amount);
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${fraction ? `.${fraction}` : ""}`;
}

export interface Line {
  label: string;
  value: string;
  /** the payload path it shows (a title for the precise name) */
  path: string;
  /** an instant (UTC ISO) to show in the user's zone instead of `value` */
  instant?: string;
}

const money = (m: unknown): string =>
  isRecord(m) && m.amount !== undefined ? `${amountText(m.amount)} ${valueText(m.currency ?? "")}`.trim() : valueText(m);

const party = (p: unknown): string => {
  if (!isRecord(p)) return valueText(p);
  return [p.identifier, p.name ? `(${String(p.name)})` : ""].filter(Boolean).join(" ");
};

/** The trade's main fields, as an ops person reads a ticket: counterparties with names, product,
 * each leg's notional and rate, dates, clearing, venue. Absent fields are left out. */
export function mainFields(t: Translate, payload: Payload): Line[] {
  const lines: Line[] = [];
  const add = (label: MessageKey, path: string, value: string) => {
    if (value !== "—" && value !== "") lines.push({ label: t(label), value, path });
  };
  add("trade.main.trade_id", "trade_id", valueText(payload.trade_id));
  add("trade.main.counterparty_1", "counterparty_1", party(payload.counterparty_1));
  add("trade.main.counterparty_2", "counterparty_2", party(payload.counterparty_2));
  const product = isRecord(payload.product) ? payload.product : {};
  add("trade.main.product", "product",
    [product.product_name ?? product.instrument_type, product.asset_class, product.contract_type, product.upi]
      .filter((v) => v !== undefined && v !== null && v !== "").map(String).join(" · ") || "—");
  const legs = Array.isArray(payload.legs) ? payload.legs : [];
  legs.forEach((leg, i) => {
    if (!isRecord(leg)) return;
    const rate = leg.fixed_rate !== undefined
      ? t("trade.main.fixed", { rate: valueText(leg.fixed_rate) })
      : leg.floating_index !== undefined
        ? [leg.floating_index, leg.floating_tenor ? valueText(leg.floating_tenor) : "", leg.spread !== undefined ? `+ ${valueText(leg.spread)}` : ""]
          .filter(Boolean).join(" ")
        : "";
    const value = [money(leg.notional), rate].filter((v) => v && v !== "—").join(" · ");
    if (value) lines.push({ label: t("trade.leg", { n: i + 1 }), value, path: `legs[${i}]` });
  });
  if (typeof payload.execution_timestamp === "string") {
    lines.push({ label: t("trade.main.execution"), value: payload.execution_timestamp, path: "execution_timestamp", instant: payload.execution_timestamp });
  }
  add("trade.main.effective", "effective_date", valueText(payload.effective_date));
  add("trade.main.expiration", "expiration_date", valueText(payload.expiration_date));
  const clearing = isRecord(payload.clearing) ? payload.clearing : {};
  // Left out of the payload when it is the model's default: not cleared.
  add("trade.main.cleared", "clearing.cleared",
    [t(clearing.cleared === "Y" ? "trade.main.cleared_yes" : clearing.cleared === "I" ? "trade.main.cleared_intended" : "trade.main.cleared_no"),
      clearing.ccp ? String(clearing.ccp) : ""].filter(Boolean).join(" · "));
  add("trade.main.venue", "execution_venue", valueText(payload.execution_venue));
  return lines;
}
