import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { approvalsChanged, isHeld, type ApprovalRequest } from "../api/types/approvals";
import type { Schemas } from "../api/types/spec";
import { useApi } from "../api/context";
import { useI18n } from "../i18n";
import { HeldNotice } from "./HeldNotice";
import { ProblemBox } from "./States";
import { resolvePairs } from "../i18n/particles";

// What POST /api/events/{event_id}/repair/preview answers (the spec's RepairPreview).
type Preview = Schemas["RepairPreview"];

export interface Change {
  field: string;
  value: string;
}

const PREVIEW_DELAY_MS = 350;

/** Changes as the API takes them: an empty value clears the field (null). */
export function changesBody(changes: Change[]): Record<string, string | null> {
  const body: Record<string, string | null> = {};
  for (const c of changes) if (c.field.trim()) body[c.field.trim()] = c.value === "" ? null : c.value;
  return body;
}

/** A field's value as the console shows it (objects and lists as JSON, nothing as "—"). */
export function shown(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Edits fields of an invalid or NACKed event; every edit is re-validated by the API as you
 * type (preview writes nothing), and "apply" saves a new version (operators and admins).
 * `initial` holds the fields' current values (the event's, as the error list shows them):
 * Apply stays off until a value differs. With `onApplyNext`, "Apply and next" applies and then
 * hands over to the next item. When the tenant's four-eyes policy holds the repair (202), the
 * form says so and links to the approvals instead: nothing was saved, and it does not move on. */
export function RepairForm({ eventId, initial, canApply, onApplied, onApplyNext }: {
  eventId: string;
  initial: Change[];
  canApply: boolean;
  onApplied?: (version: number) => void;
  onApplyNext?: (version: number) => void;
}) {
  const api = useApi();
  const { t, lang } = useI18n();
  const [changes, setChanges] = useState<Change[]>(initial.length ? initial : [{ field: "", value: "" }]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [applied, setApplied] = useState<number | null>(null);
  const [held, setHeld] = useState<ApprovalRequest | null>(null);
  const [saving, setSaving] = useState(false);
  const generation = useRef(0);
  const next = useRef(false); // which submit button was used
  const body = changesBody(changes);
  const bodyKey = JSON.stringify(body);

  useEffect(() => {
    if (Object.keys(body).length === 0) {
      setPreview(null);
      return;
    }
    const mine = ++generation.current; // only the latest edit's answer is shown
    setChecking(true);
    const timer = setTimeout(() => {
      api
        .call("post", "/api/events/{event_id}/repair/preview", { event_id: eventId }, { changes: body })
        .then((p) => mine === generation.current && (setPreview(p), setError(null)))
        .catch((exc) => mine === generation.current && setError(exc instanceof ApiError ? exc : null))
        .finally(() => mine === generation.current && setChecking(false));
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, eventId, bodyKey]);

  const update = (i: number, part: Partial<Change>) =>
    setChanges((cs) => cs.map((c, j) => (j === i ? { ...c, ...part } : c)));

  const apply = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    try {
      const outcome = await api.call("post", "/api/events/{event_id}/repair", { event_id: eventId }, { changes: body });
      setError(null);
      if (isHeld(outcome)) {
        setHeld(outcome.approval); // the same request again would only be held twice
        approvalsChanged();
        return;
      }
      setApplied(outcome.version);
      onApplied?.(outcome.version);
      if (next.current) onApplyNext?.(outcome.version);
    } catch (exc) {
      setError(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
    } finally {
      setSaving(false);
    }
  };

  // The value now: what the preview says the field was before the edit, else what the list
  // showed (the preview names only fields whose value changes).
  const currentOf = (field: string): unknown => {
    const path = field.trim();
    const before = preview?.changed[path] as { before?: unknown } | undefined;
    if (before) return before.before;
    return initial.find((c) => c.field.trim() === path)?.value;
  };
  const unchanged = !!preview && Object.keys(preview.changed).length === 0 && preview.errors.length === 0;
  const blocked = saving || checking || !preview?.valid || unchanged || applied !== null || held !== null;

  const blocking = preview ? [...preview.errors.map((e) => ({ key: `${e.field}:${e.message}`, text: `${e.field ?? "event"}: ${e.message}${e.code ? ` (${e.code})` : ""}` })),
    ...preview.issues.filter((i) => i.severity === "reject").map((i) => ({
      key: `${i.rule_id}:${i.field}`,
      text: `${i.rule_id}${i.field ? ` [${i.field}]` : ""}: ${lang === "ko" ? resolvePairs(i.message_ko) : i.message_en}`,
    }))] : [];

  return (
    <form className="repair" onSubmit={apply} aria-labelledby={`repair-${eventId}`}>
      <h3 id={`repair-${eventId}`}>{t("repair.title", { id: eventId.slice(0, 8) })}</h3>
      {changes.map((c, i) => (
        <fieldset key={i} className="change">
          <legend className="sr-only">{`${t("repair.field")} ${i + 1}`}</legend>
          <div className="field">
            <label htmlFor={`rf-${eventId}-${i}-field`}>{t("repair.field")}</label>
            <input id={`rf-${eventId}-${i}-field`} value={c.field} placeholder="legs[0].notional.currency"
              onChange={(e) => update(i, { field: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={`rf-${eventId}-${i}-value`}>{t("repair.value")}</label>
            <input id={`rf-${eventId}-${i}-value`} value={c.value} onChange={(e) => update(i, { value: e.target.value })} />
          </div>
          {c.field.trim() && (
            <p className="current" data-testid="repair-current">
              {t("repair.current")} <code>{shown(currentOf(c.field))}</code>
            </p>
          )}
          {changes.length > 1 && (
            <button type="button" onClick={() => setChanges((cs) => cs.filter((_, j) => j !== i))}>
              {t("repair.remove")}
            </button>
          )}
        </fieldset>
      ))}
      <button type="button" onClick={() => setChanges((cs) => [...cs, { field: "", value: "" }])}>
        {t("repair.add")}
      </button>
      <div className="preview" aria-live="polite" data-testid="repair-preview">
        {checking ? (
          <p className="muted">{t("repair.checking")}</p>
        ) : preview && preview.valid ? (
          <p className="ok">{t("repair.valid")}</p>
        ) : preview ? (
          <>
            <p className="bad">{t("repair.invalid")}</p>
            <ul>{blocking.map((b) => <li key={b.key}>{b.text}</li>)}</ul>
          </>
        ) : null}
      </div>
      {error && <ProblemBox error={error} />}
      {unchanged && !checking && applied === null && !held && <p className="muted">{t("repair.unchanged")}</p>}
      {applied !== null && <p className="ok" role="status">{t("repair.applied", { version: applied })}</p>}
      {held && <HeldNotice approval={held} />}
      {canApply ? (
        <div className="repair-acts">
          <button type="submit" disabled={blocked} onClick={() => (next.current = false)}>
            {t("repair.apply")}
          </button>
          {onApplyNext && (
            <button type="submit" disabled={blocked} onClick={() => (next.current = true)}>
              {t("repair.apply_next")}
            </button>
          )}
        </div>
      ) : (
        <p className="muted">{t("repair.viewer")}</p>
      )}
    </form>
  );
}
