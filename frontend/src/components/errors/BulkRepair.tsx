import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useApi } from "../../api/context";
import type { Schemas } from "../../api/types/spec";
import { number } from "../../format";
import { useT } from "../../i18n";
import { BulkOutcomes, type ItemOutcome } from "../BulkOutcomes";
import { HeldNotice } from "../HeldNotice";
import { ProblemBox } from "../States";
import { useBulkRun, type BulkProgress, type BulkSource } from "./useBulkRun";

type Item = Schemas["ErrorItem"];
type Kind = Schemas["ErrorGroup"]["kind"];
type IssueStatus = Schemas["EventIssue"]["status"];
type PreviewItem = Schemas["BulkRepairPreviewItem"];

export interface BulkRepairProps {
  kind: Kind;
  groupKey: string;
  status?: IssueStatus | null;
  /** Ids of the selected rows (the table's row keys: `String(item.id)`), or "all" matching. */
  selectedIds: string[] | "all";
  items: Item[]; // the loaded rows
  total?: number; // the group's count: how many "all" is
  canAct: boolean; // viewers may preview, not apply
  onDone?: () => void; // after an apply (also a cancelled one): reload the list and counts
}

/** The field and value every row shares, or null: a correction is only proposed for one
 * wrong value (rule issues carry it; a NACK when the TR's message names it). */
export function commonValue(rows: Item[]): { field: string; value: string } | null {
  const [first] = rows;
  if (!first?.field || first.value === null || first.value === undefined) return null;
  const same = rows.every((r) => r.field === first.field && r.value === first.value);
  return same ? { field: first.field, value: first.value } : null;
}

const eventOf = (i: Item) => i.event_id ?? null;
const FIRST_FAILURES = 5;

export function Progress({ progress, label }: { progress: BulkProgress; label: string }) {
  const t = useT();
  const width = progress.total > 0 ? Math.round((100 * progress.done) / progress.total) : 0;
  return (
    <div className="bulk-progress">
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={progress.total}
        aria-valuenow={progress.done} className="bar">
        <span style={{ width: `${width}%` }} />
      </div>
      <p>{t("bulkrepair.progress_text", { done: number(progress.done), total: number(progress.total),
        ok: number(progress.ok), refused: number(progress.refused) })}</p>
    </div>
  );
}

/** One correction for many events of an error group: the shared wrong value, a new value,
 * a preview (would pass / still fail), then "Apply to N" with progress and each one's outcome.
 * Over "all" matching rows it walks the group's pages; each change names the current value,
 * so a row whose value differs is refused by the API, never overwritten. */
