import type { ApprovalRequest } from "../api/types/approvals";
import { number } from "../format";
import { useI18n } from "../i18n";
import { href } from "../router";
import { timeText } from "./Time";

/** An action the tenant's four-eyes policy held (the API's 202): nothing was done yet; another
 * user must approve it before it expires, on the Approvals screen. `notSent`: rows of a bulk run
 * that were not sent after the held chunk (the run stops there, so nothing more happens without a
 * second pair of eyes). */
export function HeldNotice({ approval, notSent = 0 }: { approval: ApprovalRequest; notSent?: number }) {
  const { t, lang } = useI18n();
  const expires = new Date(approval.expires_at);
  return (
    <div className="notice held" role="status" data-testid="held">
      <p>
        <strong>{t("approvals.held", { expires: timeText(expires, lang) })}</strong>
      </p>
      <p>{t("approvals.held_count", { n: number(approval.events) })}</p>
      {notSent > 0 && <p>{t("approvals.held_not_sent", { n: number(notSent) })}</p>}
      <p>
        <a href={href("/approvals")}>{t("approvals.open")}</a>
      </p>
    </div>
  );
}
