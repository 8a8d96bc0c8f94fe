import { REPORT_REGIMES, REPORT_SORTS, REPORT_STATUSES, type ReportFile } from "../api/types/reports";
import { DataTable, type Column } from "../components/DataTable";
import { filterQuery, filterValues, ListFilters, type FilterField } from "../components/lists/ListFilters";
import { codeLabel, regimeLabel } from "../components/lists/labels";
import { sortParams, useListSort } from "../components/lists/listSort";
import { ListPager } from "../components/lists/Pager";
import { usePagedList } from "../components/lists/usePagedList";
import { ItemCounts } from "../components/reports/ItemCounts";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { useT, type Translate } from "../i18n";
import { href, navigate } from "../router";

/** The last attempt's outcome says more than the count alone: "2 · accepted (HTTP 202)". */
function lastSubmission(t: Translate, r: ReportFile): string {
  const last = r.submissions[r.submissions.length - 1];
  if (!last) return "—";
  const outcome = [last.outcome && codeLabel(t, "submission_outcome", last.outcome), last.http_status ? `HTTP ${last.http_status}` : null].filter(Boolean).join(", ");
  return `${r.submissions.length}${outcome ? ` · ${outcome}` : ""}`;
}

/** Report files, newest first (or by the column asked for), with their TR outcome; a row opens the file's submissions and download. */
export default function Reports({ params }: { params: URLSearchParams }) {
  const t = useT();
  const fields: FilterField[] = [
    { kind: "checks", name: "status", label: t("reports.status"), options: REPORT_STATUSES,
      optionLabel: (v) => codeLabel(t, "report_status", v) },
    { kind: "checks", name: "regime", label: t("reports.regime"), options: REPORT_REGIMES,
      optionLabel: (v) => regimeLabel(t, v) },
    { kind: "text", name: "tr_message_id", label: t("reports.tr_message_id"), maxLength: 100, hint: t("list.prefix_hint") },
    { kind: "date", name: "created_from", label: t("reports.created_from"), bound: "start" },
    { kind: "date", name: "created_to", label: t("reports.created_to"), bound: "end" },
  ];
  const values = filterValues(fields, params);
  const key = JSON.stringify(values);
  const query = filterQuery(fields, values);
  const sort = useListSort("/reports", params, REPORT_SORTS, "created_at", query);
  const list = usePagedList<ReportFile>("/api/reports", { ...query, ...sort.query });
  const columns: Column<ReportFile>[] = [
    { key: "created", header: t("reports.created"), sortKey: "created_at", firstOrder: "desc", render: (r) => <Time value={r.created_at} /> },
    { key: "regime", header: t("reports.regime"), sortKey: "regime", render: (r) => regimeLabel(t, r.regime) },
    { key: "status", header: t("reports.status"), sortKey: "status", render: (r) => (
      <span className={`badge report-${r.status}`}>{codeLabel(t, "report_status", r.status)}</span>
    ) },
    { key: "records", header: t("reports.records"), sortKey: "record_count", firstOrder: "desc", render: (r) => r.record_count },
    { key: "items", header: t("reports.items"), render: (r) => <ItemCounts counts={r.items_by_status} /> },
    { key: "msg", header: t("reports.tr_message_id"), render: (r) => (r.tr_message_id ? <code>{r.tr_message_id}</code> : "—") },
    { key: "subs", header: t("reports.submissions"), render: (r) => lastSubmission(t, r) },
    { key: "reject", header: t("reports.reject"), render: (r) => r.reject_code ?? "" },
  ];
  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title">{t("reports.title")}</h1>
      <ListFilters key={key} id="rf" fields={fields} value={values} onApply={(v) => navigate(href("/reports", { ...v, ...sortParams(params) }))} />
      {list.error && <ProblemBox error={list.error} onRetry={list.retry} />}
      {(list.rows.length > 0 || (!list.loading && !list.error)) && (
        <DataTable caption={t("reports.title")} columns={columns} rows={list.rows} rowKey={(r) => r.id} sort={sort.state}
          onOpen={(r) => navigate(href(`/reports/${encodeURIComponent(r.id)}`))} />
      )}
      {list.loading ? <Loading /> : !list.error && list.rows.length === 0 && <Empty>{t("reports.none")}</Empty>}
      <ListPager list={list} />
    </section>
  );
}
