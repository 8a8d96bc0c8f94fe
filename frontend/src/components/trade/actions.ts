// What a trade's event asks of the user: which repairs open where, and how its deadline stands.
import type { Translate } from "../../i18n";
import type { Schemas } from "../../api/types/spec";
import { isRepairable } from "../../api/types/trades";
import { href } from "../../router";
import { valueAt, valueText } from "./fields";

export type TradeEvent = Schemas["TradeEvent"];
export type TradeDeadline = Schemas["TradeDeadline"];

export interface RepairTarget {
  kind: "rule" | "tr_code";
  /** the rule id or TR code (null: the TR gave none) */
  key: string | null;
  field: string | null;
  value: string | null;
}


/** The repairs an event offers: one per open validation issue (by rule and field) and one per
 * NACK of the TR (by TR code, with the field its message names when it does). */
export function repairTargets(event: TradeEvent): RepairTarget[] {
  if (!isRepairable(event.state)) return [];
  const targets: RepairTarget[] = [];
  const seen = new Set<string>();
  const add = (target: RepairTarget) => {
    const id = `${target.kind}|${target.key}|${target.field}`;
    if (!seen.has(id)) (seen.add(id), targets.push(target));
  };
  const current = (field: string | null) => {
    if (!field) return null;
    const value = valueAt(event.payload, field);
    return value === undefined ? null : valueText(value);
  };
  for (const issue of event.issues) {
    if (issue.status === "resolved") continue;
    add({ kind: "rule", key: issue.rule_id, field: issue.field, value: issue.value ?? current(issue.field) });
  }
  if (event.state === "nacked") {
    for (const item of event.report_items) {
      if (item.status !== "nacked") continue;
      // the field the TR's message names, found on the server (as for the errors list's rows)
      add({ kind: "tr_code", key: item.tr_code, field: item.field, value: item.value ?? current(item.field) });
    }
  }
  return targets;
}

/** The Errors screen's URL for one repair: it opens the repair drawer of `eventId`, preset with
 * the field and its current value (docs/CONSOLE.md, URL contract of the Errors screen). */
export function repairHref(eventId: string, target: RepairTarget): string {
  return href("/errors", {
    kind: target.kind,
    key: target.key ?? undefined,
    event: eventId,
    field: target.field ?? undefined,
    value: target.value ?? undefined,
  });
}

/** "2 d 4 h", "3 h 20 min", "12 min": a span of time at the precision a deadline needs. */
export function spanText(t: Translate, ms: number): string {
  const minutes = Math.max(0, Math.floor(Math.abs(ms) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return t("trade.span.days", { d: days, h: hours });
  if (hours > 0) return t("trade.span.hours", { h: hours, m: minutes % 60 });
  return t("trade.span.minutes", { m: minutes });
}

/** How the trade's deadline stands, as of `now`: "Due in 3 h 20 min", "Overdue by 2 d 4 h". */
export function deadlineText(t: Translate, deadline: TradeDeadline, now: Date = new Date()): string {
  const due = deadline.due_at ? new Date(deadline.due_at).getTime() : NaN;
  switch (deadline.status) {
    case "open":
    case "late": {
      const left = due - now.getTime();
      // The server judged at its time; the clock here may be later: the time left decides.
      return left > 0 ? t("trade.deadline.left", { span: spanText(t, left) }) : t("trade.deadline.overdue", { span: spanText(t, left) });
    }
    case "met":
      return t("trade.deadline.met");
    case "missed":
      return t("trade.deadline.missed");
    default:
      return t("trade.deadline.none");
  }
}

/** True when the deadline is past and still owed. */
export function isOverdue(deadline: TradeDeadline, now: Date = new Date()): boolean {
  return (deadline.status === "open" || deadline.status === "late") && !!deadline.due_at && new Date(deadline.due_at).getTime() <= now.getTime();
}
