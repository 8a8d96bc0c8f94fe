import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { useApi } from "../../api/context";
import { useLoad } from "../../api/hooks";
import {
  AGREEMENT_CAPACITIES, ENTITY_KINDS,
  type AgreementCapacity, type DelegationAgreement, type EntityBook, type EntityKind, type LegalEntity,
} from "../../api/types/entities";
import { useT } from "../../i18n";
import { DataTable, type Column } from "../DataTable";
import { codeLabel, regimeLabel } from "../lists/labels";
import { Empty, Loading, ProblemBox } from "../States";
import { ConfirmButton } from "./ConfirmButton";
import { splitFieldErrors } from "./fieldErrors";
import { FormField } from "./FormField";

const asApiError = (exc: unknown) => (exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));

// -- an entity: add, or replace one picked from the list --------------------------------------------

const ENTITY_FIELDS = ["entity_id", "name", "kind", "country", "lei", "parent", "statuses"] as const;

interface EntityDraft {
  entity_id: string;
  name: string;
  kind: EntityKind;
  country: string;
  lei: string;
  parent: string;
  statuses: Record<string, string>;
}

const BLANK_ENTITY: EntityDraft = { entity_id: "", name: "", kind: "head_office", country: "", lei: "", parent: "", statuses: {} };

const draftOf = (e: LegalEntity): EntityDraft => ({
  entity_id: e.entity_id, name: e.name, kind: e.kind, country: e.country, lei: e.lei ?? "", parent: e.parent ?? "",
  statuses: { ...e.statuses },
});

function EntityForm({ book, editing, onSaved, onReset }: {
  book: EntityBook; editing: LegalEntity | null; onSaved: (entity: LegalEntity) => void; onReset: () => void;
}) {
  const api = useApi();
  const t = useT();
  const [draft, setDraft] = useState<EntityDraft>(editing ? draftOf(editing) : BLANK_ENTITY);
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const set = <K extends keyof EntityDraft>(key: K, value: EntityDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setStatus = (regime: string, status: string) => setDraft((d) => {
    const statuses = { ...d.statuses };
    if (status) statuses[regime] = status;
    else delete statuses[regime];
    return { ...d, statuses };
  });
  // a branch belongs to a head office or subsidiary (never to itself or another branch)
  const parents = book.entities.filter((e) => e.kind !== "branch" && e.entity_id !== draft.entity_id);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setFieldErrors({});
    const entityId = draft.entity_id.trim();
    if (!entityId) {
      setFieldErrors({ entity_id: [t("entities.id_required")] });
      return;
    }
    setBusy(true);
    try {
      const saved = await api.call("put", "/api/entities/{entity_id}", { entity_id: entityId }, {
        name: draft.name.trim(), kind: draft.kind, country: draft.country.trim(), lei: draft.lei.trim() || null,
        parent: draft.kind === "branch" ? draft.parent || null : null, statuses: draft.statuses,
      });
      setDraft(BLANK_ENTITY);
      onSaved(saved);
    } catch (exc) {
      const { byField, rest } = splitFieldErrors(asApiError(exc), ENTITY_FIELDS);
      setFieldErrors(byField);
      setProblem(rest);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="admin-form" onSubmit={submit} noValidate aria-labelledby="entity-form-title">
      <h3 id="entity-form-title">{t("entities.save")}</h3>
      {editing && <p className="muted">{t("entities.editing", { id: editing.entity_id })}</p>}
      <div className="fields">
        <FormField id="ne-id" label={t("entities.id")} hint={t("entities.id_hint")} errors={fieldErrors.entity_id}>
          {(describedBy, invalid) => (
            <input id="ne-id" value={draft.entity_id} required maxLength={40} autoComplete="off" readOnly={!!editing}
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("entity_id", e.target.value)} />
          )}
        </FormField>
        <FormField id="ne-name" label={t("entities.name")} errors={fieldErrors.name}>
          {(describedBy, invalid) => (
            <input id="ne-name" value={draft.name} required maxLength={200} autoComplete="off"
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("name", e.target.value)} />
          )}
        </FormField>
        <FormField id="ne-kind" label={t("entities.kind")} errors={fieldErrors.kind}>
          {(describedBy, invalid) => (
            <select id="ne-kind" value={draft.kind} aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("kind", e.target.value as EntityKind)}>
              {ENTITY_KINDS.map((k) => <option key={k} value={k}>{codeLabel(t, "entity_kind", k)}</option>)}
            </select>
          )}
        </FormField>
        {draft.kind === "branch" && (
          <FormField id="ne-parent" label={t("entities.parent")} errors={fieldErrors.parent}>
            {(describedBy, invalid) => (
              <select id="ne-parent" value={draft.parent} aria-describedby={describedBy} aria-invalid={invalid || undefined}
                onChange={(e) => set("parent", e.target.value)}>
                <option value="">{t("entities.parent_none")}</option>
                {parents.map((p) => <option key={p.entity_id} value={p.entity_id}>{p.entity_id} · {p.name}</option>)}
              </select>
            )}
          </FormField>
        )}
        <FormField id="ne-country" label={t("entities.country")} hint={t("entities.country_hint")} errors={fieldErrors.country}>
          {(describedBy, invalid) => (
            <input id="ne-country" value={draft.country} required maxLength={2} size={4} autoComplete="off"
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("country", e.target.value.toUpperCase())} />
          )}
        </FormField>
        <FormField id="ne-lei" label={t("entities.lei")} hint={draft.kind === "branch" ? t("entities.lei_hint") : undefined}
          errors={fieldErrors.lei}>
          {(describedBy, invalid) => (
            <input id="ne-lei" value={draft.lei} maxLength={20} size={24} autoComplete="off" spellCheck={false}
              required={draft.kind !== "branch"} aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("lei", e.target.value.toUpperCase())} />
          )}
        </FormField>
      </div>
      <fieldset className="statuses" aria-describedby={fieldErrors.statuses ? "ne-statuses-error" : undefined}>
        <legend>{t("entities.statuses")}</legend>
        <div className="fields">
          {book.regimes.map((r) => (
            <div className="field" key={r.regime}>
              <label htmlFor={`ne-status-${r.regime}`}>{t("entities.status_of", { regime: regimeLabel(t, r.regime) })}</label>
              <select id={`ne-status-${r.regime}`} value={draft.statuses[r.regime] ?? ""}
                onChange={(e) => setStatus(r.regime, e.target.value)}>
                <option value="">{t("entities.status_none")}</option>
                {r.statuses.map((s) => <option key={s} value={s}>{s}</option>)}
              </select>
            </div>
          ))}
        </div>
        {fieldErrors.statuses && <p id="ne-statuses-error" className="field-error">{fieldErrors.statuses.join("; ")}</p>}
      </fieldset>
      {problem && <ProblemBox error={problem} />}
      <button type="submit" disabled={busy}>{busy ? t("settings.working") : t("entities.save_submit")}</button>{" "}
      <button type="button" disabled={busy} onClick={() => { setDraft(BLANK_ENTITY); setFieldErrors({}); setProblem(null); onReset(); }}>
        {t("entities.reset")}
      </button>
    </form>
  );
}

