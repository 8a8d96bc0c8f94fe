import { useLoad } from "../api/hooks";
import type { Schemas } from "../api/types/spec";
import { useRules } from "../api/rules";
import { IssueStatus } from "../components/IssueStatus";
import { codeLabel } from "../components/lists/labels";
import { RuleNote } from "../components/RuleExplanation";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { useI18n } from "../i18n";
import { href } from "../router";
import { lastTradesHref } from "../components/lists/tradesState";

// GET /api/trades/{uti}
type Detail = Schemas["TradeDetail"];
type Change = Schemas["FieldChange"];

const show = (v: unknown) => (v === null || v === undefined ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v));

function Diff({ changes }: { changes: Change[] | null }) {
  const { t } = useI18n();
  if (!changes) return <p className="muted">{t("detail.no_diff")}</p>;
  if (changes.length === 0) return null;
  return (
    <table className="diff">
      <caption>{t("detail.diff")}</caption>
      <thead>
        <tr><th scope="col">{t("detail.field")}</th><th scope="col">{t("detail.before")}</th><th scope="col">{t("detail.after")}</th></tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.field}>
            <th scope="row"><code>{c.field}</code></th>
            <td className="before">{show(c.before)}</td>
            <td className="after">{show(c.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function TradeDetail({ uti }: { uti: string }) {
  const { t, lang } = useI18n();
  const detail = useLoad<Detail>(`trade:${uti}`, (api) => api.read("/api/trades/{uti}", { uti }));
  const rules = useRules();
  return (
    <section aria-labelledby="detail-title">
      <p><a href={lastTradesHref()}>← {t("detail.back")}</a></p>
      <h1 id="detail-title">{t("detail.title", { uti })}</h1>
      {detail.error && <ProblemBox error={detail.error} onRetry={detail.reload} />}
      {detail.loading && !detail.data && <Loading />}
      {detail.data && (
        <>
          {detail.data.trade && (
            <p>
              <span className={`badge state-${detail.data.trade.state}`}>{codeLabel(t, "state", detail.data.trade.state)}</span>{" "}
              {detail.data.trade.trade_id} {detail.data.trade.counterparty_2_name ?? ""}
            </p>
          )}
          <h2>{t("detail.timeline")}</h2>
          {detail.data.events.length === 0 ? <Empty /> : (
            <ol className="timeline">
              {detail.data.events.map((e) => (
                <li key={e.id} className={`event state-${e.state}`}>
                  <h3>
                    {t("detail.version", { version: e.version })} · {codeLabel(t, "action_type", e.action_type)}
                    {e.event_type ? `/${codeLabel(t, "event_type", e.event_type)}` : ""} ·{" "}
                    <span className={`badge state-${e.state}`}>{codeLabel(t, "state", e.state)}</span>{" "}
                    <Time value={e.event_timestamp} />
                  </h3>
                  <Diff changes={e.changes} />
                  {e.issues.length > 0 && (
                    <>
                      <h4>{t("detail.issues")}</h4>
                      <ul className="issues">
                        {e.issues.map((i) => (
                          <li key={i.id}>
                            <strong>{i.rule_id}</strong> <span className="badge">{codeLabel(t, "issue_severity", i.severity)}</span>
                            {i.field && <> <code>{i.field}</code></>}
                            {i.value !== null && <> = <code>{i.value}</code></>}: {lang === "ko" && i.message_ko ? i.message_ko : i.message}
                            {" "}<IssueStatus status={i.status} assignee={i.assignee} />
                            <RuleNote rule={rules?.get(i.rule_id)} />
                          </li>
                        ))}
                      </ul>
                    </>
                  )}
                  {e.report_items.length > 0 && (
                    <>
                      <h4>{t("detail.reports")}</h4>
                      <ul>
                        {e.report_items.map((r) => (
                          <li key={r.id}>
                            {r.regime} → {r.tr}: <span className={`badge item-${r.status}`}>{codeLabel(t, "item_status", r.status)}</span>
                            {r.tr_code && <> <code>{r.tr_code}</code> {r.tr_message}</>} <Time value={r.file_created_at} />
                          </li>
                        ))}
                      </ul>
                    </>
                  )}
                  {(e.state === "invalid" || e.state === "nacked") && (
                    <p><a href={href("/errors", { event: e.id })}>{t("detail.repair")} →</a></p>
                  )}
                </li>
              ))}
            </ol>
          )}
          {detail.data.feedback.length > 0 && (
            <>
              <h2>{t("detail.feedback")}</h2>
              <ul>
                {detail.data.feedback.map((f) => (
                  <li key={f.id}>
                    {codeLabel(t, "feedback_status", f.status)} {f.tr_message_id} · ACK {f.ack_count} · NACK {f.nack_count} <Time value={f.received_at} />
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
