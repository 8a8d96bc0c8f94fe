import { useState } from "react";
import { ruleTitle, useRules } from "../../api/rules";
import type { Schemas } from "../../api/types/spec";
import { useI18n, type Translate } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { href } from "../../router";
import { codeLabel } from "../lists/labels";

export type Group = Schemas["ErrorGroup"];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A span as ops staff say it: "40 min", "3 h" (under two days), "2 d". */
export function span(t: Translate, ms: number): string {
  const m = Math.max(0, ms);
  if (m < HOUR) return t("errors.unit.min", { n: Math.max(1, Math.floor(m / MINUTE)) });
  if (m < 2 * DAY) return t("errors.unit.h", { n: Math.floor(m / HOUR) });
  return t("errors.unit.d", { n: Math.floor(m / DAY) });
}

/** How old the oldest open item is, and the time left to the nearest deadline (or overdue). */
export function urgency(t: Translate, g: Pick<Group, "oldest_at" | "deadline_at">, now: number) {
  const age = g.oldest_at ? t("errors.oldest", { age: span(t, now - Date.parse(g.oldest_at)) }) : null;
  const due = g.deadline_at ? Date.parse(g.deadline_at) : null;
  const deadline = due === null ? null : due <= now ? t("errors.overdue") : t("errors.due_in", { left: span(t, due - now) });
  return { age, deadline, overdue: due !== null && due <= now };
}

/** The groups in the API's order (what needs action first); groups with nothing open are kept
 * behind a toggle at the bottom. */
export function GroupList({ groups, kind, groupKey, now = Date.now() }: {
  groups: Group[];
  kind: string | null;
  groupKey: string | null;
  now?: number;
}) {
  const { t, lang } = useI18n();
  const rules = useRules();
  const [showDone, setShowDone] = useState(false);
  const open = groups.filter((g) => g.open > 0);
  const done = groups.filter((g) => g.open === 0);
  const item = (g: Group) => {
    const rule = g.kind === "rule" && g.key ? rules?.get(g.key) : undefined;
    const { age, deadline, overdue } = urgency(t, g, now);
    return (
      <li key={`${g.kind}:${g.key}`} className={g.open === 0 ? "done" : undefined}>
        <a href={href("/errors", { kind: g.kind, key: g.key ?? "" })}
          aria-current={g.kind === kind && g.key === groupKey ? "true" : undefined}>
          <span className={`badge severity-${g.severity}`}>{codeLabel(t, "issue_severity", g.severity)}</span>{" "}
          <span className="badge">{t(`errors.kind.${g.kind}` as MessageKey)}</span>{" "}
          <strong translate="no">{g.kind === "parse" ? g.object_key ?? g.key : g.key ?? "—"}</strong>
          <br />
          <span className="group-facts">
            {g.open > 0 ? t("errors.open_of", { open: g.open, n: g.count }) : t("errors.nothing_open")}
            {g.open > 0 && age && <> · {age}</>}
            {g.open > 0 && deadline && <> · <span className={overdue ? "overdue" : undefined}>{deadline}</span></>}
          </span>
          {rule && <><br /><span className="rule-note">{ruleTitle(rule, lang)}</span></>}
          <br />
          <span className="muted">{g.sample?.message ?? g.sample_error ?? ""}</span>
        </a>
      </li>
    );
  };
  return (
    <>
      <ul className="groups">{open.map(item)}</ul>
      {done.length > 0 && (
        <>
          <button type="button" aria-expanded={showDone} onClick={() => setShowDone((s) => !s)}>
            {showDone ? t("errors.hide_done") : t("errors.show_done", { n: done.length })}
          </button>
          {showDone && <ul className="groups">{done.map(item)}</ul>}
        </>
      )}
    </>
  );
}
