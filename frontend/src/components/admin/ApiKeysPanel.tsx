import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { useApi } from "../../api/context";
import { useLoad } from "../../api/hooks";
import type { ApiKey } from "../../api/types/admin";
import { useT } from "../../i18n";
import { DataTable, type Column } from "../DataTable";
import { Empty, Loading, ProblemBox } from "../States";
import { Time } from "../Time";
import { ConfirmButton } from "./ConfirmButton";
import { splitFieldErrors } from "./fieldErrors";
import { FormField } from "./FormField";

const asApiError = (exc: unknown) => (exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));

/** The new key, shown this once (the API stores only its hash): copy it, then dismiss it. */
function NewSecret({ created, onDismiss }: { created: ApiKey & { key: string }; onDismiss: () => void }) {
  const t = useT();
  const [copy, setCopy] = useState<"copied" | "failed" | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const copyKey = async () => {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(created.key);
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
  };
  return (
    <section className="secret" aria-labelledby="secret-title">
      <h3 id="secret-title" ref={heading} tabIndex={-1}>{t("keys.new_title", { name: created.name })}</h3>
      <p className="warn-text"><strong>{t("keys.once_warning")}</strong></p>
      <label htmlFor="new-key-secret">{t("keys.secret")}</label>
      <div className="secret-row">
        <input id="new-key-secret" className="secret-value" readOnly value={created.key} spellCheck={false}
          onFocus={(e) => e.target.select()} />
        <button type="button" onClick={copyKey}>{t("keys.copy")}</button>
      </div>
      <p role="status" className={copy === "failed" ? "bad" : "ok"}>
        {copy === "copied" ? t("keys.copied") : copy === "failed" ? t("keys.copy_failed") : ""}
      </p>
      <button type="button" onClick={onDismiss}>{t("keys.dismiss")}</button>
    </section>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: ApiKey & { key: string }) => void }) {
  const api = useApi();
  const t = useT();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setFieldErrors({});
    try {
      const created = await api.call("post", "/api/admin/api-keys", {}, { name: name.trim(), scopes: ["ingest"] });
      setName("");
      if (created.key) onCreated(created as ApiKey & { key: string });
    } catch (exc) {
      const { byField, rest } = splitFieldErrors(asApiError(exc), ["name", "scopes"]);
      setFieldErrors(byField);
      setProblem(rest);
    } finally {
      setBusy(false);
    }
  };
  const scopeErrors = fieldErrors.scopes;
  return (
    <form className="admin-form" onSubmit={submit} noValidate aria-labelledby="new-key-title">
      <h3 id="new-key-title">{t("keys.create")}</h3>
      <div className="fields">
        <FormField id="nk-name" label={t("keys.name")} hint={t("keys.name_hint")} errors={fieldErrors.name}>
          {(describedBy, invalid) => (
            <input id="nk-name" value={name} required maxLength={100} autoComplete="off"
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => setName(e.target.value)} />
          )}
        </FormField>
        <div className="field">
          <span>{t("keys.scopes")}</span>
          <span><code>ingest</code> <span className="muted">{t("keys.scope_ingest")}</span></span>
          {scopeErrors && <span className="field-error">{scopeErrors.join("; ")}</span>}
        </div>
      </div>
      {problem && <ProblemBox error={problem} />}
      <button type="submit" disabled={busy}>{busy ? t("settings.working") : t("keys.create_submit")}</button>
    </form>
  );
}

/** The tenant's API keys (FEPs ingest with them): create one (its secret shown once), revoke one. */
export function ApiKeysPanel() {
  const api = useApi();
  const t = useT();
  const [version, setVersion] = useState(0);
  const keys = useLoad<{ items: ApiKey[] }>(`admin-keys:${version}`, (a) => a.get("/api/admin/api-keys"));
  const [revoked, setRevoked] = useState<Record<string, ApiKey>>({});
  const [secret, setSecret] = useState<(ApiKey & { key: string }) | null>(null);
  const [failure, setFailure] = useState<{ name: string; error: ApiError } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const revoke = async (key: ApiKey) => {
    setFailure(null);
    setNotice(null);
    try {
      const answer = await api.call("delete", "/api/admin/api-keys/{key_id}", { key_id: key.id });
      setRevoked((r) => ({ ...r, [answer.id]: answer }));
      setNotice(t("keys.revoked_done", { name: key.name, prefix: key.prefix }));
    } catch (exc) {
      setFailure({ name: key.name, error: asApiError(exc) });
    }
  };

  const rows = (keys.data?.items ?? []).map((k) => revoked[k.id] ?? k);
  const columns: Column<ApiKey>[] = [
    { key: "name", header: t("keys.name"), render: (k) => k.name },
    { key: "prefix", header: t("keys.prefix"), render: (k) => <code>{k.prefix}…</code> },
    { key: "scopes", header: t("keys.scopes"), render: (k) => <code>{k.scopes.join(", ")}</code> },
    { key: "created", header: t("users.created_at"), render: (k) => <Time value={k.created_at} /> },
    { key: "used", header: t("keys.last_used"), render: (k) => <Time value={k.last_used_at} /> },
    { key: "status", header: t("users.status"), render: (k) =>
      k.revoked_at ? (
        <><span className="badge key-revoked">{t("keys.revoked")}</span> <Time value={k.revoked_at} /></>
      ) : (
        <span className="badge key-active">{t("keys.active")}</span>
      ),
    },
    { key: "act", header: t("settings.actions"), render: (k) =>
      k.revoked_at ? null : (
        <ConfirmButton label={t("keys.revoke")} accessibleLabel={t("keys.revoke_label", { name: k.name })}
          question={t("keys.revoke_question", { name: k.name })} confirmLabel={t("keys.revoke_confirm")}
          onConfirm={() => revoke(k)} />
      ),
    },
  ];

  return (
    <section aria-labelledby="keys-title" className="admin-panel">
      <h2 id="keys-title">{t("keys.title")}</h2>
      {secret && <NewSecret created={secret} onDismiss={() => setSecret(null)} />}
      <p role="status" className="ok">{notice}</p>
      {failure && (
        <div>
          <p className="bad">{t("keys.revoke_failed", { name: failure.name })}</p>
          <ProblemBox error={failure.error} />
        </div>
      )}
      {keys.error ? (
        <ProblemBox error={keys.error} onRetry={keys.reload} />
      ) : !keys.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>{t("keys.none")}</Empty>
      ) : (
        <DataTable caption={t("keys.title")} columns={columns} rows={rows} rowKey={(k) => k.id} />
      )}
      <CreateKey onCreated={(created) => { setSecret(created); setRevoked({}); setVersion((v) => v + 1); }} />
    </section>
  );
}
