import type { Schemas } from "../api/types/spec";
import { useT } from "../i18n";
import { codeLabel } from "./lists/labels";

/** One id's outcome in a bulk answer (POST /api/events/resubmit, /api/issues/assign, ...). */
export type ItemOutcome = Schemas["ItemOutcome"];
export type BulkOutcome = Schemas["BulkOutcome"];

/** What happened to each selected row: the totals announced, then one line per id with the
 * API's own words (why it was refused, what to do instead). */
export function BulkOutcomes({ outcome, labelFor }: { outcome: BulkOutcome; labelFor: (id: string) => string }) {
  const t = useT();
  return (
    <div className="outcomes">
      <p role="status">{t("bulk.summary", { ok: outcome.ok, refused: outcome.refused })}</p>
      <ul aria-label={t("bulk.list")}>
        {outcome.items.map((o) => (
          <li key={o.id} className={o.ok ? "ok" : "bad"} data-testid={`outcome-${o.id}`}>
            <code>{labelFor(o.id)}</code> <span className="badge">{codeLabel(t, "bulk_outcome", o.outcome)}</span>
            {o.message && <> {o.message}</>}
          </li>
        ))}
      </ul>
    </div>
  );
}
