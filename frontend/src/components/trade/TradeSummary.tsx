import type { Schemas } from "../../api/types/spec";
import { useI18n } from "../../i18n";
import { href } from "../../router";
import { codeLabel, regimeLabel } from "../lists/labels";
import { Time } from "../Time";
import { deadlineText, isOverdue } from "./actions";
import { FieldList } from "./FieldDiff";
import { mainFields, type Payload } from "./fields";

type Detail = Schemas["TradeDetail"];

/** The top of trade detail: where the trade stands (state, regimes, deadline), its fields now,
 * and what the TR said about it (this trade's report items, per regime). */
export function TradeSummary({ detail, now }: { detail: Detail; now?: Date }) {
  const { t } = useI18n();
  const latest = detail.events[detail.events.length - 1];
  const state = detail.trade?.state ?? latest?.state;
  const regimes = detail.trade?.regimes ?? latest?.regimes ?? [];
  const { deadline, current } = detail;
  const overdue = isOverdue(deadline, now);
  const payload = (current?.payload ?? {}) as Payload;
  return (
    <section className="trade-summary" aria-labelledby="summary-title">
      <h2 id="summary-title">{t("trade.summary")}</h2>
      <dl className="facts">
        <div>
          <dt>{t("trade.state")}</dt>
          <dd>{state ? <span className={`badge state-${state}`}>{codeLabel(t, "state", state)}</span> : "—"}</dd>
        </div>
        <div>
          <dt>{t("trade.regimes")}</dt>
          <dd>{regimes.length ? regimes.map((r) => regimeLabel(t, r)).join(", ") : "—"}</dd>
        </div>
        <div>
          <dt>{t("trade.deadline")}</dt>
          <dd>
            {deadline.due_at && <><Time value={deadline.due_at} /> · </>}
            <span className={overdue ? "overdue" : undefined}>{deadlineText(t, deadline, now)}</span>
            {deadline.seq !== null && deadline.status !== "none" && <span className="muted"> ({t("detail.version", { version: deadline.seq })})</span>}
          </dd>
        </div>
      </dl>

      <h3>{current ? t("trade.current", { version: current.seq }) : t("trade.current_none")}</h3>
      {current && (
        <>
          <dl className="facts fields-main">
            {mainFields(t, payload).map((line) => (
              <div key={line.path}>
                <dt title={line.path}>{line.label}</dt>
                <dd>{line.instant ? <Time value={line.instant} /> : line.value}</dd>
              </div>
            ))}
          </dl>
          <details>
            <summary>{t("trade.all_fields")}</summary>
            <FieldList payload={payload} caption={t("trade.current", { version: current.seq })} />
          </details>
        </>
      )}

      <h3>{t("trade.tr_said")}</h3>
      {detail.tr_status.length === 0 ? (
        <p className="muted">{t("trade.tr_none")}</p>
      ) : (
        <table className="tr-status">
          <caption className="sr-only">{t("trade.tr_said")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("trade.tr.regime")}</th>
              <th scope="col">{t("trade.tr.status")}</th>
              <th scope="col">{t("trade.tr.code")}</th>
              <th scope="col">{t("trade.tr.message")}</th>
              <th scope="col">{t("trade.tr.version")}</th>
              <th scope="col">{t("trade.tr.file")}</th>
            </tr>
          </thead>
          <tbody>
            {detail.tr_status.map((s) => (
              <tr key={s.regime}>
                <th scope="row">{regimeLabel(t, s.regime)} → <code>{s.tr}</code></th>
                <td><span className={`badge item-${s.status}`}>{codeLabel(t, "item_status", s.status)}</span></td>
                <td>{s.tr_code ? <code>{s.tr_code}</code> : "—"}</td>
                <td>{s.tr_message ? <span className="tr-said" translate="no">{s.tr_message}</span> : "—"}</td>
                <td>{t("detail.version", { version: s.seq })}</td>
                <td><a href={href(`/reports/${encodeURIComponent(s.report_file_id)}`)}><Time value={s.submitted_at ?? s.file_created_at} /></a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
