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

/** A duration for people: "850 ms", "12.4 s", "3 min 5 s". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
