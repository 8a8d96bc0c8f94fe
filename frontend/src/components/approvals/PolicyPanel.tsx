import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { useApi, useMe } from "../../api/context";
import {
  APPROVAL_KINDS, MAX_THRESHOLD, VALIDITY_HOURS, WINDOW_HOURS, type ApprovalKind, type FourEyesPolicy, type FourEyesThresholds,
} from "../../api/types/approvals";
import { number } from "../../format";
import { useT, type Translate } from "../../i18n";
import { FormField } from "../admin/FormField";
import { ProblemBox } from "../States";
import { kindLabel } from "./RequestSummary";

const asApiError = (exc: unknown) => (exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));

type Field = ApprovalKind | "validity_hours" | "window_hours";
type Draft = Record<Field, string>;

const draftOf = (policy: FourEyesPolicy): Draft => ({
  ...(Object.fromEntries(APPROVAL_KINDS.map((k) => [k, policy.thresholds[k] == null ? "" : String(policy.thresholds[k])])) as Record<ApprovalKind, string>),
  validity_hours: String(policy.validity_hours ?? VALIDITY_HOURS.default),
  window_hours: String(policy.window_hours ?? WINDOW_HOURS.default),
});

/** The tenant's policy in words, for every role: which actions wait for a second user, from how
 * many events, and how long a request stays open. */
export function PolicySummary({ policy }: { policy: FourEyesPolicy }) {
  const t = useT();
  const held = APPROVAL_KINDS.filter((k) => policy.thresholds[k] != null);
  return (
    <div className="policy-summary" data-testid="policy-summary">
      {held.length === 0 ? (
        <p>{t("policy.summary_none")}</p>
      ) : (
        <>
          <p>{t("policy.summary")}</p>
          <ul>
            {held.map((k) => (
              <li key={k}>{t("policy.summary_item", { kind: kindLabel(t, k), n: number(policy.thresholds[k]) })}</li>
            ))}
          </ul>
        </>
      )}
      <p className="muted">{t("policy.summary_validity", { hours: number(policy.validity_hours ?? VALIDITY_HOURS.default) })}</p>
      <p className="muted">{(policy.window_hours ?? WINDOW_HOURS.default) > 0
        ? t("policy.summary_window", { hours: number(policy.window_hours ?? WINDOW_HOURS.default) })
        : t("policy.summary_no_window")}</p>
    </div>
  );
}

/** What the form refuses before sending: each field's rule, as the API's (a whole number of events
 * from 1 to what one request of that action can carry, or empty; hours from 1 to 720). */
export function policyErrors(draft: Draft, t: Translate): Partial<Record<Field, string[]>> {
  const errors: Partial<Record<Field, string[]>> = {};
  for (const kind of APPROVAL_KINDS) {
    const value = draft[kind].trim();
    if (value === "") continue;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > MAX_THRESHOLD[kind]) errors[kind] = [t("policy.bad_threshold", { max: number(MAX_THRESHOLD[kind]) })];
  }
  const hours = Number(draft.validity_hours.trim());
  if (draft.validity_hours.trim() === "" || !Number.isFinite(hours) || hours < VALIDITY_HOURS.min || hours > VALIDITY_HOURS.max) {
    errors.validity_hours = [t("policy.bad_validity", { min: VALIDITY_HOURS.min, max: VALIDITY_HOURS.max })];
  }
  const window = Number(draft.window_hours.trim());
  if (draft.window_hours.trim() === "" || !Number.isFinite(window) || window < WINDOW_HOURS.min || window > WINDOW_HOURS.max) {
    errors.window_hours = [t("policy.bad_validity", { min: WINDOW_HOURS.min, max: WINDOW_HOURS.max })];
  }
  return errors;
}

/** The API's 422 names `thresholds.<kind>` or `validity_hours`: each goes beside its input. */
function byField(error: ApiError): { placed: Partial<Record<Field, string[]>>; rest: ApiError } {
  const placed: Partial<Record<Field, string[]>> = {};
  const unplaced = error.errors.filter((e) => {
    const name = (e.field ?? e.parameter ?? "").replace(/^thresholds\./, "") as Field;
    if (!(APPROVAL_KINDS as readonly string[]).includes(name) && name !== "validity_hours" && name !== "window_hours") return true;
    (placed[name] ??= []).push(e.message);
    return false;
  });
  const all = error.errors.length > 0 && unplaced.length === 0;
  return { placed, rest: new ApiError(error.status, error.title, all ? "" : error.detail, error.requestId, unplaced, error.reason) };
}

