import { en, type MessageKey } from "../../i18n/en";
import type { Translate } from "../../i18n";

/** The translated name of a code (`enum.alert_status.open`), or the code itself when it has none:
 * a value the API adds later still shows. Every state, status, action or event type the console
 * shows goes through here, so its name in each language lives in one place (i18n/en.ts, ko.ts);
 * identifiers (rule ids, TR codes, UTIs, LEIs, regimes) are shown as they are. */
export function codeLabel(t: Translate, group: string, code: string): string {
  const key = `enum.${group}.${code}`;
  return Object.hasOwn(en, key) ? t(key as MessageKey) : code;
}

/** A reporting regime by its name (KRX, CFTC Part 45, EMIR), not the API's lower-case id. */
export const regimeLabel = (t: Translate, regime: string): string => codeLabel(t, "regime", regime);

/** A duration for people: "850 ms", "12.4 s", then minutes, hours and days in the UI language
 * ("3 min 5 s", "3분 5초"); without `t`, English units. */
export function duration(ms: number | null | undefined, t?: Translate): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const [d, h, m, s] = [Math.floor(seconds / 86400), Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60];
  const say = (key: MessageKey, fallback: string, vars: Record<string, number>) => (t ? t(key, vars) : fallback);
  if (d > 0) return say("duration.days_hours", `${d} d ${h} h`, { d, h });
  if (h > 0) return say("duration.hours_minutes", `${h} h ${m} min`, { h, m });
  return say("duration.minutes_seconds", `${m} min ${s} s`, { m, s });
}
