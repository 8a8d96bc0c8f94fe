import { useRef, useState, type FormEvent } from "react";
import { ApiError, queryString } from "../api/client";
import { canMutate, useApi, useMe } from "../api/context";
import { usePolled } from "../api/hooks";
import {
  CLOCK_STATES,
  LIVE_CLOCK_STATES,
  NOTICE_REGIMES,
  type CorrectionClock,
  type CorrectionNotice,
  type Verification,
} from "../api/types/corrections";
import { DataTable, type Column } from "../components/DataTable";
import { Id } from "../components/Id";
import { filterQuery, filterValues, ListFilters, type FilterField } from "../components/lists/ListFilters";
import { codeLabel, regimeLabel } from "../components/lists/labels";
import { CountOf } from "../components/lists/Pager";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { useT } from "../i18n";
import { href, navigate } from "../router";

const POLL_MS = 60_000;
const LIMIT = 200;
type Page<T> = { items: T[]; next_cursor: string | null; total: number; total_capped: boolean };

/** The due instant as the regime's own clock reads it: "2026-12-03 00:00 (America/New_York)". */
function dueText(c: CorrectionClock): string {
  const local = c.due_local ?? c.due;
  return `${local.slice(0, 10)} ${local.slice(11, 16)}${c.zone ? ` (${c.zone})` : ""}`;
}

/** The drafted regulator notification for one regime's open clocks, with a copy button. The
 * text is a draft: what the facts cannot say is marked for the operator to complete. */
