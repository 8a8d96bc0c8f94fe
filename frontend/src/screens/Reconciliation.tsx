import { useRef, useState, type FormEvent } from "react";
import { ApiError, nameOf, queryString } from "../api/client";
import { canMutate, useApi, useMe } from "../api/context";
import { usePolled } from "../api/hooks";
import {
  BREAK_KINDS,
  BREAK_STATUSES,
  LIVE_STATUSES,
  TR_REPORT_REGIMES,
  type TrBreak,
  type TrSummary,
} from "../api/types/reconciliation";
import { DataTable, type Column } from "../components/DataTable";
import { Id } from "../components/Id";
import { filterQuery, filterValues, ListFilters, type FilterField } from "../components/lists/ListFilters";
import { codeLabel, regimeLabel } from "../components/lists/labels";
import { CountOf } from "../components/lists/Pager";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { fieldLabel } from "../components/trade/TrView";
import { useT, type Translate } from "../i18n";
import { href, navigate } from "../router";

const POLL_MS = 30_000;
const LIMIT = 200;
type Page = { items: TrBreak[]; next_cursor: string | null; total: number; total_capped: boolean };
type RegimeFigures = TrSummary["regimes"][number];

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** Per regime, what the TR's latest reports say: their dates, the open trades, pairing and
 * matching, the warnings and the live breaks. */
