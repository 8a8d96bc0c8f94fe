import { ACTION_NAMES, ACTIVATION_STATUSES, type Activation } from "../api/types/activations";
import { DataTable, type Column } from "../components/DataTable";
import { JsonView } from "../components/lists/JsonView";
import { filterQuery, filterValues, ListFilters, type FilterField } from "../components/lists/ListFilters";
import { codeLabel, duration } from "../components/lists/labels";
import { ListPager } from "../components/lists/Pager";
import { usePagedList } from "../components/lists/usePagedList";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { useT, type Translate } from "../i18n";
import { href, navigate } from "../router";

/** Why a run failed (the first line in the table, the whole text on demand) and what it returned. */
function Outcome({ run, t }: { run: Activation; t: Translate }) {
  const firstLine = run.error?.split("\n", 1)[0] ?? "";
  return (
    <>
      {run.error && (
        <details className="error-text">
          <summary className="bad">{firstLine.length > 100 ? `${firstLine.slice(0, 100)}…` : firstLine}</summary>
          <pre>{run.error}</pre>
        </details>
      )}
      {run.result !== null && run.result !== undefined && <JsonView summary={t("activations.result")} value={run.result} />}
      {!run.error && (run.result === null || run.result === undefined) && <span className="muted">—</span>}
    </>
  );
}

/** The tenant's action runs, newest first: what ran, why, how long, and how it ended. */
export default function Activations({ params }: { params: URLSearchParams }) {
  const t = useT();
  const fields: FilterField[] = [
    { kind: "text", name: "action", label: t("activations.action"), maxLength: 100, suggestions: ACTION_NAMES, hint: t("list.exact_hint") },
    { kind: "checks", name: "status", label: t("activations.status"), options: ACTIVATION_STATUSES,
      optionLabel: (v) => codeLabel(t, "activation_status", v) },
    { kind: "date", name: "started_from", label: t("list.from"), bound: "start" },
    { kind: "date", name: "started_to", label: t("list.to"), bound: "end" },
  ];
  const values = filterValues(fields, params);
  const key = JSON.stringify(values);
  const list = usePagedList<Activation>("/api/activations", filterQuery(fields, values));
  const columns: Column<Activation>[] = [
    { key: "started", header: t("activations.started"), render: (a) => <Time value={a.started_at} /> },
    { key: "action", header: t("activations.action"), render: (a) => <code>{a.action}</code> },
    { key: "trigger", header: t("activations.trigger"), className: "wrap", render: (a) => (a.trigger ? <code>{a.trigger}</code> : "—") },
    { key: "status", header: t("activations.status"), render: (a) => (
      <span className={`badge run-${a.status}`}>{codeLabel(t, "activation_status", a.status)}</span>
    ) },
    { key: "duration", header: t("activations.duration"), className: "num", render: (a) => duration(a.duration_ms, t) },
    { key: "cold", header: t("activations.cold_start"), render: (a) =>
      a.cold_start === null || a.cold_start === undefined ? "—" : a.cold_start ? t("activations.yes") : t("activations.no") },
    { key: "outcome", header: t("activations.outcome"), className: "wrap", render: (a) => <Outcome run={a} t={t} /> },
  ];
  return (
    <section aria-labelledby="activations-title">
      <h1 id="activations-title">{t("activations.title")}</h1>
      <ListFilters key={key} id="acf" fields={fields} value={values} onApply={(v) => navigate(href("/activations", v))} />
      {list.error && <ProblemBox error={list.error} onRetry={list.retry} />}
      {(list.rows.length > 0 || (!list.loading && !list.error)) && (
        <DataTable caption={t("activations.title")} columns={columns} rows={list.rows} rowKey={(a) => a.id} />
      )}
      {list.loading ? <Loading /> : !list.error && list.rows.length === 0 && <Empty>{t("activations.none")}</Empty>}
      <ListPager list={list} />
    </section>
  );
}
