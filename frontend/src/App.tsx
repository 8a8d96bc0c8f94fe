import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { asUser, type Role, type User } from "./api/client";
import { MeContext, useApi } from "./api/context";
import { APPROVALS_CHANGED } from "./api/types/approvals";
import { codeLabel } from "./components/lists/labels";
import { Loading } from "./components/States";
import { useI18n, type Lang } from "./i18n";
import type { MessageKey } from "./i18n/en";
import { href, useRoute, type Route } from "./router";
import { NotFound } from "./screens/NotFound";
import { SignIn } from "./screens/SignIn";

// Every screen but sign-in is its own chunk: the first load carries only the shell.
const Dashboard = lazy(() => import("./screens/Dashboard"));
const Trades = lazy(() => import("./screens/Trades"));
const TradeDetail = lazy(() => import("./screens/TradeDetail"));
const Errors = lazy(() => import("./screens/Errors"));
const Files = lazy(() => import("./screens/Files"));
const Reports = lazy(() => import("./screens/Reports"));
const ReportDetail = lazy(() => import("./screens/ReportDetail"));
const Alerts = lazy(() => import("./screens/Alerts"));
const Reconciliation = lazy(() => import("./screens/Reconciliation"));
const Audit = lazy(() => import("./screens/Audit"));
const Activations = lazy(() => import("./screens/Activations"));
const Settings = lazy(() => import("./screens/Settings"));
const Approvals = lazy(() => import("./screens/Approvals"));
const Corrections = lazy(() => import("./screens/Corrections"));
const Backloads = lazy(() => import("./screens/Backloads"));
const Clients = lazy(() => import("./screens/Clients"));

// [path, label, roles that see it (all when absent)]: settings is for admins only.
const NAV: [string, MessageKey, Role[]?][] = [
  ["/", "nav.dashboard"],
  ["/trades", "nav.trades"],
  ["/errors", "nav.errors"],
  ["/approvals", "nav.approvals"],
  ["/files", "nav.files"],
  ["/reports", "nav.reports"],
  ["/reconciliation", "nav.reconciliation"],
  ["/alerts", "nav.alerts"],
  ["/activations", "nav.activations"],
  ["/audit", "nav.audit"],
  ["/settings", "nav.settings", ["admin"]],
  ["/corrections", "nav.corrections"],
  ["/backloads", "nav.backloads"],
  ["/clients", "nav.clients"],
];
// A client_viewer sees what was reported for its one client, nothing else of the tenant's.
const CLIENT_VIEWER_NAV = new Set(["/clients"]);

function screenFor(route: Route) {
  const [first, second, ...more] = route.segments;
  const notFound = <NotFound path={route.path} />;
  // Only trades and reports have a detail below them: any other deeper path is not a screen.
  if (more.length > 0 || (second !== undefined && first !== "trades" && first !== "reports" && first !== "clients")) return notFound;
  switch (first) {
    case undefined:
      return <Dashboard />;
    case "trades":
      return second ? <TradeDetail uti={second} /> : <Trades params={route.params} />;
    case "errors":
      return <Errors params={route.params} />;
    case "files":
      return <Files params={route.params} />;
    case "reports":
      return second ? <ReportDetail id={second} /> : <Reports params={route.params} />;
    case "alerts":
      return <Alerts params={route.params} />;
    case "reconciliation":
      return <Reconciliation params={route.params} />;
    case "audit":
      return <Audit params={route.params} />;
    case "activations":
      return <Activations params={route.params} />;
    case "settings":
      return <Settings />;
    case "approvals":
      return <Approvals />;
    case "corrections":
      return <Corrections params={route.params} />;
    case "backloads":
      return <Backloads />;
    case "clients":
      return <Clients lei={second} params={route.params} />;
    default:
      return notFound;
  }
}

/** How many requests wait for a second user (the nav's badge): one GET when the session starts,
 * on each change of screen, and after an act that holds or decides one. A failure shows none. */
function usePendingApprovals(signedIn: boolean, screen: string): number {
  const api = useApi();
  const [count, setCount] = useState(0);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const again = () => setTick((n) => n + 1);
    window.addEventListener(APPROVALS_CHANGED, again);
    return () => window.removeEventListener(APPROVALS_CHANGED, again);
  }, []);
  useEffect(() => {
    if (!signedIn) return setCount(0);
    let live = true;
    api.read("/api/approvals", {}, { status: "pending" })
      .then((page) => live && setCount(page.items.filter((r) => r.status === "pending").length))
      .catch(() => live && setCount(0));
    return () => {
      live = false;
    };
  }, [api, signedIn, screen, tick]);
  return count;
}

export function App() {
  const api = useApi();
  const { t, lang, setLang } = useI18n();
  const route = useRoute();
  const [user, setUser] = useState<User | null>(null);
  const [restoring, setRestoring] = useState(() => api.hasRefreshToken());

  // A reload keeps the session: the refresh token in sessionStorage gets a new access token.
  useEffect(() => {
    if (!restoring) return;
    api
      .read("/api/auth/me", {})
      .then((me) => setUser(asUser(me)))
      .catch(() => setUser(null))
      .finally(() => setRestoring(false));
  }, [api, restoring]);
  useEffect(() => api.onSignedOut(() => setUser(null)), [api]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      await api.signIn(username, password);
      setUser(asUser(await api.read("/api/auth/me", {}))); // the role as the API sees it now
    },
    [api],
  );
  const me = useMemo(() => (user ? { user, signOut: () => void api.signOut() } : null), [api, user]);

  const title = t("app.title");
  const current = "/" + (route.segments[0] ?? "");
  const waiting = usePendingApprovals(!!me, current);
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        {t("app.skip")}
      </a>
      <header className="top">
        <span className="brand">{title}</span>
        {me && (
          <nav aria-label={t("nav.main")}>
            <ul>
              {NAV.filter(([path, , roles]) => me.user.role === "client_viewer" ? CLIENT_VIEWER_NAV.has(path)
                : !roles || roles.includes(me.user.role)).map(([path, key]) => (
                <li key={path}>
                  <a href={href(path)} aria-current={current === path ? "page" : undefined}>
                    {t(key)}
                    {path === "/approvals" && waiting > 0 && (
                      <>
                        {" "}
                        <span className="nav-count" aria-hidden="true">{waiting}</span>
                        <span className="sr-only">({t("nav.approvals_pending", { n: waiting })})</span>
                      </>
                    )}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="tools">
          <label>
            <span className="sr-only">{t("lang.label")}</span>
            <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} aria-label={t("lang.label")}>
              <option value="ko">한국어</option>
              <option value="en">English</option>
            </select>
          </label>
          {me && (
            <>
              <span className="who">
                {me.user.display_name ?? me.user.username} · {me.user.tenant} · {t("role", { role: codeLabel(t, "role", me.user.role) })}
              </span>
              <button type="button" onClick={me.signOut}>
                {t("signout")}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {restoring ? (
          <Loading />
        ) : me ? (
          <MeContext.Provider value={me}>
            <Suspense fallback={<Loading />}>
              {me.user.role === "client_viewer" && route.segments[0] !== "clients"
                ? <Clients lei={me.user.client_lei ?? undefined} params={route.params} />
                : screenFor(route)}
            </Suspense>
          </MeContext.Provider>
        ) : (
          <SignIn onSignIn={signIn} />
        )}
      </main>
    </>
  );
}
