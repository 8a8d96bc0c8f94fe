// A fake network at the fetch boundary: the real ApiClient, answers scripted per request.
import type { ReactNode } from "react";
import { ApiClient } from "../api/client";
import { ApiContext, MeContext } from "../api/context";
import { I18nProvider, type Lang } from "../i18n";
import type { User } from "../api/client";

export interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Responder = (call: Call) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(status === 304 ? null : JSON.stringify(body), { status, headers: { "Content-Type": type, ...headers } });
}

export function fakeClient(respond: Responder): { client: ApiClient; calls: Call[] } {
  const calls: Call[] = [];
  const fetcher = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const call: Call = {
      method: init.method ?? "GET",
      url: String(input),
      headers: (init.headers ?? {}) as Record<string, string>,
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return respond(call);
  }) as typeof fetch;
  return { client: new ApiClient({ fetch: fetcher, storage: sessionStorage }), calls };
}

// As GET /api/auth/me answers for a person.
export const ADMIN: User = {
  kind: "user", subject: "u1", username: "demo-admin", display_name: null, role: "admin", tenant: "demo-bank",
  tenant_id: "t1",
};
export const VIEWER: User = { ...ADMIN, subject: "u2", username: "demo-viewer", role: "viewer" };

export function Providers({ client, user = ADMIN, lang = "en", children }: {
  client: ApiClient; user?: User; lang?: Lang; children: ReactNode;
}) {
  return (
    <I18nProvider lang={lang}>
      <ApiContext.Provider value={client}>
        <MeContext.Provider value={{ user, signOut: () => {} }}>{children}</MeContext.Provider>
      </ApiContext.Provider>
    </I18nProvider>
  );
}