export function BulkRepair({ kind, groupKey, status, selectedIds, items, total, canAct, onDone }: BulkRepairProps) {
  const api = useApi();
  const t = useT();
  const id = useId();
  const preview = useBulkRun<PreviewItem>();
  const apply = useBulkRun<ItemOutcome>();
  const [value, setValue] = useState("");
  const [previewed, setPreviewed] = useState<string | null>(null);
  const labels = useRef(new Map<string, string>());
  const summary = useRef<HTMLParagraphElement>(null);
  const outcome = useRef<HTMLDivElement>(null);

  const all = selectedIds === "all";
  const chosen = all ? items : items.filter((i) => selectedIds.includes(String(i.id)));
  const common = commonValue(chosen);
  const count = all ? total ?? items.length : chosen.length;
  const source: BulkSource = all ? { kind, groupKey, status } : { items: chosen };
  const newValue = value.trim();
  const busy = preview.running || apply.running;

  // the shared value (and so what was previewed) changes with the selection
  const fieldKey = common ? `${common.field}\u0000${common.value}\u0000${selectedIds}` : "";
  useEffect(() => setPreviewed(null), [fieldKey]);

  if (kind === "queue") return null;
  if (!common) {
    return <p className="bulk-repair note">{chosen.length === 0 ? t("bulkrepair.none") : t("bulkrepair.no_common")}</p>;
  }
  const changes = [{ field: common.field, value: newValue, current: common.value }];
  const remember = (rows: Item[]) => rows.forEach((r) => r.event_id && labels.current.set(r.event_id, r.uti ?? r.event_id));

  const runPreview = async (e: FormEvent) => {
    e.preventDefault();
    if (!newValue || busy) return;
    apply.reset();
    const asked = newValue;
    await preview.run({
      source, total: count, keyOf: eventOf,
      act: async (eventIds, rows) => {
        remember(rows);
        return api.call("post", "/api/events/repair/bulk", {}, { event_ids: eventIds, changes, preview: true }) as
          Promise<Schemas["BulkRepairPreview"]>;
      },
    });
    setPreviewed(asked);
    summary.current?.focus();
  };

  const runApply = async () => {
    if (busy || previewed !== newValue) return;
    await apply.run({
      source, total: count, keyOf: eventOf,
      act: async (eventIds, rows) => {
        remember(rows);
        // a BulkOutcome, or a PendingApproval when the four-eyes policy holds it (a preview
        // never is): the run stops there and says so
        return api.call("post", "/api/events/repair/bulk", {}, { event_ids: eventIds, changes }) as
          Promise<Schemas["BulkOutcome"] | Schemas["PendingApproval"]>;
      },
    });
    setPreviewed(null); // the rows changed: a new value needs a new preview
    outcome.current?.focus();
    onDone?.();
  };

  const pass = preview.outcomes.filter((o) => o.outcome === "would_pass").length;
  const fail = preview.outcomes.filter((o) => o.outcome === "would_fail").length;
  const refused = preview.outcomes.filter((o) => !o.ok).length;
  const failures = preview.outcomes.filter((o) => o.outcome !== "would_pass").slice(0, FIRST_FAILURES);
  const complete = previewed === newValue && !preview.running && !preview.error && !preview.cancelled;
  const label = (eventId: string) => labels.current.get(eventId) ?? eventId;
  const applied = apply.outcomes.filter((o) => o.ok).length;

  return (
    <section className="bulk-repair" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t("bulkrepair.title", { n: number(count) })}</h3>
      <form onSubmit={runPreview}>
        <p>
          {t("bulkrepair.current")} <code>{common.field}</code> = <code>{common.value}</code>
        </p>
        <div className="field">
          <label htmlFor={`${id}-value`}>{t("bulkrepair.new_value", { field: common.field })}</label>
          <input id={`${id}-value`} value={value} maxLength={500} autoComplete="off" spellCheck={false}
            onChange={(e) => setValue(e.target.value)} />
        </div>
        <div className="bulk-actions">
          <button type="submit" disabled={!newValue || newValue === common.value || busy}>{t("bulkrepair.preview")}</button>
          {canAct && (
            <button type="button" disabled={!complete || pass + fail === 0 || busy} onClick={() => void runApply()}>
              {t("bulkrepair.apply", { n: number(count) })}
            </button>
          )}
          {busy && <button type="button" onClick={() => (preview.running ? preview.cancel() : apply.cancel())}>{t("bulkrepair.cancel")}</button>}
        </div>
      </form>
      {preview.progress && preview.running && <Progress progress={preview.progress} label={t("bulkrepair.previewing")} />}
      {preview.error && <ProblemBox error={preview.error} />}
      {preview.progress && !preview.running && !preview.error && (
        <div className="bulk-preview">
          <p role="status" tabIndex={-1} ref={summary}>
            {t(preview.cancelled ? "bulkrepair.preview_cancelled" : "bulkrepair.preview_summary",
              { pass: number(pass), fail: number(fail), refused: number(refused) })}
          </p>
          {failures.length > 0 && (
            <ul aria-label={t("bulkrepair.first_failures")}>
              {failures.map((f) => (
                <li key={f.id}><code>{label(f.id)}</code> {f.message}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {apply.progress && <Progress progress={apply.progress} label={t("bulkrepair.applying")} />}
      {apply.error && <ProblemBox error={apply.error} />}
      {apply.held && <HeldNotice approval={apply.held.approval} notSent={apply.held.notSent} />}
      {apply.progress && !apply.running && !(apply.held && apply.outcomes.length === 0) && (
        <div tabIndex={-1} ref={outcome}>
          {apply.cancelled && <p>{t("bulkrepair.apply_cancelled", { n: number(applied) })}</p>}
          <BulkOutcomes outcome={{ items: apply.outcomes, ok: applied, refused: apply.outcomes.length - applied }} labelFor={label} />
        </div>
      )}
    </section>
  );
}

/** "Select all 1,107 matching" beside the table's select-all, once every loaded row is
 * selected and the group has more; then "All 1,107 matching are selected" and a way back. */
export function SelectAllMatching({ total, loaded, allLoadedSelected, selectedAll, onSelectAll, onClear }: {
  total: number;
  loaded: number;
  allLoadedSelected: boolean;
  selectedAll: boolean;
  onSelectAll: () => void;
  onClear: () => void;
}) {
  const t = useT();
  if (selectedAll) {
    return (
      <p className="select-all-matching" role="status">
        {t("bulkrepair.all_selected", { n: number(total) })}{" "}
        <button type="button" className="link" onClick={onClear}>{t("bulkrepair.clear")}</button>
      </p>
    );
  }
  if (!allLoadedSelected || total <= loaded) return null;
  return (
    <p className="select-all-matching">
      {t("bulkrepair.page_selected", { n: number(loaded) })}{" "}
      <button type="button" className="link" onClick={onSelectAll}>{t("bulkrepair.select_all", { n: number(total) })}</button>
    </p>
  );
}
