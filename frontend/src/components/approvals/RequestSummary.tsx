import type { ApprovalRequest } from "../../api/types/approvals";
import { number } from "../../format";
import { useT, type Translate } from "../../i18n";
import { href } from "../../router";
import { Id } from "../Id";
import { codeLabel } from "../lists/labels";

// What a held request will do, from the action's own request body as the API stored it
// (shared/api/routes/operations.py): a repair {event_id, changes: {field: value}}, a bulk repair
// {event_ids, changes: [{field, value, current?}]}, a cancellation {event_ids, reason}, a
// resubmission {event_ids}.

interface Shown {
  field: string;
  value: unknown;
  current?: unknown;
}

const text = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

function changesOf(request: ApprovalRequest["request"]): Shown[] {
  const changes = request.changes;
  if (Array.isArray(changes)) {
    return changes
      .filter((c): c is Record<string, unknown> => !!c && typeof c === "object")
      .map((c) => ({ field: String(c.field ?? ""), value: c.value, ...("current" in c ? { current: c.current } : {}) }));
  }
  if (changes && typeof changes === "object") {
    return Object.entries(changes as Record<string, unknown>).map(([field, value]) => ({ field, value }));
  }
  return [];
}

const eventIdsOf = (request: ApprovalRequest["request"]): string[] =>
  Array.isArray(request.event_ids) ? request.event_ids.map(String) : [];

/** "Repair" / "Bulk repair" / ...: the kind of action in the UI language. */
export const kindLabel = (t: Translate, kind: string): string => codeLabel(t, "approval_kind", kind);

/** A new value as the change sets it: a null clears the field. */
function NewValue({ value }: { value: unknown }) {
  const t = useT();
  return value === null || value === undefined || value === "" ? <em>{t("approvals.cleared")}</em> : <code>{text(value)}</code>;
}

/** The changes a repair or bulk repair will make, one line per field: "field: current → new". */
function Changes({ changes }: { changes: Shown[] }) {
  const t = useT();
  if (!changes.length) return null;
  return (
    <ul className="approval-changes" aria-label={t("approvals.changes")}>
      {changes.map((c) => (
        <li key={c.field}>
          <code>{c.field}</code>:{" "}
          {"current" in c && (
            <>
              <code className="before">{text(c.current)}</code> →{" "}
            </>
          )}
          <span className="after"><NewValue value={c.value} /></span>
        </li>
      ))}
    </ul>
  );
}

/** What the request will do once approved: for a repair its event and changes, for a bulk repair
 * how many events and the changes, for a cancellation its reason; the events it names. */
export function RequestSummary({ request }: { request: ApprovalRequest }) {
  const t = useT();
  const body = request.request;
  const ids = eventIdsOf(body);
  const eventId = typeof body.event_id === "string" ? body.event_id : null;
  return (
    <div className="request-summary">
      <p>{t(`approvals.will_do.${request.kind}`)}</p>
      {eventId && (
        <p>
          {t("approvals.event")} <Id value={eventId} />{" "}
          <a href={href("/errors", { event: eventId })}>{t("approvals.open_event")}<span className="sr-only"> ({eventId})</span></a>
        </p>
      )}
      {ids.length > 0 && (
        <details className="event-ids">
          <summary>{t("approvals.events_n", { n: number(new Set(ids).size) })}</summary>
          <ul>{[...new Set(ids)].map((id) => <li key={id}><code>{id}</code></li>)}</ul>
        </details>
      )}
      <Changes changes={changesOf(body)} />
      {typeof body.reason === "string" && (
        <p>
          {t("approvals.reason")}: <q>{body.reason}</q>
        </p>
      )}
    </div>
  );
}

/** What an approved request's action did: the repair's new version, or a bulk act's counts. */
export function outcomeText(t: Translate, request: ApprovalRequest): string {
  const outcome = (request.outcome ?? null) as Record<string, unknown> | null;
  if (request.status !== "approved" || !outcome) return "—";
  if (typeof outcome.version === "number") return t("approvals.outcome.version", { version: outcome.version });
  const job = outcome.job as { total?: unknown } | undefined;
  if (job && typeof job.total === "number") return t("approvals.outcome.backload", { n: number(job.total) });
  if (typeof outcome.ok === "number" && typeof outcome.refused === "number") {
    return t("approvals.outcome.bulk", { ok: number(outcome.ok), refused: number(outcome.refused) });
  }
  return "—";
}
