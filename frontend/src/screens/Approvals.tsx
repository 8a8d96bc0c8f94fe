import { useId, useRef, useState } from "react";
import { ApiError } from "../api/client";
import { canMutate, useApi, useMe } from "../api/context";
import { useLoad } from "../api/hooks";
import { approvalsChanged, type ApprovalRequest, type FourEyesPolicy } from "../api/types/approvals";
import { PolicyPanel } from "../components/approvals/PolicyPanel";
import { kindLabel, outcomeText, RequestSummary } from "../components/approvals/RequestSummary";
import { DataTable, type Column } from "../components/DataTable";
import { codeLabel } from "../components/lists/labels";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time, ZoneNote } from "../components/Time";
import { number } from "../format";
import { useI18n } from "../i18n";

type Decision = "approve" | "reject";
/** The API answers at most this many requests per list (shared/services/operations/approvals.py). */
const LIST_LIMIT = 100;
const asApiError = (exc: unknown) => (exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));

/** One request waiting for a second user: what it will do, who asked and until when, and the
 * decision. The requester cannot approve their own request (the API refuses it: 403 same_user)
 * and may withdraw it; a viewer sees the buttons off and why. */
function PendingCard({ request, busy, onDecide }: {
  request: ApprovalRequest;
  busy: boolean;
  onDecide: (request: ApprovalRequest, decision: Decision, note: string | null) => void;
}) {
  const { t } = useI18n();
  const { user } = useMe();
  const id = useId();
  const [note, setNote] = useState("");
  const own = request.requested_by === user.subject;
  const mayDecide = canMutate(user);
  const kind = kindLabel(t, request.kind);
  const who = request.requested_by_name;
  const why = !mayDecide ? t("approvals.viewer") : own ? t("approvals.own") : null;
  const decide = (decision: Decision) => onDecide(request, decision, note.trim() || null);
  return (
    <li>
      <article className="approval" aria-labelledby={`${id}-title`} data-testid={`approval-${request.id}`}>
        <h3 id={`${id}-title`}>
          {kind} · {t("approvals.events_n", { n: number(request.events) })}{" "}
          <span className="badge approval-pending">{codeLabel(t, "approval_status", request.status)}</span>
        </h3>
        <RequestSummary request={request} />
        <dl className="facts">
          <div><dt>{t("approvals.requested_by")}</dt><dd><code>{who}</code>{own && <span className="muted"> ({t("users.you")})</span>}</dd></div>
          <div><dt>{t("approvals.requested_at")}</dt><dd><Time value={request.requested_at} /></dd></div>
          <div><dt>{t("approvals.expires_at")}</dt><dd><Time value={request.expires_at} /></dd></div>
        </dl>
        <div className="approval-acts">
          {mayDecide && (
            <div className="field">
              <label htmlFor={`${id}-note`}>{t("approvals.note_label")}</label>
              <input id={`${id}-note`} value={note} maxLength={1000} disabled={busy} onChange={(e) => setNote(e.target.value)} />
            </div>
          )}
          <button type="button" className="approve" disabled={busy || why !== null}
            aria-label={t("approvals.approve_label", { kind, who })} aria-describedby={why ? `${id}-why` : undefined}
            onClick={() => decide("approve")}>
            {t("approvals.approve")}
          </button>
          {own && mayDecide ? (
            <button type="button" className="withdraw" disabled={busy} aria-label={t("approvals.withdraw_label", { kind })}
              onClick={() => decide("reject")}>
              {t("approvals.withdraw")}
            </button>
          ) : (
            <button type="button" className="danger reject" disabled={busy || !mayDecide}
              aria-label={t("approvals.reject_label", { kind, who })} aria-describedby={why ? `${id}-why` : undefined}
              onClick={() => decide("reject")}>
              {t("approvals.reject")}
            </button>
          )}
          {why && <p id={`${id}-why`} className="muted why">{why}</p>}
        </div>
      </article>
    </li>
  );
}

/** Four-eyes approvals: the requests waiting for a second user first, with Approve and Reject,
 * then those decided or expired; the policy at the end (its form for admins). */
