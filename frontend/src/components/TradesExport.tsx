import { useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client";
import { collectPages } from "../api/collect";
import { useApi, useMe } from "../api/context";
import { csvBlob, csvFileName, saveBlob, toCsv } from "../csv";
import { localDate, number } from "../format";
import { useT } from "../i18n";
import { ProblemBox } from "./States";
import type { TradeColumn, TradeRow } from "./TradesTable";

/** A browser holds this many rows comfortably; a bigger selection is for narrower filters
 * (or the server-side export bundle). */
export const MAX_EXPORT_ROWS = 50_000;
const EXPORT_PAGE = 500; // the API's largest page

type Phase =
  | { kind: "idle" }
  | { kind: "running"; rows: number }
  | { kind: "done"; rows: number; capped: boolean; file: string }
  | { kind: "cancelled" }
  | { kind: "failed"; error: ApiError };

/** "Export CSV": every trade of the current filters (keyset pages), the visible columns. */
export function TradesExport({ query, columns, maxRows = MAX_EXPORT_ROWS }: {
  query: Record<string, string | string[]>;
  columns: TradeColumn[];
  maxRows?: number;
}) {
  const t = useT();
  const api = useApi();
  const { user } = useMe();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []); // leaving the screen stops the export

  const run = async () => {
    const controller = new AbortController();
    abort.current = controller;
    setPhase({ kind: "running", rows: 0 });
    try {
      const result = await collectPages<TradeRow>(api, "/api/trades", query, {
        pageSize: EXPORT_PAGE,
        max: maxRows,
        signal: controller.signal,
        onProgress: (rows) => !controller.signal.aborted && setPhase({ kind: "running", rows }),
      });
      if (result.cancelled) {
        setPhase({ kind: "cancelled" });
        return;
      }
      const text = toCsv(columns.map((c) => c.header), result.rows.map((r) => columns.map((c) => c.csv(r))));
      const file = csvFileName("trades", user.tenant, localDate(0));
      saveBlob(csvBlob(text), file);
      setPhase({ kind: "done", rows: result.rows.length, capped: result.capped, file });
    } catch (exc) {
      if (!controller.signal.aborted)
        setPhase({ kind: "failed", error: exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null) });
    }
  };

  const running = phase.kind === "running";
  return (
    <div className="export">
      {running ? (
        <button type="button" onClick={() => abort.current?.abort()}>
          {t("export.cancel")}
        </button>
      ) : (
        <button type="button" onClick={run}>
          {t("export.button")}
        </button>
      )}
      {phase.kind !== "idle" && phase.kind !== "failed" && (
        <span role="status" aria-live="polite" className="export-status">
          {phase.kind === "running" && t("export.progress", { n: number(phase.rows) })}
          {phase.kind === "cancelled" && t("export.cancelled")}
          {phase.kind === "done" && t("export.done", { n: number(phase.rows), file: phase.file })}
        </span>
      )}
      {phase.kind === "done" && phase.capped && (
        <p className="warn-note">{t("export.capped", { max: number(maxRows) })}</p>
      )}
      {phase.kind === "failed" && <ProblemBox error={phase.error} />}
    </div>
  );
}
