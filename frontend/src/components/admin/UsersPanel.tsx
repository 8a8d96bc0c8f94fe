import { useState, type FormEvent } from "react";
import { ApiError } from "../../api/client";
import { useApi, useMe } from "../../api/context";
import { useLoad } from "../../api/hooks";
import { ROLES, STAFF_ROLES, type AdminUser, type NewUser, type Role } from "../../api/types/admin";
import { useT } from "../../i18n";
import { DataTable, type Column } from "../DataTable";
import { codeLabel } from "../lists/labels";
import { Empty, Loading, ProblemBox } from "../States";
import { Time } from "../Time";
import { ConfirmButton } from "./ConfirmButton";
import { splitFieldErrors } from "./fieldErrors";
import { FormField } from "./FormField";

const asApiError = (exc: unknown) => (exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));

const NEW_USER_FIELDS = ["username", "display_name", "role", "password", "client_lei"] as const;
const BLANK: NewUser = { username: "", display_name: "", role: "viewer", password: "" };

function CreateUser({ onCreated }: { onCreated: (user: AdminUser) => void }) {
  const api = useApi();
  const t = useT();
  const [draft, setDraft] = useState<NewUser>(BLANK);
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const set = <K extends keyof NewUser>(key: K, value: NewUser[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setFieldErrors({});
    setCreated(null);
    try {
      const { client_lei: lei, ...rest } = draft;
      const body: NewUser = { ...rest, username: draft.username.trim(), display_name: draft.display_name?.trim() || null,
        ...(draft.role === "client_viewer" ? { client_lei: lei?.trim().toUpperCase() || null } : {}) };
      const user = await api.call("post", "/api/admin/users", {}, body);
      setCreated(user.username);
      setDraft(BLANK);
      onCreated(user);
    } catch (exc) {
      const { byField, rest } = splitFieldErrors(asApiError(exc), NEW_USER_FIELDS);
      setFieldErrors(byField);
      setProblem(rest);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="admin-form" onSubmit={submit} noValidate aria-labelledby="new-user-title">
      <h3 id="new-user-title">{t("users.create")}</h3>
      <div className="fields">
        <FormField id="nu-username" label={t("users.username")} hint={t("users.username_hint")} errors={fieldErrors.username}>
          {(describedBy, invalid) => (
            <input id="nu-username" value={draft.username} required autoComplete="off" maxLength={100}
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("username", e.target.value)} />
          )}
        </FormField>
        <FormField id="nu-display" label={t("users.display_name")} errors={fieldErrors.display_name}>
          {(describedBy, invalid) => (
            <input id="nu-display" value={draft.display_name ?? ""} maxLength={200} autoComplete="off"
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("display_name", e.target.value)} />
          )}
        </FormField>
        <FormField id="nu-role" label={t("users.role")} errors={fieldErrors.role}>
          {(describedBy, invalid) => (
            <select id="nu-role" value={draft.role} aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("role", e.target.value as Role)}>
              {ROLES.map((r) => <option key={r} value={r}>{codeLabel(t, "role", r)}</option>)}
            </select>
          )}
        </FormField>
        {draft.role === "client_viewer" && (
          <FormField id="nu-client-lei" label={t("users.client_lei")} hint={t("users.client_lei_hint")} errors={fieldErrors.client_lei}>
            {(describedBy, invalid) => (
              <input id="nu-client-lei" value={draft.client_lei ?? ""} required maxLength={20} autoComplete="off"
                aria-describedby={describedBy} aria-invalid={invalid || undefined}
                onChange={(e) => set("client_lei", e.target.value)} />
            )}
          </FormField>
        )}
        <FormField id="nu-password" label={t("users.password")} hint={t("users.password_hint")} errors={fieldErrors.password}>
          {(describedBy, invalid) => (
            <input id="nu-password" type="password" value={draft.password} required autoComplete="new-password"
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(e) => set("password", e.target.value)} />
          )}
        </FormField>
      </div>
      {problem && <ProblemBox error={problem} />}
      <button type="submit" disabled={busy}>{busy ? t("settings.working") : t("users.create_submit")}</button>
      <span role="status" className="ok">{created && t("users.created", { username: created })}</span>
    </form>
  );
}

/** A user's role: picked first, then saved with its own button (a select's arrow keys must not
 * demote anyone by accident). */
