import type { ReactNode } from "react";
import type { ApiError } from "../api/client";
import { useT, type Translate } from "../i18n";
import { en, type MessageKey } from "../i18n/en";

export function Loading({ label }: { label?: string }) {
  const t = useT();
  return (
    <p className="state loading" role="status" aria-live="polite">
      {label ?? t("state.loading")}
    </p>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const t = useT();
  return <p className="state empty">{children ?? t("state.empty")}</p>;
}

const known = (key: string): key is MessageKey => Object.hasOwn(en, key);

/** What the problem means for the user, in the UI language: by the API's `reason` when the
 * console knows it (an issue resolved already), else by the status (409, 403, ...); a failure
 * without a status is the network. */
export function problemText(t: Translate, error: ApiError): string {
  const reason = `problem.reason.${error.reason ?? ""}`;
  if (error.reason && known(reason)) return t(reason);
  if (!error.status) return t("problem.network");
  if (error.status >= 500) return t("problem.status.5xx");
  const status = `problem.status.${error.status}`;
  return known(status) ? t(status) : t("problem.status.400");
}

/** A problem in the UI language, then as the API said it (title, detail: English, for support),
 * each field error, and the request id to quote. */
export function ProblemBox({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const t = useT();
  return (
    <div className="problem" role="alert">
      <strong>{problemText(t, error)}</strong>
      {(error.title || error.detail) && (
        <p className="problem-detail">
          <span className="sr-only">{t("problem.server_detail")}: </span>
          <span lang="en">
            {error.status ? `${error.status} ` : ""}
            {error.title}
            {error.detail ? `: ${error.detail}` : ""}
          </span>
        </p>
      )}
      {error.errors.length > 0 && (
        <ul>
          {error.errors.map((e, i) => (
            <li key={i}>
              {(e.field ?? e.parameter) && <code>{e.field ?? e.parameter}</code>} {e.message}
              {e.code ? ` (${e.code})` : ""}
            </li>
          ))}
        </ul>
      )}
      {error.requestId && (
        <p className="request-id">
          {t("error.request_id")}: <code>{error.requestId}</code>
        </p>
      )}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t("state.retry")}
        </button>
      )}
    </div>
  );
}
