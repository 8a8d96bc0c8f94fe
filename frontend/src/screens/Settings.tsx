import { useMe } from "../api/context";
import { ApiKeysPanel } from "../components/admin/ApiKeysPanel";
import { EntitiesPanel } from "../components/admin/EntitiesPanel";
import { UsersPanel } from "../components/admin/UsersPanel";
import { codeLabel } from "../components/lists/labels";
import { useT } from "../i18n";

/** Users, API keys and legal entities of the tenant: admins only. Others who open it by URL are
 * told so and get no form (the API refuses them too, with a 403). */
export default function Settings() {
  const t = useT();
  const { user } = useMe();
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t("settings.title")}</h1>
      {user.role !== "admin" ? (
        <p className="notice" role="note">
          {t("settings.admins_only", { role: codeLabel(t, "role", user.role) })}
        </p>
      ) : (
        <>
          <UsersPanel />
          <ApiKeysPanel />
          <EntitiesPanel />
        </>
      )}
    </section>
  );
}
