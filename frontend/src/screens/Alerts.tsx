import { useRef, useState } from "react";
import { ApiError, queryString, nameOf } from "../api/client";
import { canMutate, useApi, useMe } from "../api/context";
import { usePolled } from "../api/hooks";
import { ALERT_KINDS, ALERT_SEVERITIES, ALERT_SORTS, ALERT_STATUSES, type Alert } from "../api/types/alerts";
import { AlertMessage, alertKindLabel } from "../components/AlertMessage";
import { DataTable, type Column } from "../components/DataTable";
import { JsonView } from "../components/lists/JsonView";
import { filterQuery, filterValues, ListFilters, type FilterField } from "../components/lists/ListFilters";
import { codeLabel } from "../components/lists/labels";
import { sortParams, useListSort } from "../components/lists/listSort";
import { CountOf } from "../components/lists/Pager";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { useT } from "../i18n";
import { href, navigate } from "../router";

const POLL_MS = 15_000;
const LIMIT = 100;

type Key = string;
const keyOf = (a: Alert): Key => String(a.id);

/** Alerts, most recently seen first, polled with ETag so new ones appear; operators and admins
 * acknowledge them (someone is on it: the alert stays until its cause clears). */
export default function Alerts({ params }: { params: URLSearchParams }) {
  const t = useT();
  const api = useApi();
  const { user } = useMe();
  const fields: FilterField[] = [
    { kind: "checks", name: "status", label: t("alerts.status"), options: ALERT_STATUSES,
      optionLabel: (v) => codeLabel(t, "alert_status", v) },
    { kind: "checks", name: "severity", label: t("alerts.severity"), options: ALERT_SEVERITIES,
      optionLabel: (v) => codeLabel(t, "severity", v) },
    { kind: "text", name: "kind", label: t("alerts.kind"), maxLength: 100, suggestions: ALERT_KINDS },
  ];
  const values = filterValues(fields, params);
  const key = JSON.stringify(values);
  const query = filterQuery(fields, values);
  const sort = useListSort("/alerts", params, ALERT_SORTS, "last_seen_at", query);
  const polled = usePolled<{ items: Alert[]; next_cursor: string | null; total: number; total_capped: boolean }>(
    `/api/alerts${queryString({ ...query, ...sort.query, limit: LIMIT })}`, POLL_MS);

  // An ack the API confirmed shows at once; the next poll brings the row as the API has it.
  const [acked, setAcked] = useState<Record<Key, { by: string; at: string }>>({});
  const [busy, setBusy] = useState<Key | null>(null);
  const [failure, setFailure] = useState<{ alert: Alert; error: ApiError } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const doneRef = useRef<HTMLParagraphElement>(null);

  const rows = (polled.data?.items ?? []).map((a): Alert =>
    a.status === "open" && acked[keyOf(a)]
      ? { ...a, status: "acked", acked_by: acked[keyOf(a)].by, acked_at: acked[keyOf(a)].at }
      : a,
  );

  const ack = async (alert: Alert) => {
    setBusy(keyOf(alert));
    setFailure(null);
    setDone(null);
    try {
      await api.call("post", "/api/alerts/{alert_id}/ack", { alert_id: keyOf(alert) });
      setAcked((m) => ({ ...m, [keyOf(alert)]: { by: nameOf(user), at: new Date().toISOString() } }));
      setDone(t("alerts.acked_done", { kind: alertKindLabel(t, alert.kind) }));
      doneRef.current?.focus(); // the button is gone: keep keyboard users where they were
      polled.reload();
    } catch (exc) {
      setFailure({ alert, error: exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null) });
    } finally {
      setBusy(null);
    }
  };

  const columns: Column<Alert>[] = [
    { key: "severity", header: t("alerts.severity"), sortKey: "severity", firstOrder: "desc", render: (a) => (
      <span className={`badge sev-${a.severity}`}>{codeLabel(t, "severity", a.severity)}</span>
    ) },
    // The kind by its name; its code (what the filter takes) beside it, small.
    { key: "kind", header: t("alerts.kind"), sortKey: "kind", render: (a) => (
      <>
        {alertKindLabel(t, a.kind)}
        {alertKindLabel(t, a.kind) !== a.kind && <div className="muted"><code>{a.kind}</code></div>}
      </>
    ) },
    { key: "summary", header: t("alerts.summary"), className: "wrap", render: (a) => (
      <>
        <AlertMessage alert={a} />
        {a.details && Object.keys(a.details).length > 0 && <JsonView summary={t("alerts.details")} value={a.details} />}
      </>
    ) },
    { key: "status", header: t("alerts.status"), render: (a) => (
      <>
        <span className={`badge alert-${a.status}`}>{codeLabel(t, "alert_status", a.status)}</span>
        {a.status === "acked" && a.acked_by && (
          <div className="muted">{t("alerts.acked_by", { who: a.acked_by })} <Time value={a.acked_at} /></div>
        )}
        {a.status === "resolved" && <div className="muted"><Time value={a.resolved_at} /></div>}
      </>
    ) },
    { key: "count", header: t("alerts.occurrences"), render: (a) => a.occurrences },
    { key: "first", header: t("alerts.first_seen"), render: (a) => <Time value={a.first_seen_at} /> },
    { key: "last", header: t("alerts.last_seen"), sortKey: "last_seen_at", firstOrder: "desc", render: (a) => <Time value={a.last_seen_at} /> },
  ];
  if (canMutate(user)) {
    columns.push({ key: "act", header: t("alerts.action"), render: (a) =>
      a.status === "open" ? (
        <button type="button" onClick={() => ack(a)} disabled={busy !== null}
          aria-label={t("alerts.ack_label", { kind: alertKindLabel(t, a.kind), id: keyOf(a) })}>
          {busy === keyOf(a) ? t("alerts.acking") : t("alerts.ack")}
        </button>
      ) : null,
    });
  }

  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">{t("alerts.title")}</h1>
      <ListFilters key={key} id="af" fields={fields} value={values} onApply={(v) => navigate(href("/alerts", { ...v, ...sortParams(params) }))} />
      <p ref={doneRef} tabIndex={-1} role="status" className="ok">{done}</p>
      {failure && (
        <div>
          <p className="bad">{t("alerts.ack_failed", { kind: alertKindLabel(t, failure.alert.kind) })}</p>
          <ProblemBox error={failure.error} />
        </div>
      )}
      {polled.error && <ProblemBox error={polled.error} onRetry={polled.reload} />}
      {!polled.data ? (
        !polled.error && <Loading />
      ) : (
        <>
          <DataTable caption={t("alerts.title")} columns={columns} rows={rows} rowKey={keyOf} sort={sort.state} />
          {rows.length === 0 && <Empty>{t("alerts.none")}</Empty>}
          {rows.length > 0 && (
            <p className="pager"><CountOf count={rows.length} total={polled.data.total} capped={polled.data.total_capped} /></p>
          )}
          {polled.data.next_cursor && <p className="muted">{t("alerts.more_exist", { n: rows.length })}</p>}
          {polled.updatedAt && (
            <p className="muted" aria-live="off">{t("alerts.updated", { time: polled.updatedAt.toLocaleTimeString() })}</p>
          )}
        </>
      )}
    </section>
  );
}
