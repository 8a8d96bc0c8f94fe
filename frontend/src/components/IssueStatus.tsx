import { useT } from "../i18n";
import { codeLabel } from "./lists/labels";

/** A validation issue's triage status, in the UI language (an unknown one as the API says it). */
export function IssueStatus({ status, assignee }: { status: string | undefined; assignee?: string | null }) {
  const t = useT();
  if (!status) return <>—</>;
  const text = codeLabel(t, "issue_status", status);
  return (
    <span className={`badge issue-${status}`}>
      {assignee ? t("issues.status_assignee", { status: text, assignee }) : text}
    </span>
  );
}