// -- an agreement: add one --------------------------------------------------------------------------

const AGREEMENT_FIELDS = ["client_lei", "client_name", "regime", "capacity", "delegate", "valid_from", "valid_to",
  "client_status", "opted_out"] as const;

interface AgreementDraft {
  client_lei: string;
  client_name: string;
  regime: string;
  capacity: AgreementCapacity;
  delegate: string;
  valid_from: string;
  valid_to: string;
  client_status: string;
  opted_out: boolean;
}

function AgreementForm({ book, onCreated }: { book: EntityBook; onCreated: (agreement: DelegationAgreement) => void }) {
  const api = useApi();
  const t = useT();
  const blank: AgreementDraft = {
    client_lei: "", client_name: "", regime: book.regimes[0]?.regime ?? "", capacity: "mandatory",
    delegate: book.entities[0]?.entity_id ?? "", valid_from: "", valid_to: "", client_status: "", opted_out: false,
  };
  const [draft, setDraft] = useState<AgreementDraft>(blank);
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const set = <K extends keyof AgreementDraft>(key: K, value: AgreementDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const statuses = book.regimes.find((r) => r.regime === draft.regime)?.statuses ?? [];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setFieldErrors({});
    try {
      const created = await api.call("post", "/api/delegations", {}, {
        client_lei: draft.client_lei.trim(), client_name: draft.client_name.trim(), regime: draft.regime,
        capacity: draft.capacity, delegate: draft.delegate, valid_from: draft.valid_from, valid_to: draft.valid_to || null,
        client_status: draft.client_status || null, opted_out: draft.capacity === "mandatory" && draft.opted_out,
      });
      setDraft(blank);
      onCreated(created);
    } catch (exc) {
      const { byField, rest } = splitFieldErrors(asApiError(exc), AGREEMENT_FIELDS);
      setFieldErrors(byField);
      setProblem(rest);
    } finally {
      setBusy(false);
    }
  };

  if (book.entities.length === 0) return <p className="notice" role="note">{t("agreements.needs_entity")}</p>;
  return (
    <form className="admin-form" onSubmit={submit} noValidate aria-labelledby="agreement-form-title">
      <h3 id="agreement-form-title">{t("agreements.create")}</h3>
      <div className="fields">
        <FormField id="na-lei" label={t("agreements.client_lei")} errors={fieldErrors.client_lei}>
          {(describedBy, invalid) => (
            <input id="na-lei" value={draft.client_lei} required maxLength={20} size={24} autoComplete="off" spellCheck={false}
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("client_lei", e.target.value.toUpperCase())} />
          )}
        </FormField>
        <FormField id="na-name" label={t("agreements.client_name")} errors={fieldErrors.client_name}>
          {(describedBy, invalid) => (
            <input id="na-name" value={draft.client_name} required maxLength={200} autoComplete="off"
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("client_name", e.target.value)} />
          )}
        </FormField>
        <FormField id="na-regime" label={t("agreements.regime")} errors={fieldErrors.regime}>
          {(describedBy, invalid) => (
            <select id="na-regime" value={draft.regime} aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => setDraft((d) => ({ ...d, regime: e.target.value, client_status: "" }))}>
              {book.regimes.map((r) => <option key={r.regime} value={r.regime}>{regimeLabel(t, r.regime)}</option>)}
            </select>
          )}
        </FormField>
        <FormField id="na-capacity" label={t("agreements.capacity")} errors={fieldErrors.capacity}>
          {(describedBy, invalid) => (
            <select id="na-capacity" value={draft.capacity} aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("capacity", e.target.value as AgreementCapacity)}>
              {AGREEMENT_CAPACITIES.map((c) => <option key={c} value={c}>{codeLabel(t, "capacity", c)}</option>)}
            </select>
          )}
        </FormField>
        <FormField id="na-delegate" label={t("agreements.delegate")} errors={fieldErrors.delegate}>
          {(describedBy, invalid) => (
            <select id="na-delegate" value={draft.delegate} aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("delegate", e.target.value)}>
              {book.entities.map((e) => <option key={e.entity_id} value={e.entity_id}>{e.entity_id} · {e.name}</option>)}
            </select>
          )}
        </FormField>
        <FormField id="na-status" label={t("agreements.client_status")} errors={fieldErrors.client_status}>
          {(describedBy, invalid) => (
            <select id="na-status" value={draft.client_status} aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("client_status", e.target.value)}>
              <option value="">{t("entities.status_none")}</option>
              {statuses.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          )}
        </FormField>
        <FormField id="na-from" label={t("agreements.valid_from")} errors={fieldErrors.valid_from}>
          {(describedBy, invalid) => (
            <input id="na-from" type="date" value={draft.valid_from} required
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("valid_from", e.target.value)} />
          )}
        </FormField>
        <FormField id="na-to" label={t("agreements.valid_to")} errors={fieldErrors.valid_to}>
          {(describedBy, invalid) => (
            <input id="na-to" type="date" value={draft.valid_to}
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("valid_to", e.target.value)} />
          )}
        </FormField>
        {draft.capacity === "mandatory" && (
          <div className="field inline">
            <input id="na-opted-out" type="checkbox" checked={draft.opted_out}
              onChange={(e) => set("opted_out", e.target.checked)} />
            <label htmlFor="na-opted-out">{t("agreements.opted_out")}</label>
          </div>
        )}
      </div>
      {problem && <ProblemBox error={problem} />}
      <button type="submit" disabled={busy}>{busy ? t("settings.working") : t("agreements.create_submit")}</button>
    </form>
  );
}

