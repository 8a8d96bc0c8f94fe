import { useT } from "../i18n";
import type { MessageKey } from "../i18n/en";

const KNOWN = ["open", "assigned", "resolved"];

/** A validation issue's triage status, in the UI language (an unknown one as the API says it). */
export function IssueStatus({ status, assignee }: { status: string | undefined; assignee?: string | null }) {
  const t = useT();
  if (!status) return <>—</>;
  const text = KNOWN.includes(status) ? t(`errors.status.${status}` as MessageKey) : status;
  return (
    <span className={`badge issue-${status}`}>
      {assignee ? t("issues.status_assignee", { status: text, assignee }) : text}
    </span>
  );
}
