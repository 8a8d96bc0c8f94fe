import { useT } from "../../i18n";
import { flatten } from "../trade/fields";
import { JsonView } from "./JsonView";

const MAX_TEXT = 120;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function text(value: unknown): string {
  if (value === undefined) return "∅";
  const s = typeof value === "string" ? value : JSON.stringify(value);
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}

export interface Change {
  field: string;
  before: unknown;
  after: unknown;
}

/** The fields whose value differs between two audit snapshots (a creation: every field of
 * `after`; a deletion: every field of `before`), nested objects walked into dotted paths and
 * lists of objects by index (`fields.legs[0].fixed_rate`), as the trade detail names them, so
 * a repair's change reads per field, not as a JSON object. Non-objects compare as one value. */
export function changedFields(before: unknown, after: unknown): Change[] {
  if (!isRecord(before) && !isRecord(after)) {
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ field: "", before, after }];
  }
  const b = new Map(flatten(isRecord(before) ? before : {}));
  const a = new Map(flatten(isRecord(after) ? after : {}));
  const fields = [...new Set([...b.keys(), ...a.keys()])].filter(Boolean).sort();
  return fields
    .filter((f) => JSON.stringify(b.get(f)) !== JSON.stringify(a.get(f)))
    .map((field) => ({ field, before: b.get(field), after: a.get(field) }));
}

/** A compact before → after of an audit row, with both snapshots in full behind a disclosure. */
export function ChangeDiff({ before, after }: { before: unknown; after: unknown }) {
  const t = useT();
  const changes = changedFields(before, after);
  // A creation has no before, a deletion no after: show only the side there is.
  const hasBefore = before !== null && before !== undefined;
  const hasAfter = after !== null && after !== undefined;
  if (!hasBefore && !hasAfter) return <span className="muted">—</span>;
  return (
    <div className="change-diff">
      {changes.length === 0 ? (
        <span className="muted">{t("audit.no_change")}</span>
      ) : (
        <ul>
          {changes.map((c) => (
            <li key={c.field}>
              {c.field && <><code>{c.field}</code>: </>}
              {hasBefore && <span className="before"><span className="sr-only">{t("audit.before")} </span>{text(c.before)}</span>}
              {hasBefore && hasAfter && " → "}
              {hasAfter && <span className="after"><span className="sr-only">{t("audit.after")} </span>{text(c.after)}</span>}
            </li>
          ))}
        </ul>
      )}
      <JsonView summary={t("audit.full")} value={{ before, after }} />
    </div>
  );
}
