import type { Alert } from "../api/types/alerts";
import { useI18n, type Lang, type Translate } from "../i18n";
import { en, type MessageKey } from "../i18n/en";
import { codeLabel, duration, regimeLabel } from "./lists/labels";

// An alert's message in the UI language, from its kind and details (the numbers the monitor
// stores with it, shared/services/monitoring): `alert.<kind>` in en.ts/ko.ts. The server's
// English summary is the fallback for a kind the console does not know yet, or an older alert
// whose details lack a number the template needs.

type Vars = Record<string, string | number>;
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

function when(value: unknown, lang: Lang): string | undefined {
  const s = str(value);
  const d = s ? new Date(s) : null;
  if (!d || Number.isNaN(d.getTime())) return undefined;
  return new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", { dateStyle: "medium", timeStyle: "short" }).format(d);
}

const pct = (v: unknown): string | undefined => (num(v) === undefined ? undefined : `${(num(v)! * 100).toFixed(1)} %`);

/** The values the templates need, by kind; a missing one makes the template unusable. */
function varsOf(alert: Alert, t: Translate, lang: Lang): Vars {
  const d = (alert.details ?? {}) as Record<string, unknown>;
  const recon = (d.reconciliation ?? {}) as Record<string, unknown>;
  const regime = str(d.regime);
  const codes = d.codes && typeof d.codes === "object" ? Object.keys(d.codes as object) : [];
  const vars: Record<string, string | number | undefined> = {
    count: num(d.count), events: num(d.events), earliest: when(d.earliest_deadline, lang), hours: num(d.window_hours),
    queue: str(d.queue), receives: num(d.max_receive_count),
    age: num(d.oldest_s) === undefined ? undefined : duration(num(d.oldest_s)! * 1000, t),
    regime: regime && regimeLabel(t, regime), files: num(d.files), records: num(d.records),
    breaks: num(recon.breaks), file: str(d.report_file_id)?.slice(0, 8),
    codes: codes.length ? codes.slice(0, 5).join(", ") : undefined,
    key: str(d.key), check: str(d.check),
    current: num(d.current), baseline: num(d.baseline),
    subject: str(d.name) ?? str(d.subject), rejected: num(d.rejected), share: pct(d.share), trailing: pct(d.trailing_share),
    code: str(d.code), older: str(d.older)?.slice(0, 8), second: str(d.second),
  };
  return Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined)) as Vars;
}

/** The translated message, or null when the kind is unknown or a number is missing. */
export function alertMessage(alert: Alert, t: Translate, lang: Lang): string | null {
  const key = `alert.${alert.kind}`;
  if (!Object.hasOwn(en, key)) return null;
  const vars = varsOf(alert, t, lang);
  const needed = [...en[key as MessageKey].matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return needed.every((n) => n in vars) ? t(key as MessageKey, vars) : null;
}

/** The alert kind's name (`deadline.late`: "Past the deadline"), the code itself when unknown. */
export const alertKindLabel = (t: Translate, kind: string): string => codeLabel(t, "alert_kind", kind);

// Names of things in the system (a queue, a file key, a rule or TR code) are shown as code.
const IDENTIFIERS = ["queue", "key", "check", "file", "older", "second", "subject", "codes", "code"];

export function AlertMessage({ alert }: { alert: Alert }) {
  const { t, lang } = useI18n();
  const text = alertMessage(alert, t, lang);
  // The server's summary is English: say so, so a screen reader reads it as English.
  if (text === null) return <span lang="en">{alert.summary}</span>;
  const vars = varsOf(alert, t, lang);
  const ids = IDENTIFIERS.map((n) => vars[n]).filter((v): v is string => typeof v === "string" && v.length > 0);
  if (!ids.length) return <>{text}</>;
  const pattern = new RegExp(`(${ids.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`);
  return <>{text.split(pattern).map((part, i) => (i % 2 ? <code key={i}>{part}</code> : part))}</>;
}
