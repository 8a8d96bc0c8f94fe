import type { Schemas } from "../../api/types/spec";
import { useI18n } from "../../i18n";
import { fieldLabel, flatten, valueText } from "./fields";

type Change = Schemas["FieldChange"];

/** One row per changed field, legs per leg and field ("Leg 1 · fixed rate  3.25 → 3.30"); the
 * payload path on hover. `flagged`: paths with an open issue, marked. */
export function FieldDiff({ changes, caption, flagged = new Set() }: { changes: Change[]; caption: string; flagged?: Set<string> }) {
  const { t, lang } = useI18n();
  if (changes.length === 0) return <p className="muted">{t("trade.diff.none")}</p>;
  return (
    <table className="diff">
      <caption>{caption}</caption>
      <thead>
        <tr><th scope="col">{t("detail.field")}</th><th scope="col">{t("detail.before")}</th><th scope="col">{t("detail.after")}</th></tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.field} className={flagged.has(c.field) ? "flagged" : undefined}>
            <th scope="row" title={c.field}>{fieldLabel(t, c.field, lang)}</th>
            <td className="before">{c.added ? <span className="muted">{t("trade.diff.absent")}</span> : valueText(c.before)}</td>
            <td className="after">{c.removed ? <span className="muted">{t("trade.diff.absent")}</span> : valueText(c.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every field of a payload with its value: a first version, which has nothing to diff with. */
export function FieldList({ payload, caption, flagged = new Set() }: { payload: unknown; caption: string; flagged?: Set<string> }) {
  const { t, lang } = useI18n();
  const rows = flatten(payload);
  return (
    <table className="diff fields">
      <caption>{caption}</caption>
      <thead>
        <tr><th scope="col">{t("detail.field")}</th><th scope="col">{t("trade.value")}</th></tr>
      </thead>
      <tbody>
        {rows.map(([path, value]) => (
          <tr key={path} className={flagged.has(path) ? "flagged" : undefined}>
            <th scope="row" title={path}>{fieldLabel(t, path, lang)}</th>
            <td>{valueText(value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