// -- the panel --------------------------------------------------------------------------------------

/** The tenant's legal entities and delegation agreements, which routing decides by: add, replace
 * or remove an entity; add or remove an agreement. Admins only (Settings shows it to no one else;
 * the API refuses others too). */
export function EntitiesPanel() {
  const api = useApi();
  const t = useT();
  const [version, setVersion] = useState(0);
  const book = useLoad<EntityBook>(`entities:${version}`, (a) => a.read("/api/entities", {}));
  const [editing, setEditing] = useState<LegalEntity | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ what: string; error: ApiError } | null>(null);
  const reload = () => setVersion((v) => v + 1);

  const act = async (work: () => Promise<unknown>, done: string, failed: string) => {
    setFailure(null);
    setNotice(null);
    try {
      await work();
      setNotice(done);
      reload();
    } catch (exc) {
      setFailure({ what: failed, error: asApiError(exc) });
    }
  };
  const removeEntity = (e: LegalEntity) => act(
    () => api.call("delete", "/api/entities/{entity_id}", { entity_id: e.entity_id }),
    t("entities.removed", { id: e.entity_id }), t("entities.remove_failed", { id: e.entity_id }));
  const removeAgreement = (a: DelegationAgreement) => act(
    () => api.call("delete", "/api/delegations/{agreement_id}", { agreement_id: a.id }),
    t("agreements.removed", { name: a.client_name }), t("agreements.remove_failed", { name: a.client_name }));

  const entityColumns: Column<LegalEntity>[] = [
    { key: "id", header: t("entities.id"), render: (e) => <code>{e.entity_id}</code> },
    { key: "name", header: t("entities.name"), render: (e) => e.name },
    { key: "kind", header: t("entities.kind"), render: (e) => codeLabel(t, "entity_kind", e.kind) },
    { key: "country", header: t("entities.country"), render: (e) => <code>{e.country}</code> },
    { key: "lei", header: t("entities.lei"), render: (e) =>
      e.lei ? <code>{e.lei}</code> : e.parent ? <span className="muted">{t("entities.lei_inherited", { parent: e.parent })}</span> : "—" },
    { key: "parent", header: t("entities.parent"), render: (e) => (e.parent ? <code>{e.parent}</code> : "—") },
    { key: "statuses", header: t("entities.statuses"), render: (e) => {
      const held = Object.entries(e.statuses);
      return held.length === 0 ? "—" : (
        <ul className="plain">
          {held.map(([regime, status]) => <li key={regime}>{regimeLabel(t, regime)}: <code>{status}</code></li>)}
        </ul>
      );
    } },
    { key: "act", header: t("settings.actions"), render: (e) => (
      <span className="row-actions">
        <button type="button" aria-label={t("entities.edit_label", { id: e.entity_id })}
          onClick={() => { setEditing(e); document.getElementById("entity-form-title")?.scrollIntoView?.({ block: "start" }); }}>
          {t("entities.edit")}
        </button>{" "}
        <ConfirmButton label={t("entities.remove")} accessibleLabel={t("entities.remove_label", { id: e.entity_id })}
          question={t("entities.remove_question", { id: e.entity_id })} confirmLabel={t("entities.remove_confirm")}
          onConfirm={() => removeEntity(e)} />
      </span>
    ) },
  ];
  const agreementColumns: Column<DelegationAgreement>[] = [
    { key: "client", header: t("agreements.client"), render: (a) => <>{a.client_name} <code>{a.client_lei}</code></> },
    { key: "regime", header: t("agreements.regime"), render: (a) => regimeLabel(t, a.regime) },
    { key: "capacity", header: t("agreements.capacity"), render: (a) => (
      <>{codeLabel(t, "capacity", a.capacity)}{a.opted_out && <span className="muted"> ({t("agreements.opted_out_yes")})</span>}</>
    ) },
    { key: "delegate", header: t("agreements.delegate"), render: (a) => <code>{a.delegate}</code> },
    { key: "valid", header: t("agreements.valid"), render: (a) => (
      <><code>{a.valid_from}</code> – {a.valid_to ? <code>{a.valid_to}</code> : t("agreements.open_ended")}</>
    ) },
    { key: "status", header: t("agreements.client_status"), render: (a) => (a.client_status ? <code>{a.client_status}</code> : "—") },
    { key: "act", header: t("settings.actions"), render: (a) => (
      <ConfirmButton label={t("entities.remove")}
        accessibleLabel={t("agreements.remove_label", { name: a.client_name, regime: regimeLabel(t, a.regime) })}
        question={t("agreements.remove_question", { name: a.client_name })} confirmLabel={t("entities.remove_confirm")}
        onConfirm={() => removeAgreement(a)} />
    ) },
  ];

  const status = (
    <>
      <p role="status" className="ok">{notice}</p>
      {failure && (
        <div>
          <p className="bad">{failure.what}</p>
          <ProblemBox error={failure.error} />
        </div>
      )}
    </>
  );
  return (
    <>
      <section aria-labelledby="entities-title" className="admin-panel">
        <h2 id="entities-title">{t("entities.title")}</h2>
        <p className="muted">{t("entities.intro")}</p>
        {status}
        {book.error ? (
          <ProblemBox error={book.error} onRetry={book.reload} />
        ) : !book.data ? (
          <Loading />
        ) : (
          <>
            {book.data.entities.length === 0 ? (
              <Empty>{t("entities.none")}</Empty>
            ) : (
              <DataTable caption={t("entities.title")} columns={entityColumns} rows={book.data.entities} rowKey={(e) => e.entity_id} />
            )}
            <EntityForm key={editing?.entity_id ?? ""} book={book.data} editing={editing} onReset={() => setEditing(null)}
              onSaved={(saved) => { setEditing(null); setFailure(null); setNotice(t("entities.saved", { id: saved.entity_id })); reload(); }} />
          </>
        )}
      </section>
      {book.data && (
        <section aria-labelledby="agreements-title" className="admin-panel">
          <h2 id="agreements-title">{t("agreements.title")}</h2>
          {book.data.agreements.length === 0 ? (
            <Empty>{t("agreements.none")}</Empty>
          ) : (
            <DataTable caption={t("agreements.title")} columns={agreementColumns} rows={book.data.agreements} rowKey={(a) => a.id} />
          )}
          <AgreementForm book={book.data}
            onCreated={(created) => { setFailure(null); setNotice(t("agreements.created", { name: created.client_name })); reload(); }} />
        </section>
      )}
    </>
  );
}
