import type { Schemas } from "../../api/types/spec";
import { useRules } from "../../api/rules";
import { useI18n } from "../../i18n";
import { IssueStatus } from "../IssueStatus";
import { resolvePairs } from "../../i18n/particles";
import { codeLabel, regimeLabel } from "../lists/labels";
import { RuleNote } from "../RuleExplanation";
import { Time } from "../Time";
import { repairHref, repairTargets, type TradeEvent } from "./actions";
import { FieldDiff, FieldList } from "./FieldDiff";
import { fieldLabel } from "./fields";
import { RoutingSection } from "./Routing";

type Detail = Schemas["TradeDetail"];

/** The trade's events newest first, each with its version, what changed (a first version: all
 * its fields), its issues, who reports it and why (its routing), its report items, and the
 * repairs it offers. */
export function Timeline({ detail }: { detail: Detail }) {
  const { t } = useI18n();
  const seqOf = new Map(detail.events.map((e) => [e.id, e.seq]));
  const replacedBy = new Map(detail.events.filter((e) => e.supersedes).map((e) => [e.supersedes as string, e.seq]));
  const newestFirst = [...detail.events].reverse();
  return (
    <>
      {detail.events_truncated && <p className="muted">{t("trade.truncated", { n: detail.events.length })}</p>}
      <ol className="timeline" reversed>
        {newestFirst.map((e) => (
          <EventEntry key={e.id} event={e} replaces={e.supersedes ? seqOf.get(e.supersedes) : undefined} replacedBy={replacedBy.get(e.id)} />
        ))}
      </ol>
    </>
  );
}

function EventEntry({ event: e, replaces, replacedBy }: { event: TradeEvent; replaces?: number; replacedBy?: number }) {
  const { t, lang } = useI18n();
  const rules = useRules();
  const version = t("detail.version", { version: e.seq });
  const open = e.issues.filter((i) => i.status !== "resolved");
  const flagged = new Set(open.map((i) => i.field).filter((f): f is string => !!f));
  const targets = repairTargets(e);
  for (const target of targets) if (target.field) flagged.add(target.field);
  return (
    <li className={`event state-${e.state}`} data-seq={e.seq}>
      <h3 id={`event-${e.id}`}>
        {version} · {codeLabel(t, "action_type", e.action_type)}
        {e.event_type ? `/${codeLabel(t, "event_type", e.event_type)}` : ""} ·{" "}
        <span className={`badge state-${e.state}`}>{codeLabel(t, "state", e.state)}</span>{" "}
        <Time value={e.event_timestamp} />
      </h3>
      <p className="muted event-meta">
        {t("trade.received_at")} <Time value={e.created_at} />
        {e.source === "repair" && replaces !== undefined && <> · {t("trade.repair_of", { version: replaces })}</>}
        {replacedBy !== undefined && <> · {t("trade.replaced_by", { version: replacedBy })}</>}
        {e.deadline_at && <> · {t("trade.deadline")} <Time value={e.deadline_at} /></>}
      </p>
      {e.changes === null ? (
        <details open={flagged.size > 0}>
          <summary>{t("trade.first_fields", { version })}</summary>
          <FieldList payload={e.payload} caption={t("trade.first_fields", { version })} flagged={flagged} />
        </details>
      ) : (
        <FieldDiff changes={e.changes} caption={t("trade.changes", { version })} flagged={flagged} />
      )}
      {e.issues.length > 0 && (
        <>
          <h4>{t("detail.issues")}</h4>
          <ul className="issues">
            {e.issues.map((i) => (
              <li key={i.id}>
                <strong>{i.rule_id}</strong> <span className="badge">{codeLabel(t, "issue_severity", i.severity)}</span>
                {i.field && <> <span title={i.field}>{fieldLabel(t, i.field, lang)}</span></>}
                {i.value !== null && <> = <code>{i.value}</code></>}: {lang === "ko" && i.message_ko ? resolvePairs(i.message_ko) : i.message}
                {" "}<IssueStatus status={i.status} assignee={i.assignee} />
                <RuleNote rule={rules?.get(i.rule_id)} />
              </li>
            ))}
          </ul>
        </>
      )}
      <RoutingSection routing={e.routing} eventId={e.id} version={version} />
      {e.report_items.length > 0 && (
        <>
          <h4>{t("detail.reports")}</h4>
          <ul>
            {e.report_items.map((r) => (
              <li key={r.id}>
                {regimeLabel(t, r.regime)} → <code>{r.tr}</code>: <span className={`badge item-${r.status}`}>{codeLabel(t, "item_status", r.status)}</span>
                {r.tr_code && <> <code>{r.tr_code}</code> <span className="tr-said" translate="no">{r.tr_message}</span></>} <Time value={r.submitted_at ?? r.file_created_at} />
              </li>
            ))}
          </ul>
        </>
      )}
      {targets.length > 0 && (
        <ul className="repairs">
          {targets.map((target) => (
            <li key={`${target.kind}|${target.key}|${target.field}`}>
              <a href={repairHref(e.id, target)}>
                {t("trade.repair", { version, code: target.key ?? "—", field: target.field ? fieldLabel(t, target.field, lang) : "—" })} →
              </a>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
