import type { ReactNode } from "react";
import type { ApiError } from "../api/client";
import { useT } from "../i18n";

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

/** A problem as the API said it: title, detail, each field error, and the request id to quote. */
export function ProblemBox({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const t = useT();
  return (
    <div className="problem" role="alert">
      <strong>
        {error.status ? `${error.status} ` : ""}
        {error.title}
      </strong>
      {error.detail && <p>{error.detail}</p>}
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
