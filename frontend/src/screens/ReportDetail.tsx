import { useState } from "react";
import { ApiError } from "../api/client";
import { useApi } from "../api/context";
import { useLoad } from "../api/hooks";
import type { DownloadUrl, ReportFile, Submission } from "../api/types/reports";
import { DataTable, type Column } from "../components/DataTable";
import { codeLabel, regimeLabel } from "../components/lists/labels";
import { startDownload } from "../components/reports/download";
import { ItemCounts } from "../components/reports/ItemCounts";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { useT } from "../i18n";
import { href } from "../router";

/** Fetches a fresh presigned URL on each click (they expire) and starts the download; the link
 * stays on screen with its expiry in case the browser blocked the automatic start. */
function Download({ report }: { report: ReportFile }) {
  const api = useApi();
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<DownloadUrl | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.read("/api/reports/{report_id}/download", { report_id: report.id });
      setLink(answer);
      startDownload(answer.url, answer.file_name);
    } catch (exc) {
      setLink(null);
      setError(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
    } finally {
      setBusy(false);
    }
  };
  const written = !!report.object_key;
  return (
    <section aria-labelledby="download-title" className="download">
      <h2 id="download-title">{t("report.file")}</h2>
      {report.object_key && <p><code>{report.object_key}</code></p>}
      <button type="button" onClick={download} disabled={busy || !written}
        aria-describedby={written ? undefined : "download-hint"}>
        {busy ? t("report.downloading") : t("report.download")}
      </button>
      {!written && <p id="download-hint" className="muted">{t("report.not_written")}</p>}
      {link && (
        <p role="status">
          {t("report.download_started")}{" "}
          <a href={link.url} download={link.file_name} rel="noopener">{link.file_name}</a>{" "}
          <span className="muted">({t("report.link_expires")} <Time value={link.expires_at} />)</span>
        </p>
      )}
      {error && <ProblemBox error={error} />}
    </section>
  );
}

/** One report file: what the TR said, each submission attempt, and the file itself. */
export default function ReportDetail({ id }: { id: string }) {
  const t = useT();
  const report = useLoad<ReportFile>(`report:${id}`, (api) => api.read("/api/reports/{report_id}", { report_id: id }));
  const r = report.data;
  const columns: Column<Submission>[] = [
    { key: "attempt", header: t("report.attempt"), render: (s) => s.attempt },
    { key: "started", header: t("report.started"), render: (s) => <Time value={s.started_at} /> },
    { key: "finished", header: t("report.finished"), render: (s) => <Time value={s.finished_at} /> },
    { key: "http", header: t("report.http_status"), render: (s) => s.http_status ?? "—" },
    { key: "msg", header: t("reports.tr_message_id"), render: (s) => (s.tr_message_id ? <code>{s.tr_message_id}</code> : "—") },
    { key: "outcome", header: t("report.outcome"), render: (s) => (
      <span className={`badge outcome-${s.outcome ?? "none"}`}>{s.outcome ? codeLabel(t, "submission_outcome", s.outcome) : "—"}</span>
    ) },
    { key: "error", header: t("report.error"), render: (s) => s.error ?? "", className: "wrap" },
  ];
  return (
    <section aria-labelledby="report-title">
      <p><a href={href("/reports")}>← {t("report.back")}</a></p>
      <h1 id="report-title">
        {t("report.title")} {r && <small>{regimeLabel(t, r.regime)} · <Time value={r.created_at} /></small>}
      </h1>
      {report.error && <ProblemBox error={report.error} onRetry={report.reload} />}
      {!r ? (
        !report.error && <Loading />
      ) : (
        <>
          <dl className="facts">
            <div><dt>{t("reports.status")}</dt><dd><span className={`badge report-${r.status}`}>{codeLabel(t, "report_status", r.status)}</span></dd></div>
            <div><dt>{t("reports.regime")}</dt><dd>{regimeLabel(t, r.regime)} (<code>{r.tr}</code>)</dd></div>
            <div><dt>{t("reports.records")}</dt><dd>{r.record_count}</dd></div>
            <div><dt>{t("reports.tr_message_id")}</dt><dd>{r.tr_message_id ? <code>{r.tr_message_id}</code> : "—"}</dd></div>
            <div><dt>{t("reports.created")}</dt><dd><Time value={r.created_at} /></dd></div>
            <div><dt>{t("report.submitted")}</dt><dd><Time value={r.submitted_at} /></dd></div>
            <div><dt>{t("report.id")}</dt><dd><code>{r.id}</code></dd></div>
          </dl>
          <Download report={r} />
          <section aria-labelledby="feedback-title">
            <h2 id="feedback-title">{t("report.feedback")}</h2>
            {r.feedback_at || r.items_by_status.acked || r.items_by_status.nacked || r.reject_code ? (
              <dl className="facts">
                <div><dt>{t("reports.items")}</dt><dd><ItemCounts counts={r.items_by_status} /></dd></div>
                <div><dt>{t("report.feedback_at")}</dt><dd><Time value={r.feedback_at} /></dd></div>
                {(r.reject_code || r.reject_reason) && (
                  <div><dt>{t("reports.reject")}</dt><dd className="bad">{r.reject_code} {r.reject_reason}</dd></div>
                )}
              </dl>
            ) : (
              <Empty>{t("report.no_feedback")}</Empty>
            )}
          </section>
          <section aria-labelledby="subs-title">
            <h2 id="subs-title">{t("reports.submissions")}</h2>
            {r.submissions.length === 0 ? (
              <Empty>{t("report.no_submissions")}</Empty>
            ) : (
              <DataTable caption={t("reports.submissions")} columns={columns} rows={r.submissions} rowKey={(s) => String(s.attempt)} />
            )}
          </section>
        </>
      )}
    </section>
  );
}