export default function Approvals() {
  const { t } = useI18n();
  const api = useApi();
  const { user } = useMe();
  const [version, setVersion] = useState(0);
  // The pending ones on their own: a long history must not push one out of the newest 100.
  const pending = useLoad(`approvals:pending:${version}`, (a) => a.read("/api/approvals", {}, { status: "pending" }));
  const all = useLoad(`approvals:all:${version}`, (a) => a.read("/api/approvals", {}, {}));
  const [savedPolicy, setSavedPolicy] = useState<FourEyesPolicy | null>(null);
  const policy = useLoad("approvals:policy", (a) => a.read("/api/approvals/policy", {}));
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ request: ApprovalRequest; error: ApiError } | null>(null);
  const doneRef = useRef<HTMLParagraphElement>(null);

  const decide = async (request: ApprovalRequest, decision: Decision, note: string | null) => {
    setBusy(request.id);
    setDone(null);
    setFailure(null);
    const kind = kindLabel(t, request.kind);
    try {
      if (decision === "approve") {
        const decided = await api.call("post", "/api/approvals/{approval_id}/approve", { approval_id: request.id });
        setDone(t("approvals.approved_done", { kind, outcome: outcomeText(t, decided) }));
      } else {
        await api.call("post", "/api/approvals/{approval_id}/reject", { approval_id: request.id }, note ? { note } : {});
        setDone(request.requested_by === user.subject ? t("approvals.withdrawn_done", { kind }) : t("approvals.rejected_done", { kind }));
      }
      doneRef.current?.focus(); // the card is gone: keyboard users stay on the screen's news
    } catch (exc) {
      setFailure({ request, error: asApiError(exc) });
    } finally {
      setBusy(null);
      setVersion((v) => v + 1); // decided, expired or taken by someone else: read both lists again
      approvalsChanged();
    }
  };

  const waiting = (pending.data?.items ?? []).filter((r) => r.status === "pending");
  const decided = (all.data?.items ?? []).filter((r) => r.status !== "pending");
  const columns: Column<ApprovalRequest>[] = [
    { key: "kind", header: t("approvals.kind"), render: (r) => kindLabel(t, r.kind) },
    { key: "events", header: t("approvals.events"), className: "num", render: (r) => number(r.events) },
    { key: "status", header: t("approvals.status"), render: (r) => (
      <span className={`badge approval-${r.status}`}>{codeLabel(t, "approval_status", r.status)}</span>
    ) },
    { key: "requested", header: t("approvals.requested_by"), render: (r) => (
      <><code>{r.requested_by_name}</code><div className="muted"><Time value={r.requested_at} /></div></>
    ) },
    { key: "decided", header: t("approvals.decided_by"), render: (r) => r.status === "expired" ? (
      <span className="muted">{t("approvals.expired_note")} <Time value={r.expires_at} /></span>
    ) : (
      <>{r.decided_by_name ? <code>{r.decided_by_name}</code> : "—"}<div className="muted"><Time value={r.decided_at} /></div></>
    ) },
    { key: "note", header: t("approvals.note"), className: "wrap", render: (r) => r.note ?? "—" },
    { key: "outcome", header: t("approvals.outcome"), render: (r) => outcomeText(t, r) },
  ];

  return (
    <section aria-labelledby="approvals-title">
      <h1 id="approvals-title">{t("approvals.title")}</h1>
      <p className="muted">{t("approvals.intro")}</p>
      <ZoneNote />
      <p ref={doneRef} tabIndex={-1} role="status" className="ok">{done}</p>
      {failure && (
        <div>
          <p className="bad">{t("approvals.decide_failed", { kind: kindLabel(t, failure.request.kind), who: failure.request.requested_by_name })}</p>
          <ProblemBox error={failure.error} />
        </div>
      )}

      <section aria-labelledby="pending-title">
        <h2 id="pending-title">{t("approvals.pending")}</h2>
        {pending.error ? <ProblemBox error={pending.error} onRetry={pending.reload} />
          : !pending.data ? <Loading />
          : waiting.length === 0 ? <Empty>{t("approvals.none_pending")}</Empty>
          : (
            <>
              <ul className="approvals">
                {waiting.map((r) => <PendingCard key={r.id} request={r} busy={busy !== null} onDecide={decide} />)}
              </ul>
              {pending.data.items.length >= LIST_LIMIT && <p className="muted">{t("approvals.newest_only", { n: LIST_LIMIT })}</p>}
            </>
          )}
      </section>

      <section aria-labelledby="decided-title">
        <h2 id="decided-title">{t("approvals.decided")}</h2>
        {all.error ? <ProblemBox error={all.error} onRetry={all.reload} />
          : !all.data ? <Loading />
          : decided.length === 0 ? <Empty>{t("approvals.none_decided")}</Empty>
          : (
            <>
              <DataTable caption={t("approvals.decided")} columns={columns} rows={decided} rowKey={(r) => r.id} />
              {all.data.items.length >= LIST_LIMIT && <p className="muted">{t("approvals.newest_only", { n: LIST_LIMIT })}</p>}
            </>
          )}
      </section>

      {policy.error ? <ProblemBox error={policy.error} onRetry={policy.reload} />
        : (savedPolicy ?? policy.data) ? <PolicyPanel policy={(savedPolicy ?? policy.data)!} onSaved={setSavedPolicy} />
        : <Loading />}
    </section>
  );
}
