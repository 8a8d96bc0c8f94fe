import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { useApi, useMe } from "../api/context";
import { useLoad } from "../api/hooks";
import { approvalsChanged, isHeld, type ApprovalRequest } from "../api/types/approvals";
import { CONTROLS, type BackloadJob, type BackloadPlanResult } from "../api/types/backloads";
import { ASSET_CLASSES, REGIMES } from "../api/types/trades";
import { DataTable, type Column } from "../components/DataTable";
import { HeldNotice } from "../components/HeldNotice";
import { codeLabel, regimeLabel } from "../components/lists/labels";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time, ZoneNote } from "../components/Time";
import { number } from "../format";
import { useI18n } from "../i18n";

/** The job list is read again this often while a job is ready or running: the monitor's tick
 * (about once a minute) moves it on, not this screen. */
const POLL_MS = 15_000;
const asApiError = (exc: unknown) => (exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
type Control = keyof typeof CONTROLS;

interface Draft {
  regimes: string[];
  asset_class: string;
  reason: string;
  batch_size: string;
  rate_per_s: string;
}

const EMPTY: Draft = { regimes: [], asset_class: "", reason: "", batch_size: "500", rate_per_s: "" };
const filtersOf = (d: Draft) => ({ regimes: d.regimes, ...(d.asset_class ? { asset_class: d.asset_class } : {}) });

const text = (value: unknown): string => (value === null || value === undefined ? "—" : typeof value === "string" ? value : JSON.stringify(value));

/** The dry run's answer: how many open trades each action would re-report, and for a sample what
 * changes against each trade's latest report (or why it would be refused). */
function PlanResult({ plan }: { plan: BackloadPlanResult }) {
  const { t } = useI18n();
  return (
    <div className="backload-plan" data-testid="backload-plan" role="region" aria-label={t("backloads.plan_result")}>
      <p>
        <strong>{t("backloads.plan_total", { n: number(plan.total) })}</strong>{" "}
        {Object.entries(plan.actions).map(([action, n]) => (
          <span key={action} className="badge">{action}/UPDT · {number(n)}</span>
        ))}
      </p>
      <p className="muted">{t("backloads.plan_sample", { n: number(plan.sample_size), refused: number(plan.sample_refused) })}</p>
      {plan.sample.length > 0 && (
        <ul className="backload-sample">
          {plan.sample.map((s) => (
            <li key={s.uti}>
              <code>{s.uti}</code>
              {s.errors && s.errors.length > 0 ? (
                <p className="bad">{t("backloads.sample_refused")}: {s.errors.map((e) => text((e as { message?: unknown }).message)).join("; ")}</p>
              ) : (
                <ul>
                  {(s.changes ?? []).map((c) => (
                    <li key={c.field}>
                      <code>{c.field}</code>: <code className="before">{text(c.before)}</code> → <code className="after">{text(c.after)}</code>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The plan and create form (admins): the filters, the reason kept with the job and in the audit,
 * the batch size and the throttle. Plan writes nothing; create starts a job or, above the tenant's
 * four-eyes threshold, sends it for approval. */
function BackloadForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [plan, setPlan] = useState<BackloadPlanResult | null>(null);
  const [held, setHeld] = useState<ApprovalRequest | null>(null);
  const [created, setCreated] = useState<BackloadJob | null>(null);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setPlan(null); // a plan is for the filters it was made with
  };
  const toggle = (regime: string) =>
    set({ regimes: draft.regimes.includes(regime) ? draft.regimes.filter((r) => r !== regime) : [...draft.regimes, regime] });

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    setHeld(null);
    setCreated(null);
    try {
      await work();
    } catch (exc) {
      setProblem(asApiError(exc));
    } finally {
      setBusy(false);
    }
  };
  const doPlan = () => run(async () => {
    setPlan(await api.call("post", "/api/backloads/plan", {}, { ...filtersOf(draft), sample: 5 }));
  });
  const create = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      const rate = draft.rate_per_s.trim();
      const answer = await api.call("post", "/api/backloads", {}, {
        ...filtersOf(draft), reason: draft.reason.trim(), batch_size: Number(draft.batch_size),
        ...(rate ? { rate_per_s: Number(rate) } : {}),
      });
      if (isHeld(answer)) {
        setHeld(answer.approval);
        approvalsChanged();
      } else {
        setCreated(answer as BackloadJob);
        setDraft(EMPTY);
        setPlan(null);
        onCreated();
      }
    });
  };

  return (
    <form className="admin-form backload-form" onSubmit={create} noValidate aria-labelledby="backload-form-title">
      <h2 id="backload-form-title">{t("backloads.new")}</h2>
      <p className="muted">{t("backloads.new_intro")}</p>
      <fieldset>
        <legend>{t("backloads.regimes")}</legend>
        <p className="muted">{t("backloads.regimes_hint")}</p>
        <div className="checks">
          {REGIMES.map((r) => (
            <label key={r}>
              <input type="checkbox" checked={draft.regimes.includes(r)} onChange={() => toggle(r)} /> {regimeLabel(t, r)}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="fields">
        <div className="field">
          <label htmlFor="backload-asset">{t("backloads.asset_class")}</label>
          <select id="backload-asset" value={draft.asset_class} onChange={(e) => set({ asset_class: e.target.value })}>
            <option value="">{t("backloads.any_asset_class")}</option>
            {ASSET_CLASSES.map((a) => <option key={a} value={a}>{codeLabel(t, "asset_class", a)}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="backload-reason">{t("backloads.reason")}</label>
          <input id="backload-reason" value={draft.reason} maxLength={1000} required
            onChange={(e) => setDraft((d) => ({ ...d, reason: e.target.value }))} />
        </div>
        <div className="field">
          <label htmlFor="backload-batch">{t("backloads.batch_size")}</label>
          <input id="backload-batch" type="number" min={1} max={5000} value={draft.batch_size}
            onChange={(e) => setDraft((d) => ({ ...d, batch_size: e.target.value }))} />
        </div>
        <div className="field">
          <label htmlFor="backload-rate">{t("backloads.rate")}</label>
          <input id="backload-rate" type="number" min={0} step="any" value={draft.rate_per_s} placeholder={t("backloads.rate_none")}
            onChange={(e) => setDraft((d) => ({ ...d, rate_per_s: e.target.value }))} />
        </div>
      </div>
      <div className="acts">
        <button type="button" disabled={busy} onClick={() => void doPlan()}>{t("backloads.plan")}</button>{" "}
        <button type="submit" disabled={busy || !plan}>{t("backloads.create")}</button>
        {!plan && <span className="muted"> {t("backloads.plan_first")}</span>}
      </div>
      {problem && <ProblemBox error={problem} />}
      {plan && <PlanResult plan={plan} />}
      {held && <HeldNotice approval={held} />}
      {created && <p role="status" className="ok">{t("backloads.created", { n: number(created.total) })}</p>}
    </form>
  );
}

/** A job's progress: a bar, trades worked of the total, the rate and when it would end. */
function Progress({ job }: { job: BackloadJob }) {
  const { t } = useI18n();
  const p = job.progress;
  return (
    <div className="backload-progress">
      <progress max={Math.max(p.total, 1)} value={p.total ? p.worked : 1}
        aria-label={t("backloads.progress_label", { worked: number(p.worked), total: number(p.total) })} />
      <div className="muted">
        {t("backloads.progress", { worked: number(p.worked), total: number(p.total), percent: p.percent })}
        {job.skipped > 0 && <> · {t("backloads.skipped", { n: number(job.skipped) })}</>}
      </div>
    </div>
  );
}

/** Back-loads: re-report every open trade under today's rules as a job the monitor works off in
 * throttled slices. Admins plan (a dry run), create (held for a second admin above the threshold),
 * pause, resume and cancel; everyone sees the jobs' progress. */
export default function Backloads() {
  const { t } = useI18n();
  const api = useApi();
  const { user } = useMe();
  const admin = user.role === "admin";
  const [version, setVersion] = useState(0);
  const jobs = useLoad(`backloads:${version}`, (a) => a.read("/api/backloads", {}));
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const reload = useRef(jobs.reload);
  reload.current = jobs.reload;
  const moving = (jobs.data?.items ?? []).some((j) => j.status === "ready" || j.status === "running");
  useEffect(() => {
    if (!moving) return;
    const timer = window.setInterval(() => reload.current(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [moving]);

  const control = async (job: BackloadJob, action: Control) => {
    setBusy(job.id);
    setFailure(null);
    try {
      await api.call("post", `/api/backloads/{job_id}/${action}`, { job_id: job.id });
    } catch (exc) {
      setFailure(asApiError(exc));
    } finally {
      setBusy(null);
      setVersion((v) => v + 1);
    }
  };

  const columns: Column<BackloadJob>[] = [
    { key: "reason", header: t("backloads.reason"), className: "wrap", render: (j) => (
      <>{j.reason}<div className="muted">{j.regimes.length ? j.regimes.map((r) => regimeLabel(t, r)).join(", ") : t("backloads.all_regimes")}
        {j.asset_class ? ` · ${j.asset_class}` : ""}</div></>
    ) },
    { key: "status", header: t("backloads.status"), render: (j) => (
      <span className={`badge backload-${j.status}`}>{codeLabel(t, "backload_status", j.status)}</span>
    ) },
    { key: "progress", header: t("backloads.progress_header"), render: (j) => <Progress job={j} /> },
    { key: "rate", header: t("backloads.rate_header"), className: "num", render: (j) => (
      <>{j.progress.rate_per_s == null ? "—" : t("backloads.per_s", { n: number(j.progress.rate_per_s) })}
        {j.rate_per_s != null && <div className="muted">{t("backloads.limit", { n: number(j.rate_per_s) })}</div>}</>
    ) },
    { key: "eta", header: t("backloads.eta"), render: (j) => <Time value={j.progress.eta} /> },
    { key: "created", header: t("backloads.created_by"), render: (j) => (
      <><code>{j.created_by}</code><div className="muted"><Time value={j.created_at} /></div></>
    ) },
    { key: "error", header: t("backloads.last_error"), className: "wrap", render: (j) => j.last_error ? <span className="bad">{j.last_error}</span> : "—" },
    { key: "acts", header: t("backloads.actions"), render: (j) => admin ? (
      <div className="row-acts">
        {(Object.keys(CONTROLS) as Control[]).filter((a) => CONTROLS[a].includes(j.status)).map((a) => (
          <button key={a} type="button" className={a === "cancel" ? "danger" : undefined} disabled={busy !== null}
            aria-label={t(`backloads.${a}_label`, { reason: j.reason })} onClick={() => void control(j, a)}>
            {t(`backloads.${a}`)}
          </button>
        ))}
      </div>
    ) : "—" },
  ];

  return (
    <section aria-labelledby="backloads-title">
      <h1 id="backloads-title">{t("backloads.title")}</h1>
      <p className="muted">{t("backloads.intro")}</p>
      <ZoneNote />
      {admin ? <BackloadForm onCreated={() => setVersion((v) => v + 1)} /> : <p className="muted">{t("backloads.admins_only")}</p>}
      <section aria-labelledby="backload-jobs-title">
        <h2 id="backload-jobs-title">{t("backloads.jobs")}</h2>
        {failure && <ProblemBox error={failure} />}
        {jobs.error ? <ProblemBox error={jobs.error} onRetry={jobs.reload} />
          : !jobs.data ? <Loading />
          : jobs.data.items.length === 0 ? <Empty>{t("backloads.none")}</Empty>
          : <DataTable caption={t("backloads.jobs")} columns={columns} rows={jobs.data.items} rowKey={(j) => j.id} />}
        <button type="button" onClick={() => jobs.reload()}>{t("backloads.refresh")}</button>
      </section>
    </section>
  );
}