function Figures({ summary }: { summary: TrSummary }) {
  const t = useT();
  if (!summary.regimes.length) return <p className="muted">{t("recon.none_yet")}</p>;
  const cell = (r: RegimeFigures) => ({
    ...r.reconciliation,
    warnings: r.warnings.no_valuation + r.warnings.outdated_valuation,
    live: sum(r.breaks.open) + sum(r.breaks.assigned),
  });
  return (
    <table className="recon-figures">
      <caption>{t("recon.figures")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("recon.col.regime")}</th>
          <th scope="col">{t("recon.col.report_date")}</th>
          <th scope="col">{t("recon.col.open_at_tr")}</th>
          <th scope="col">{t("recon.col.matched")}</th>
          <th scope="col">{t("recon.col.unmatched")}</th>
          <th scope="col">{t("recon.col.unpaired")}</th>
          <th scope="col">{t("recon.col.not_reconciled")}</th>
          <th scope="col">{t("recon.col.warnings")}</th>
          <th scope="col">{t("recon.col.live_breaks")}</th>
        </tr>
      </thead>
      <tbody>
        {summary.regimes.map((r) => {
          const c = cell(r);
          return (
            <tr key={r.regime}>
              <th scope="row">{regimeLabel(t, r.regime)}</th>
              <td>{r.reports.trade_state?.reference_date ?? r.reports.reconciliation?.reference_date ?? "—"}</td>
              <td>{r.open_at_tr}</td>
              <td>{c.matched}</td>
              <td className={c.unmatched ? "bad" : undefined}>{c.unmatched}</td>
              <td className={c.unpaired ? "warn-text" : undefined}>{c.unpaired}</td>
              <td>{c.not_applicable}</td>
              <td className={c.warnings ? "warn-text" : undefined}>{c.warnings}</td>
              <td className={c.live ? "bad" : undefined}>{c.live}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Fields({ item }: { item: TrBreak }) {
  const t = useT();
  if (!item.differences.length) return <span className="muted">—</span>;
  return (
    <dl className="break-fields">
      {item.differences.map((d) => (
        <div key={d.field}>
          <dt>{fieldLabel(t, d)}</dt>
          <dd>
            {t("recon.ours")} <code>{d.ours ?? "—"}</code> · {t("recon.theirs")} <code>{d.theirs ?? "—"}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function statusText(t: Translate, b: TrBreak): string | null {
  if (b.status === "assigned" && b.assignee) return t("recon.assigned_to", { who: b.assignee });
  if (b.status === "resolved") return t("recon.resolved_by", { who: b.resolved_by ?? "—" });
  return null;
}

/** Breaks between the TRs' end-of-day reports and our books (issue 17): at the TR but not
 * with us, with us but not at the TR, terminated here but open there, fields the other side
 * reports differently. Operators assign a break and resolve it with a note (audited). */
export default function Reconciliation({ params }: { params: URLSearchParams }) {
  const t = useT();
  const api = useApi();
  const { user } = useMe();
  const fields: FilterField[] = [
    { kind: "checks", name: "status", label: t("recon.filter.status"), options: BREAK_STATUSES,
      optionLabel: (v) => codeLabel(t, "break_status", v) },
    { kind: "checks", name: "kind", label: t("recon.filter.kind"), options: BREAK_KINDS,
      optionLabel: (v) => codeLabel(t, "break_kind", v) },
    { kind: "checks", name: "regime", label: t("recon.filter.regime"), options: TR_REPORT_REGIMES,
      optionLabel: (v) => regimeLabel(t, v) },
    { kind: "text", name: "uti", label: t("recon.filter.uti"), maxLength: 100 },
  ];
  const values = filterValues(fields, params);
  // Unless the URL says otherwise, the live breaks: what still needs someone.
  if (!params.has("status")) values.status = [...LIVE_STATUSES];
  const query = filterQuery(fields, values);
  const polled = usePolled<Page>(`/api/reconciliation/breaks${queryString({ ...query, limit: LIMIT })}`, POLL_MS);
  const summary = usePolled<TrSummary>("/api/reconciliation/summary", POLL_MS);

  const [busy, setBusy] = useState<number | null>(null);
  const [resolving, setResolving] = useState<number | null>(null);
  const [note, setNote] = useState("");
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const doneRef = useRef<HTMLParagraphElement>(null);

  const act = async (item: TrBreak, run: () => Promise<unknown>, message: string) => {
    setBusy(item.id);
    setFailure(null);
    setDone(null);
    try {
      await run();
      setDone(message);
      setResolving(null);
      setNote("");
      doneRef.current?.focus();
      polled.reload();
      summary.reload();
    } catch (exc) {
      setFailure(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
    } finally {
      setBusy(null);
    }
  };
  const me = nameOf(user);
  const assign = (item: TrBreak) => act(item,
    () => api.call("post", "/api/reconciliation/breaks/{break_id}/assign", { break_id: String(item.id) }, { assignee: me }),
    t("recon.assigned_done", { id: item.id, who: me }));
  const resolve = (item: TrBreak) => (event: FormEvent) => {
    event.preventDefault();
    void act(item,
      () => api.call("post", "/api/reconciliation/breaks/{break_id}/resolve", { break_id: String(item.id) }, { note: note.trim() }),
      t("recon.resolved_done", { id: item.id }));
  };

  const rows = polled.data?.items ?? [];
  const columns: Column<TrBreak>[] = [
    { key: "kind", header: t("recon.col.kind"), render: (b) => (
      <span className={`badge break-${b.kind}`}>{codeLabel(t, "break_kind", b.kind)}</span>
    ) },
    { key: "uti", header: t("recon.col.uti"), render: (b) => (
      <Id value={b.uti} href={b.trade_known ? href(`/trades/${encodeURIComponent(b.uti)}`) : undefined} />
    ) },
    { key: "regime", header: t("recon.col.regime"), render: (b) => regimeLabel(t, b.regime) },
    { key: "fields", header: t("recon.col.fields"), className: "wrap", render: (b) => <Fields item={b} /> },
    { key: "actions", header: t("recon.col.actions"), render: (b) => (
      <>
        <div>{t("recon.ours")}: {b.our_action ? codeLabel(t, "action_type", b.our_action) : "—"}</div>
        <div>{t("recon.tr")}: {b.tr_action ? codeLabel(t, "action_type", b.tr_action) : "—"}</div>
      </>
    ) },
    { key: "status", header: t("recon.col.status"), render: (b) => (
      <>
        <span className={`badge break-status-${b.status}`}>{codeLabel(t, "break_status", b.status)}</span>
        {statusText(t, b) && <div className="muted">{statusText(t, b)}</div>}
        {b.status === "resolved" && b.resolution_note && <div className="muted">“{b.resolution_note}”</div>}
      </>
    ) },
    { key: "seen", header: t("recon.col.seen"), render: (b) => (
      <>
        <div>{b.first_reference_date === b.last_reference_date ? b.first_reference_date
          : `${b.first_reference_date} – ${b.last_reference_date}`}</div>
        <div className="muted"><Time value={b.first_seen_at} /></div>
      </>
    ) },
  ];
  if (canMutate(user)) {
    columns.push({ key: "act", header: t("recon.col.action"), render: (b) => {
      if (b.status !== "open" && b.status !== "assigned") return null;
      if (resolving === b.id) {
        return (
          <form className="resolve-form" onSubmit={resolve(b)}>
            <label>
              {t("recon.note")}
              <textarea value={note} maxLength={1000} required rows={2} onChange={(e) => setNote(e.target.value)} />
            </label>
            <button type="submit" disabled={busy !== null || !note.trim()}>
              {busy === b.id ? t("recon.resolving") : t("recon.resolve_submit")}
            </button>
            <button type="button" onClick={() => { setResolving(null); setNote(""); }}>{t("recon.cancel")}</button>
          </form>
        );
      }
      return (
        <div className="row-actions">
          {!(b.status === "assigned" && b.assignee === me) && (
            <button type="button" disabled={busy !== null} onClick={() => assign(b)}
              aria-label={t("recon.assign_label", { id: b.id, uti: b.uti })}>
              {busy === b.id ? t("recon.assigning") : t("recon.assign_me")}
            </button>
          )}
          <button type="button" disabled={busy !== null} onClick={() => { setResolving(b.id); setNote(""); }}
            aria-label={t("recon.resolve_label", { id: b.id, uti: b.uti })}>
            {t("recon.resolve")}
          </button>
        </div>
      );
    } });
  }

  return (
    <section aria-labelledby="recon-title">
      <h1 id="recon-title">{t("recon.title")}</h1>
      <p className="muted">{t("recon.intro")}</p>
      {summary.error && <ProblemBox error={summary.error} onRetry={summary.reload} />}
      {summary.data ? <Figures summary={summary.data} /> : !summary.error && <Loading />}
      <h2>{t("recon.breaks")}</h2>
      <ListFilters key={JSON.stringify(values)} id="rf" fields={fields} value={values}
        onApply={(v) => navigate(href("/reconciliation", { ...v, status: (v.status as string[]).length ? v.status : BREAK_STATUSES.join(",") }))} />
      <p ref={doneRef} tabIndex={-1} role="status" className="ok">{done}</p>
      {failure && (
        <div>
          <p className="bad">{t("recon.failed")}</p>
          <ProblemBox error={failure} />
        </div>
      )}
      {polled.error && <ProblemBox error={polled.error} onRetry={polled.reload} />}
      {!polled.data ? (
        !polled.error && <Loading />
      ) : (
        <>
          <DataTable caption={t("recon.breaks")} columns={columns} rows={rows} rowKey={(b) => String(b.id)} />
          {rows.length === 0 && <Empty>{t("recon.no_breaks")}</Empty>}
          {rows.length > 0 && (
            <p className="pager"><CountOf count={rows.length} total={polled.data.total} capped={polled.data.total_capped} /></p>
          )}
        </>
      )}
    </section>
  );
}
