import { useT } from "../i18n";
import { href } from "../router";

/** An address the console does not have: said so, not the dashboard in its place. */
export function NotFound({ path }: { path: string }) {
  const t = useT();
  return (
    <section aria-labelledby="notfound-title" className="not-found">
      <h1 id="notfound-title">{t("notfound.title")}</h1>
      <p>{t("notfound.body", { path })}</p>
      <p><a href={href("/")}>{t("notfound.home")}</a></p>
    </section>
  );
}
