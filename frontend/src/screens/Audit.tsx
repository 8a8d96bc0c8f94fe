import { AUDIT_SORTS, type AuditEntry } from "../api/types/audit";
import { DataTable, type Column } from "../components/DataTable";
import { ChangeDiff } from "../components/lists/ChangeDiff";
import { filterQuery, filterValues, ListFilters, type FilterField } from "../components/lists/ListFilters";
import { codeLabel } from "../components/lists/labels";
import { sortParams, useListSort } from "../components/lists/listSort";
import { ListPager } from "../components/lists/Pager";
import { usePagedList } from "../components/lists/usePagedList";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { useT } from "../i18n";
import { href, navigate } from "../router";

/** Audited actions (shared/services/...), offered as suggestions: the filter matches a prefix. */
const ACTIONS = [
  "alert.ack", "api_key.created", "api_key.revoked", "dead_letter.redrive", "event.cancel", "event.repair",
  "event.resubmit", "event.revalidate", "export.created", "issue.assign", "issue.resolve",
  "report_file.download_url", "upload.url_issued", "user.created", "user.updated",
];
const ENTITY_TYPES = ["alert", "dead_letter", "export", "object", "report_file", "trade_event", "user", "validation_issue"];

/** What an audit row is about; a report file links to its screen. */
function Target({ entry }: { entry: AuditEntry }) {
  if (!entry.entity_type && !entry.entity_id) return <>—</>;
  const id = entry.entity_id ?? "";
  return (
    <>
      <span className="muted">{entry.entity_type}</span>{" "}
      {entry.entity_type === "report_file" && id ? (
        <a href={href(`/reports/${encodeURIComponent(id)}`)}><code>{id}</code></a>
      ) : (
        <code>{id}</code>
      )}
    </>
  );
}

/** The tenant's audit log, newest first: who did what to which, with the values before and after. */
export default function Audit({ params }: { params: URLSearchParams }) {
  const t = useT();
  const fields: FilterField[] = [
    { kind: "text", name: "actor", label: t("audit.actor"), maxLength: 200, hint: t("list.exact_hint") },
    { kind: "text", name: "action", label: t("audit.action"), maxLength: 100, suggestions: ACTIONS, hint: t("list.prefix_hint") },
    { kind: "text", name: "entity_type", label: t("audit.entity_type"), maxLength: 100, suggestions: ENTITY_TYPES },
    { kind: "text", name: "entity_id", label: t("audit.entity_id"), maxLength: 200 },
    { kind: "date", name: "at_from", label: t("list.from"), bound: "start" },
    { kind: "date", name: "at_to", label: t("list.to"), bound: "end" },
  ];
  const values = filterValues(fields, params);
  const key = JSON.stringify(values);
  const query = filterQuery(fields, values);
  const sort = useListSort("/audit", params, AUDIT_SORTS, "at", query);
  const list = usePagedList<AuditEntry>("/api/audit", { ...query, ...sort.query });
  const columns: Column<AuditEntry>[] = [
    { key: "at", header: t("audit.at"), sortKey: "at", firstOrder: "desc", render: (e) => <Time value={e.at} /> },
    { key: "actor", header: t("audit.actor"), sortKey: "actor", render: (e) => (
      <>
        <span translate="no">{e.actor}</span>
        {e.actor_type !== "user" && <div className="muted">{codeLabel(t, "actor_type", e.actor_type)}</div>}
      </>
    ) },
    { key: "action", header: t("audit.action"), sortKey: "action", render: (e) => <code>{e.action}</code> },
    { key: "target", header: t("audit.target"), className: "wrap", render: (e) => <Target entry={e} /> },
    { key: "change", header: t("audit.change"), className: "wrap", render: (e) => <ChangeDiff before={e.before} after={e.after} /> },
    { key: "request", header: t("error.request_id"), render: (e) => (e.request_id ? <code className="small">{e.request_id}</code> : "—") },
  ];
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t("audit.title")}</h1>
      <ListFilters key={key} id="auf" fields={fields} value={values} onApply={(v) => navigate(href("/audit", { ...v, ...sortParams(params) }))} />
      {list.error && <ProblemBox error={list.error} onRetry={list.retry} />}
      {(list.rows.length > 0 || (!list.loading && !list.error)) && (
        <DataTable caption={t("audit.title")} columns={columns} rows={list.rows} rowKey={(e) => String(e.id)} sort={sort.state} />
      )}
      {list.loading ? <Loading /> : !list.error && list.rows.length === 0 && <Empty>{t("audit.none")}</Empty>}
      <ListPager list={list} />
    </section>
  );
}