/** The policy's form (admins; the API refuses others): a threshold per action, empty for never,
 * and the hours a request stays open. */
function PolicyForm({ policy, onSaved }: { policy: FourEyesPolicy; onSaved: (saved: FourEyesPolicy) => void }) {
  const api = useApi();
  const t = useT();
  const [draft, setDraft] = useState<Draft>(() => draftOf(policy));
  const [errors, setErrors] = useState<Partial<Record<Field, string[]>>>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const set = (field: Field, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setSaved(false);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setSaved(false);
    const found = policyErrors(draft, t);
    setErrors(found);
    if (Object.keys(found).length) return;
    const thresholds: FourEyesThresholds = {};
    for (const kind of APPROVAL_KINDS) if (draft[kind].trim()) thresholds[kind] = Number(draft[kind].trim());
    setBusy(true);
    try {
      const answer = await api.call("put", "/api/approvals/policy", {},
        { thresholds, validity_hours: Number(draft.validity_hours.trim()), window_hours: Number(draft.window_hours.trim()) });
      setDraft(draftOf(answer));
      setSaved(true);
      onSaved(answer);
    } catch (exc) {
      const { placed, rest } = byField(asApiError(exc));
      setErrors(placed);
      setProblem(rest);
    } finally {
      setBusy(false);
    }
  };

  const input = (field: Field, label: string, hint: string, attrs: { max: number; step: string; min?: number }) => (
    <FormField key={field} id={`policy-${field}`} label={label} hint={hint} errors={errors[field]}>
      {(describedBy, invalid) => (
        <input id={`policy-${field}`} type="number" inputMode="numeric" min={attrs.min ?? 1} max={attrs.max} step={attrs.step}
          value={draft[field]} aria-describedby={describedBy} aria-invalid={invalid || undefined}
          onChange={(e) => set(field, e.target.value)} />
      )}
    </FormField>
  );

  return (
    <form className="admin-form policy-form" onSubmit={submit} noValidate aria-labelledby="policy-form-title">
      <h3 id="policy-form-title">{t("policy.edit")}</h3>
      <p className="muted">{t("policy.intro")}</p>
      <div className="fields">
        {APPROVAL_KINDS.map((kind) => input(kind, t("policy.threshold", { kind: kindLabel(t, kind) }),
          t("policy.threshold_hint", { max: number(MAX_THRESHOLD[kind]) }), { max: MAX_THRESHOLD[kind], step: "1" }))}
        {input("validity_hours", t("policy.validity"), t("policy.validity_hint", { min: VALIDITY_HOURS.min, max: VALIDITY_HOURS.max }),
          { max: VALIDITY_HOURS.max, step: "any" })}
        {input("window_hours", t("policy.window"), t("policy.window_hint", { min: WINDOW_HOURS.min, max: WINDOW_HOURS.max }),
          { min: WINDOW_HOURS.min, max: WINDOW_HOURS.max, step: "any" })}
      </div>
      {problem && <ProblemBox error={problem} />}
      <button type="submit" disabled={busy}>{busy ? t("settings.working") : t("policy.save")}</button>
      <span role="status" className="ok">{saved && t("policy.saved")}</span>
    </form>
  );
}

/** The four-eyes policy: in words for everyone, its form for admins. */
export function PolicyPanel({ policy, onSaved }: { policy: FourEyesPolicy; onSaved: (saved: FourEyesPolicy) => void }) {
  const t = useT();
  const { user } = useMe();
  return (
    <section aria-labelledby="policy-title" className="admin-panel">
      <h2 id="policy-title">{t("policy.title")}</h2>
      <PolicySummary policy={policy} />
      {user.role === "admin" ? <PolicyForm policy={policy} onSaved={onSaved} /> : <p className="muted">{t("policy.admins_only")}</p>}
    </section>
  );
}
