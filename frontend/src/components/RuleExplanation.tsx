import { ruleTitle, type Rule } from "../api/rules";
import { useI18n } from "../i18n";
import { codeLabel, regimeLabel } from "./lists/labels";

/** One line next to an issue: what its rule checks, in the UI language. */
export function RuleNote({ rule }: { rule: Rule | undefined }) {
  const { t, lang } = useI18n();
  if (!rule) return null;
  return (
    <span className="rule-note">
      {t("rules.checks")}: {ruleTitle(rule, lang)}
    </span>
  );
}

/** The rule behind an error group: what it checks, its field, where it applies and its source. */
export function RuleCard({ rule }: { rule: Rule | undefined }) {
  const { t, lang } = useI18n();
  if (!rule) return null;
  const field = (lang === "ko" ? rule.field_label_ko : rule.field_label) ?? rule.field;
  // The catalogue's notes (inputs a rule needs, known limits) exist in English only: the Korean
  // screen shows the Korean title, field and the regulation, not an English paragraph.
  const note = lang === "ko" ? null : rule.note;
  return (
    <div className="rule-card" aria-label={t("rules.card", { id: rule.id })} role="note">
      <p>
        <strong>{rule.id}</strong> <span className="badge">{codeLabel(t, "issue_severity", rule.severity)}</span>{" "}
        {ruleTitle(rule, lang)}
      </p>
      <dl>
        <dt>{t("rules.field")}</dt>
        <dd>
          {field} <code>{rule.field}</code>
        </dd>
        <dt>{t("rules.regimes")}</dt>
        <dd>{rule.regimes ? rule.regimes.map((r) => regimeLabel(t, r)).join(", ") : t("rules.every_regime")}</dd>
        {rule.source && (
          <>
            <dt>{t("rules.reference")}</dt>
            {/* the regulation or standard as it is cited (its title is not translated) */}
            <dd><cite lang="en">{rule.source}</cite></dd>
          </>
        )}
        {note && (
          <>
            <dt>{t("rules.note")}</dt>
            <dd>{note}</dd>
          </>
        )}
      </dl>
    </div>
  );
}
