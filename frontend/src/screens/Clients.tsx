import { useState } from "react";
import { ApiError } from "../api/client";
import { useApi, useMe } from "../api/context";
import { useLoad } from "../api/hooks";
import { CLIENT_REPORT_STATUSES, type Client, type ClientReport } from "../api/types/clients";
import { REGIMES } from "../api/types/trades";
import { DataTable, type Column } from "../components/DataTable";
import { filterQuery, filterValues, ListFilters, type FilterField } from "../components/lists/ListFilters";
import { codeLabel, regimeLabel } from "../components/lists/labels";
import { ListPager } from "../components/lists/Pager";
import { saveBlob } from "../csv";
import { usePagedList } from "../components/lists/usePagedList";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { localDate } from "../format";
import { useT } from "../i18n";
import { href, navigate } from "../router";

/** Delegated reporting: the counterparties the tenant reports for, or one client's reports and
 * its daily file. A client_viewer sees its own client only (the API enforces it). */
export default function Clients({ lei, params }: { lei?: string; params: URLSearchParams }) {
  return lei ? <ClientReports lei={lei} params={params} /> : <ClientList />;
}

function ClientList() {
  const t = useT();
  const list = useLoad("clients", (api) => api.read("/api/clients", {}));
  const columns: Column<Client>[] = [
    { key: "name", header: t("clients.name"), render: (c) => c.name ?? "—" },
    { key: "lei", header: t("clients.lei"), render: (c) => <code>{c.lei}</code> },
    { key: "kind", header: t("clients.kind"), render: (c) => codeLabel(t, "client_kind", c.kind) },
    { key: "regimes", header: t("clients.regimes"), render: (c) => c.regimes.map((r) => regimeLabel(t, r)).join(", ") || "—" },
    { key: "reports", header: t("clients.reports"), className: "num", render: (c) => c.reports },
    { key: "acked", header: t("clients.acked"), className: "num", render: (c) => c.acked },
    { key: "nacked", header: t("clients.nacked"), className: "num", render: (c) => c.nacked },
    { key: "pending", header: t("clients.pending"), className: "num", render: (c) => c.pending },
    { key: "last", header: t("clients.last_reported"), render: (c) => (c.last_reported_at ? <Time value={c.last_reported_at} /> : "—") },
  ];
  const rows = list.data?.items ?? [];
  return (
    <section aria-labelledby="clients-title">
      <h1 id="clients-title">{t("clients.title")}</h1>
      {list.error && <ProblemBox error={list.error} onRetry={list.reload} />}
      {list.loading ? <Loading /> : rows.length > 0 ? (
        <DataTable caption={t("clients.title")} columns={columns} rows={rows} rowKey={(c) => c.lei}
          onOpen={(c) => navigate(href(`/clients/${encodeURIComponent(c.lei)}`))} />
      ) : !list.error && <Empty>{t("clients.none")}</Empty>}
    </section>
  );
}

function DailyFile({ lei }: { lei: string }) {
  const t = useT();
  const api = useApi();
  const [day, setDay] = useState(() => localDate());
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const download = async () => {
    setError(null);
    setSaved(null);
    try {
      const response = await api.raw("GET", `/api/clients/${encodeURIComponent(lei)}/daily?date=${encodeURIComponent(day)}`);
      if (!response.ok) {
        const problem = (await response.json().catch(() => ({}))) as { title?: string; detail?: string };
        throw new ApiError(response.status, problem.title ?? "Error", problem.detail ?? "", response.headers.get("X-Request-Id"));
      }
      const name = `client-${lei}-${day}.csv`;
      saveBlob(new Blob([await response.text()], { type: "text/csv;charset=utf-8" }), name);
      setSaved(name);
    } catch (exc) {
      setError(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
    }
  };
  return (
    <form className="daily-file" onSubmit={(e) => (e.preventDefault(), void download())}>
      <label htmlFor="daily-date">{t("clients.daily_date")}</label>{" "}
      <input id="daily-date" type="date" required value={day} onChange={(e) => setDay(e.target.value)} />{" "}
      <button type="submit">{t("clients.daily_download")}</button>
      {saved && <p role="status">{t("clients.daily_saved", { file: saved })}</p>}
      {error && <ProblemBox error={error} />}
    </form>
  );
}

function ClientReports({ lei, params }: { lei: string; params: URLSearchParams }) {
  const t = useT();
  const { user } = useMe();
  const fields: FilterField[] = [
    { kind: "checks", name: "status", label: t("clients.status"), options: CLIENT_REPORT_STATUSES,
      optionLabel: (v) => codeLabel(t, "item_status", v) },
    { kind: "checks", name: "regime", label: t("clients.regime"), options: REGIMES, optionLabel: (v) => regimeLabel(t, v) },
  ];
  const values = filterValues(fields, params);
  const key = JSON.stringify(values);
  const list = usePagedList<ClientReport>(`/api/clients/${encodeURIComponent(lei)}/reports`, filterQuery(fields, values));
  const columns: Column<ClientReport>[] = [
    { key: "reported", header: t("clients.reported_at"), render: (r) => <Time value={r.reported_at} /> },
    { key: "uti", header: t("clients.uti"), render: (r) => <code>{r.uti}</code> },
    { key: "regime", header: t("clients.regime"), render: (r) => regimeLabel(t, r.regime) },
    { key: "action", header: t("clients.action"), render: (r) => `${r.action_type}${r.event_type ? ` / ${r.event_type}` : ""}` },
    { key: "status", header: t("clients.status"), render: (r) => (
      <span className={`badge item-${r.status}`}>{codeLabel(t, "item_status", r.status)}</span>
    ) },
    { key: "tr", header: t("clients.tr_code"), className: "wrap", render: (r) => r.tr_message ?? r.tr_code ?? "" },
    { key: "file", header: t("clients.file"), render: (r) => (
      user.role === "client_viewer" ? <code>{r.report_file_id.slice(0, 8)}</code>
        : <a href={href(`/reports/${encodeURIComponent(r.report_file_id)}`)}>{r.report_file_id.slice(0, 8)}</a>
    ) },
  ];
  return (
    <section aria-labelledby="client-title">
      <h1 id="client-title">{t("clients.reports_title", { lei })}</h1>
      {user.role !== "client_viewer" && <p><a href={href("/clients")}>{t("clients.back")}</a></p>}
      <DailyFile lei={lei} />
      <ListFilters key={key} id="clf" fields={fields} value={values}
        onApply={(v) => navigate(href(`/clients/${encodeURIComponent(lei)}`, v))} />
      {list.error && <ProblemBox error={list.error} onRetry={list.retry} />}
      {(list.rows.length > 0 || (!list.loading && !list.error)) && (
        <DataTable caption={t("clients.reports_title", { lei })} columns={columns} rows={list.rows} rowKey={(r) => String(r.id)} />
      )}
      {list.loading ? <Loading /> : !list.error && list.rows.length === 0 && <Empty>{t("clients.reports_none")}</Empty>}
      <ListPager list={list} />
    </section>
  );
}
