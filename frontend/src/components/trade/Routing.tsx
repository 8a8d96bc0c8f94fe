import type { Routing, RoutingReport } from "../../api/types/entities";
import { useI18n, type Translate } from "../../i18n";
import { resolvePairs } from "../../i18n/particles";
import { codeLabel, regimeLabel } from "../lists/labels";

/** What the decision rests on: the tenant's entities (and which of them booked the trade), the
 * record's own regimes, or the tenant's regimes when no entity is set up. */
function basisText(t: Translate, routing: Routing): string {
  if (routing.basis === "record") return t("routing.basis.record");
  if (routing.basis === "tenant") return t("routing.basis.tenant");
  return routing.booking_entity
    ? t("routing.basis.entities", { entity: routing.booking_entity })
    : t("routing.basis.entities_none");
}

function Lei({ lei, entity }: { lei: string | null; entity?: string | null }) {
  if (!lei) return <>—</>;
  return <><code>{lei}</code>{entity ? <> (<code>{entity}</code>)</> : null}</>;
}

/** The event's routing as the pipeline decided it: each report owed (regime, in what capacity,
 * whose side, who submits it and who answers for it, and why) and each regime left out, with
 * the reason in the UI language. An event stored before routing was recorded shows nothing. */
export function RoutingSection({ routing, eventId, version }: { routing: Routing | null | undefined; eventId: string; version: string }) {
  const { t, lang } = useI18n();
  if (!routing) return null;
  const reason = (r: { reason_en: string; reason_ko: string }) => (lang === "ko" ? resolvePairs(r.reason_ko) : r.reason_en);
  const key = (r: RoutingReport, i: number) => `${r.regime}|${r.capacity}|${r.reporting_counterparty}|${i}`;
  const title = `routing-${eventId}`;
  return (
    <section className="routing" aria-labelledby={title}>
      <h4 id={title}>{t("routing.title")}</h4>
      <p className="muted">{basisText(t, routing)}</p>
      {routing.reports.length === 0 ? (
        <p>{t("routing.none")}</p>
      ) : (
        <div className="table-wrap">
          <table className="routing-reports">
            <caption className="sr-only">{t("routing.caption", { version })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("routing.regime")}</th>
                <th scope="col">{t("routing.capacity")}</th>
                <th scope="col">{t("routing.reporting_counterparty")}</th>
                <th scope="col">{t("routing.submitting_entity")}</th>
                <th scope="col">{t("routing.entity_responsible")}</th>
                <th scope="col">{t("routing.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {routing.reports.map((r, i) => (
                <tr key={key(r, i)}>
                  <th scope="row">{regimeLabel(t, r.regime)}</th>
                  <td><span className={`badge capacity-${r.capacity}`}>{codeLabel(t, "capacity", r.capacity)}</span></td>
                  <td><Lei lei={r.reporting_counterparty} entity={r.entity_id} /></td>
                  <td><Lei lei={r.submitting_entity} /></td>
                  <td><Lei lei={r.entity_responsible} /></td>
                  <td className="reason">{reason(r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {routing.skipped.length > 0 && (
        <>
          <h5>{t("routing.skipped")}</h5>
          <ul className="routing-skipped">
            {routing.skipped.map((s, i) => (
              <li key={`${s.regime}|${i}`}><strong>{regimeLabel(t, s.regime)}</strong>: {reason(s)}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
