import { useState, type FormEvent } from "react";
import { useT } from "../../i18n";

/** One filter of a list screen. Dates are local calendar days (YYYY-MM-DD) in the URL; the API
 * gets the instants that bound them: a "start" field the day's first instant, an "end" field the
 * next day's (the API's ranges are [from, to)), so "to 20 Nov" includes the whole of 20 Nov. */
export type FilterField =
  | { kind: "text"; name: string; label: string; maxLength: number; suggestions?: readonly string[]; hint?: string }
  | { kind: "checks"; name: string; label: string; options: readonly string[]; optionLabel?: (value: string) => string }
  | { kind: "date"; name: string; label: string; bound: "start" | "end" };

export type FilterValues = Record<string, string | string[]>;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The instant a local day starts (`nextDay`: the day after it), as ISO 8601 UTC; null if not a date. */
export function localDayStart(day: string, nextDay = false): string | null {
  const match = DAY.exec(day);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + (nextDay ? 1 : 0));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Filters as the URL holds them (a filtered list can be bookmarked and shared); unknown values dropped. */
export function filterValues(fields: FilterField[], params: URLSearchParams): FilterValues {
  const values: FilterValues = {};
  for (const f of fields) {
    const raw = params.get(f.name) ?? "";
    if (f.kind === "checks") values[f.name] = raw.split(",").filter((v) => f.options.includes(v));
    else if (f.kind === "date") values[f.name] = DAY.test(raw) ? raw : "";
    else values[f.name] = raw.slice(0, f.maxLength);
  }
  return values;
}

/** The API's query for these filters: lists as comma lists, days as the instants bounding them. */
export function filterQuery(fields: FilterField[], values: FilterValues): Record<string, string | string[] | undefined> {
  const query: Record<string, string | string[] | undefined> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.kind === "date") query[f.name] = (typeof v === "string" && localDayStart(v, f.bound === "end")) || undefined;
    else if (Array.isArray(v)) query[f.name] = v.length ? v : undefined;
    else query[f.name] = v ? v : undefined;
  }
  return query;
}

const emptyValues = (fields: FilterField[]): FilterValues =>
  Object.fromEntries(fields.map((f) => [f.name, f.kind === "checks" ? [] : ""]));

/** A list's filter form: applied on submit (Enter in any field), cleared in one step. */
export function ListFilters({ id, fields, value, onApply }: {
  id: string;
  fields: FilterField[];
  value: FilterValues;
  onApply: (values: FilterValues) => void;
}) {
  const t = useT();
  const [draft, setDraft] = useState(value);
  const set = (name: string, v: string | string[]) => setDraft((d) => ({ ...d, [name]: v }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, typeof v === "string" ? v.trim() : v])));
  };
  return (
    <form className="filters" onSubmit={submit} aria-label={t("list.filters")} role="search">
      {fields.map((f) => {
        const fieldId = `${id}-${f.name}`;
        if (f.kind === "checks") {
          const chosen = (draft[f.name] as string[] | undefined) ?? [];
          return (
            <fieldset key={f.name} className="checks">
              <legend>{f.label}</legend>
              {f.options.map((o) => (
                <label key={o}>
                  <input type="checkbox" checked={chosen.includes(o)}
                    onChange={(e) => set(f.name, e.target.checked ? [...chosen, o] : chosen.filter((c) => c !== o))} />{" "}
                  {f.optionLabel ? f.optionLabel(o) : o}
                </label>
              ))}
            </fieldset>
          );
        }
        return (
          <div className="field" key={f.name}>
            <label htmlFor={fieldId}>{f.label}</label>
            {f.kind === "date" ? (
              <input id={fieldId} type="date" value={draft[f.name] as string} onChange={(e) => set(f.name, e.target.value)} />
            ) : (
              <>
                <input id={fieldId} value={draft[f.name] as string} maxLength={f.maxLength}
                  list={f.suggestions ? `${fieldId}-list` : undefined}
                  aria-describedby={f.hint ? `${fieldId}-hint` : undefined}
                  onChange={(e) => set(f.name, e.target.value)} />
                {f.hint && <span id={`${fieldId}-hint`} className="hint">{f.hint}</span>}
                {f.suggestions && (
                  <datalist id={`${fieldId}-list`}>
                    {f.suggestions.map((s) => <option key={s} value={s} />)}
                  </datalist>
                )}
              </>
            )}
          </div>
        );
      })}
      <div className="actions">
        <button type="submit">{t("list.apply")}</button>
        <button type="button" onClick={() => { const empty = emptyValues(fields); setDraft(empty); onApply(empty); }}>
          {t("list.clear")}
        </button>
      </div>
    </form>
  );
}