function NoticePanel({ canRecord, onRecorded }: { canRecord: boolean; onRecorded: () => void }) {
  const t = useT();
  const api = useApi();
  const [reference, setReference] = useState("");
  const [recorded, setRecorded] = useState<string | null>(null);
  const [regime, setRegime] = useState<string>(NOTICE_REGIMES[0]);
  const [notice, setNotice] = useState<CorrectionNotice | null>(null);
  const [text, setText] = useState("");
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [copied, setCopied] = useState(false);
  const draft = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setCopied(false);
    try {
      const found = await api.read("/api/corrections/notice", {}, { regime: regime as CorrectionNotice["regime"] });
      setNotice(found);
      setText(found.text);
    } catch (exc) {
      setFailure(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
    }
  };
  // The draft is sent outside the system; saying so records when on each open clock, and the
  // reference (filing number, e-mail date) in the audit: the proof a notice was made.
  const recordSent = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setRecorded(null);
    try {
      const done = await api.call("post", "/api/corrections/notice/sent", {},
        { regime: regime as CorrectionNotice["regime"], reference: reference.trim() });
      setRecorded(t("corr.notice_recorded", { n: done.clocks.length }));
      setReference("");
      onRecorded();
    } catch (exc) {
      setFailure(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section aria-labelledby="notice-title" className="notice-panel">
      <h2 id="notice-title">{t("corr.notice")}</h2>
      <p className="muted">{t("corr.notice_intro")}</p>
      <form onSubmit={draft} className="row-actions">
        <label>
          {t("corr.filter.regime")}{" "}
          <select value={regime} onChange={(e) => setRegime(e.target.value)}>
            {NOTICE_REGIMES.map((r) => <option key={r} value={r}>{regimeLabel(t, r)}</option>)}
          </select>
        </label>
        <button type="submit">{t("corr.draft")}</button>
      </form>
      {failure && <ProblemBox error={failure} />}
      {notice && (
        <>
          <p>
            <strong>{notice.title}</strong> · {t("corr.addressee")}: {notice.addressee} ·{" "}
            {t("corr.notice_clocks", { n: notice.clocks })}
          </p>
          <label className="notice-text">
            {t("corr.notice_text")}
            <textarea value={text} rows={18} onChange={(e) => setText(e.target.value)} />
          </label>
          <p>
            <button type="button" onClick={() => void copy()}>{t("corr.copy")}</button>{" "}
            <span role="status" className="ok">{copied ? t("corr.copied") : ""}</span>
          </p>
          {canRecord && notice.clocks > 0 && (
            <form onSubmit={(e) => void recordSent(e)} className="row-actions">
              <label>
                {t("corr.notice_reference")}{" "}
                <input value={reference} maxLength={200} required
                       onChange={(e) => setReference(e.target.value)} />
              </label>
              <button type="submit" disabled={!reference.trim()}>{t("corr.notice_record")}</button>
            </form>
          )}
          {recorded && <p role="status" className="ok">{recorded}</p>}
        </>
      )}
    </section>
  );
}

/** Verification and the correction clock (issue 17): every error found (a verification
 * finding, a break with the TR's report, a rejection) with the business days left to correct
 * it on its regime's calendar; the verification log; the drafted regulator notice. */
export default function Corrections({ params }: { params: URLSearchParams }) {
  const t = useT();
  const api = useApi();
  const { user } = useMe();
  const fields: FilterField[] = [
    { kind: "checks", name: "state", label: t("corr.filter.state"), options: CLOCK_STATES,
      optionLabel: (v) => codeLabel(t, "clock_state", v) },
    { kind: "text", name: "uti", label: t("corr.filter.uti"), maxLength: 100 },
  ];
  const values = filterValues(fields, params);
  if (!params.has("state")) values.state = [...LIVE_CLOCK_STATES];
  const query = filterQuery(fields, values);
  const clocks = usePolled<Page<CorrectionClock>>(`/api/corrections${queryString({ ...query, limit: LIMIT })}`, POLL_MS);
  const runs = usePolled<Page<Verification>>(`/api/verifications${queryString({ limit: 20 })}`, POLL_MS);

  const [busy, setBusy] = useState<string | null>(null);
  const [resolving, setResolving] = useState<number | null>(null);
  const [note, setNote] = useState("");
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const doneRef = useRef<HTMLParagraphElement>(null);

  const act = async (key: string, run: () => Promise<string>) => {
    setBusy(key);
    setFailure(null);
    setDone(null);
    try {
      setDone(await run());
      setResolving(null);
      setNote("");
      doneRef.current?.focus();
      clocks.reload();
      runs.reload();
    } catch (exc) {
      setFailure(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
    } finally {
      setBusy(null);
    }
  };
  const verifyNow = () => act("run", async () => {
    const result = await api.call("post", "/api/verifications/run", {}, {});
    const findings = result.runs.reduce((n, r) => n + r.findings, 0);
    return t("corr.run_done", { runs: result.runs.length, findings, opened: result.clocks_opened });
  });
  const resolve = (c: CorrectionClock) => (event: FormEvent) => {
    event.preventDefault();
    void act(`clock-${c.id}`, async () => {
      await api.call("post", "/api/corrections/{clock_id}/resolve", { clock_id: String(c.id) }, { note: note.trim() });
      return t("corr.resolved_done", { id: c.id });
    });
  };

  const columns: Column<CorrectionClock>[] = [
    { key: "state", header: t("corr.col.state"), render: (c) => (
      <span className={`badge clock-${c.state}`}>{codeLabel(t, "clock_state", c.state)}</span>
    ) },
    { key: "uti", header: t("corr.col.uti"), render: (c) => <Id value={c.uti} href={href(`/trades/${encodeURIComponent(c.uti)}`)} /> },
    { key: "regime", header: t("corr.col.regime"), render: (c) => regimeLabel(t, c.regime) },
    { key: "what", header: t("corr.col.what"), className: "wrap", render: (c) => (
      <>
        <div>{codeLabel(t, "correction_kind", c.kind)} · <span className="muted">{codeLabel(t, "clock_source", c.source)}</span></div>
        <div className="muted">{c.summary}</div>
      </>
    ) },
    { key: "found", header: t("corr.col.found"), render: (c) => <Time value={c.discovered_at} /> },
    { key: "due", header: t("corr.col.due"), render: (c) => (
      <>
        <div>{dueText(c)}</div>
        <div className="muted">{c.prescribed ? t("corr.prescribed", { n: c.business_days }) : t("corr.target", { n: c.business_days })}</div>
        {c.notified_at && <div className="muted">{t("corr.notified")} <Time value={c.notified_at} /></div>}
      </>
    ) },
    { key: "left", header: t("corr.col.left"), render: (c) => (
      c.state === "resolved" ? <span className="muted">{t("corr.resolved_by", { who: c.resolved_by ?? "—" })}</span>
        : c.state === "late" ? <span className="bad">{t("corr.overdue")}</span>
          : <span className={c.state === "at_risk" ? "warn-text" : undefined}>{t("corr.days_left", { n: c.business_days_left ?? 0 })}</span>
    ) },
  ];
  if (canMutate(user)) {
    columns.push({ key: "act", header: t("corr.col.action"), render: (c) => {
      if (c.state === "resolved") return null;
      if (resolving === c.id) {
        return (
          <form className="resolve-form" onSubmit={resolve(c)}>
            <label>
              {t("corr.note")}
              <textarea value={note} maxLength={1000} required rows={2} onChange={(e) => setNote(e.target.value)} />
            </label>
            <button type="submit" disabled={busy !== null || !note.trim()}>{t("corr.resolve_submit")}</button>
            <button type="button" onClick={() => { setResolving(null); setNote(""); }}>{t("corr.cancel")}</button>
          </form>
        );
      }
      return (
        <button type="button" disabled={busy !== null} onClick={() => { setResolving(c.id); setNote(""); }}
          aria-label={t("corr.resolve_label", { id: c.id, uti: c.uti })}>
          {t("corr.resolve")}
        </button>
      );
    } });
  }
  const runColumns: Column<Verification>[] = [
    { key: "started", header: t("corr.run.started"), render: (v) => <Time value={v.started_at} /> },
    { key: "regime", header: t("corr.col.regime"), render: (v) => regimeLabel(t, v.regime) },
    { key: "status", header: t("corr.run.status"), render: (v) => codeLabel(t, "verification_status", v.status) },
    { key: "entity", header: t("corr.run.entity"), render: (v) => (v.entity_id ? `${v.entity_id} (${v.entity_status ?? "—"})` : "—") },
    { key: "compared", header: t("corr.run.compared"), render: (v) => t("corr.run.counts", { tr: v.open_at_tr, ours: v.open_here }) },
    { key: "findings", header: t("corr.run.findings"), render: (v) => <span className={v.findings ? "bad" : undefined}>{v.findings}</span> },
    { key: "by", header: t("corr.run.by"), render: (v) => `${v.run_by} · ${codeLabel(t, "verification_trigger", v.trigger)}` },
  ];
  const rows = clocks.data?.items ?? [];

  return (
    <section aria-labelledby="corr-title">
      <h1 id="corr-title">{t("corr.title")}</h1>
      <p className="muted">{t("corr.intro")}</p>
      {canMutate(user) && (
        <p>
          <button type="button" disabled={busy !== null} onClick={() => void verifyNow()}>
            {busy === "run" ? t("corr.running") : t("corr.run")}
          </button>
        </p>
      )}
      <p ref={doneRef} tabIndex={-1} role="status" className="ok">{done}</p>
      {failure && (
        <div>
          <p className="bad">{t("corr.failed")}</p>
          <ProblemBox error={failure} />
        </div>
      )}
      <h2>{t("corr.clocks")}</h2>
      <ListFilters key={JSON.stringify(values)} id="cf" fields={fields} value={values}
        onApply={(v) => navigate(href("/corrections", { ...v, state: (v.state as string[]).length ? v.state : CLOCK_STATES.join(",") }))} />
      {clocks.error && <ProblemBox error={clocks.error} onRetry={clocks.reload} />}
      {!clocks.data ? (
        !clocks.error && <Loading />
      ) : (
        <>
          <DataTable caption={t("corr.clocks")} columns={columns} rows={rows} rowKey={(c) => String(c.id)} />
          {rows.length === 0 && <Empty>{t("corr.no_clocks")}</Empty>}
          {rows.length > 0 && (
            <p className="pager"><CountOf count={rows.length} total={clocks.data.total} capped={clocks.data.total_capped} /></p>
          )}
        </>
      )}
      <h2>{t("corr.log")}</h2>
      {runs.error && <ProblemBox error={runs.error} onRetry={runs.reload} />}
      {runs.data && (
        <>
          <DataTable caption={t("corr.log")} columns={runColumns} rows={runs.data.items} rowKey={(v) => String(v.id)} />
          {runs.data.items.length === 0 && <Empty>{t("corr.no_runs")}</Empty>}
        </>
      )}
      <NoticePanel canRecord={canMutate(user)} onRecorded={() => clocks.reload()} />
    </section>
  );
}