function RoleEditor({ user, disabled, onSave }: { user: AdminUser; disabled: boolean; onSave: (role: Role) => void }) {
  const t = useT();
  const [role, setRole] = useState<Role>(user.role);
  const id = `role-${user.id}`;
  return (
    <span className="role-editor">
      <label htmlFor={id} className="sr-only">{t("users.role_of", { username: user.username })}</label>
      <select id={id} value={role} disabled={disabled || user.role === "client_viewer"} onChange={(e) => setRole(e.target.value as Role)}>
        {(user.role === "client_viewer" ? ["client_viewer" as const] : STAFF_ROLES).map((r) => (
          <option key={r} value={r}>{codeLabel(t, "role", r)}</option>
        ))}
      </select>{" "}
      {role !== user.role && (
        <button type="button" disabled={disabled} onClick={() => onSave(role)}
          aria-label={t("users.save_role_of", { username: user.username })}>
          {t("users.save_role")}
        </button>
      )}
    </span>
  );
}

/** The tenant's users: create one, change a role, disable or enable (disabling ends their sessions). */
export function UsersPanel() {
  const api = useApi();
  const t = useT();
  const { user: me } = useMe();
  const [version, setVersion] = useState(0);
  const users = useLoad<{ items: AdminUser[] }>(`admin-users:${version}`, (a) => a.get("/api/admin/users"));
  // A PATCH answers the user as it is now: shown at once, without reloading the list.
  const [changed, setChanged] = useState<Record<string, AdminUser>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ username: string; error: ApiError } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const change = async (user: AdminUser, body: { role?: Role; disabled?: boolean }, done: string) => {
    setBusy(user.id);
    setFailure(null);
    setNotice(null);
    try {
      const updated = await api.call("patch", "/api/admin/users/{user_id}", { user_id: user.id }, body);
      setChanged((c) => ({ ...c, [updated.id]: updated }));
      setNotice(done);
    } catch (exc) {
      setFailure({ username: user.username, error: asApiError(exc) });
    } finally {
      setBusy(null);
    }
  };

  const rows = (users.data?.items ?? []).map((u) => changed[u.id] ?? u);
  const columns: Column<AdminUser>[] = [
    { key: "username", header: t("users.username"), render: (u) => (
      <>
        <code>{u.username}</code>
        {u.id === me.subject && <span className="muted"> ({t("users.you")})</span>}
      </>
    ) },
    { key: "display", header: t("users.display_name"), render: (u) => u.display_name ?? "—" },
    { key: "role", header: t("users.role"), render: (u) => (
      <RoleEditor key={`${u.id}:${u.role}`} user={u} disabled={busy !== null}
        onSave={(role) => change(u, { role }, t("users.role_changed", { username: u.username, role: codeLabel(t, "role", role) }))} />
    ) },
    { key: "status", header: t("users.status"), render: (u) => (
      <span className={`badge ${u.disabled ? "user-disabled" : "user-active"}`}>
        {u.disabled ? t("users.disabled") : t("users.active")}
      </span>
    ) },
    { key: "login", header: t("users.last_login"), render: (u) => <Time value={u.last_login_at} /> },
    { key: "created", header: t("users.created_at"), render: (u) => <Time value={u.created_at} /> },
    { key: "act", header: t("settings.actions"), render: (u) =>
      u.id === me.subject ? null // disabling yourself would end this session: another admin does it
      : u.disabled ? (
        <button type="button" disabled={busy !== null} aria-label={t("users.enable_label", { username: u.username })}
          onClick={() => change(u, { disabled: false }, t("users.enabled", { username: u.username }))}>
          {t("users.enable")}
        </button>
      ) : (
        <ConfirmButton label={t("users.disable")} accessibleLabel={t("users.disable_label", { username: u.username })}
          question={t("users.disable_question", { username: u.username })} confirmLabel={t("users.disable_confirm")}
          disabled={busy !== null}
          onConfirm={() => change(u, { disabled: true }, t("users.disabled_done", { username: u.username }))} />
      ),
    },
  ];

  return (
    <section aria-labelledby="users-title" className="admin-panel">
      <h2 id="users-title">{t("users.title")}</h2>
      <p role="status" className="ok">{notice}</p>
      {failure && (
        <div>
          <p className="bad">{t("users.change_failed", { username: failure.username })}</p>
          <ProblemBox error={failure.error} />
        </div>
      )}
      {users.error ? (
        <ProblemBox error={users.error} onRetry={users.reload} />
      ) : !users.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty />
      ) : (
        <DataTable caption={t("users.title")} columns={columns} rows={rows} rowKey={(u) => u.id} />
      )}
      <CreateUser onCreated={() => { setChanged({}); setVersion((v) => v + 1); }} />
    </section>
  );
}
