// The API client: bearer token in memory, refresh token in sessionStorage (gone with the tab),
// one refresh on a 401 then back to sign-in, problem+json errors kept whole, ETag revalidation.

import { fillRoute } from "./types/spec";
import type { Method, PathParams, QueryOf, RequestBody, ResponseOf, RouteWith, Schemas } from "./types/spec";

/** The signed-in person as the API sees them now (GET /api/auth/me answering for a user). */
export type User = Extract<Schemas["Me"], { kind: "user" }>;
/** The console signs people in; an API key's answer is no console session. */
export const asUser = (me: Schemas["Me"]): User | null => (me.kind === "user" ? (me as User) : null);
export type Role = Schemas["User"]["role"];
/** The name the API records for this person's acts: a person of the firm's identity provider
 * has no username of ours. */
export const nameOf = (user: User): string => user.username ?? user.display_name ?? user.subject;
export type Session = Schemas["Session"];
/** One entry of a problem's `errors[]`: a body field or a query parameter. */
export type FieldProblem = NonNullable<Schemas["Problem"]["errors"]>[number];

/** An RFC 9457 problem (or a network failure) with what the user must see: detail and request id. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly requestId: string | null,
    readonly errors: FieldProblem[] = [],
    readonly reason: string | null = null,
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

export interface Conditional<T> {
  notModified: boolean;
  data: T | null;
  etag: string | null;
}

type Query = Record<string, string | number | string[] | null | undefined>;

export const REFRESH_KEY = "swaprep.refresh_token";

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(key, value.join(","));
    } else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function problemFrom(response: Response): Promise<ApiError> {
  const headerId = response.headers.get("X-Request-Id");
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's page): status and request id still say what happened
  }
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return new ApiError(
    response.status,
    str(body.title) || response.statusText || `HTTP ${response.status}`,
    str(body.detail),
    str(body.request_id) || str(body.requestId) || headerId,
    Array.isArray(body.errors) ? (body.errors as FieldProblem[]) : [],
    str(body.reason) || null,
  );
}

export interface ClientOptions {
  base?: string;
  fetch?: typeof fetch;
  storage?: Storage;
  /** How the client waits before resending a rate-limited request (tests pass a quick one). */
  sleep?: (ms: number) => Promise<void>;
}

/** A 429 is the gateway's refusal before any handler ran, so resending is safe for every method.
 * The console sends a burst on each screen change; a few waits of Retry-After (capped) absorb it
 * instead of showing "Too many requests" for the console's own loads. */
export const RATE_LIMIT_RETRIES = 3;
const RETRY_AFTER_CAP_MS = 5_000;

/** How long to wait before resending a 429, or null when the wait is longer than a screen should
 * hang (a quota for the day, a lockout): then the user sees the problem. */
export function retryAfterMs(response: Response): number | null {
  const header = response.headers.get("Retry-After");
  const seconds = header === null ? 1 : Number(header);
  if (!Number.isFinite(seconds) || seconds < 0) return 1000;
  return seconds * 1000 > RETRY_AFTER_CAP_MS ? null : seconds * 1000;
}

export class ApiClient {
  private access: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private listeners = new Set<() => void>();
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly storage: Storage;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ClientOptions = {}) {
    this.base = options.base ?? "";
    this.doFetch = options.fetch ?? ((...args) => fetch(...args));
    this.storage = options.storage ?? sessionStorage;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Called when the session is gone (refresh refused): the app shows sign-in. */
  onSignedOut(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  hasRefreshToken(): boolean {
    return !!this.storage.getItem(REFRESH_KEY);
  }

  private keep(session: Session): void {
    this.access = session.access_token;
    this.storage.setItem(REFRESH_KEY, session.refresh_token);
  }

  private forget(): void {
    this.access = null;
    this.storage.removeItem(REFRESH_KEY);
  }

  async signIn(username: string, password: string): Promise<Session["user"]> {
    // Not paced: a 429 here is the sign-in lockout, to be shown at once.
    const response = await this.send("POST", "/api/auth/token", { username, password }, {}, false);
    if (!response.ok) throw await problemFrom(response);
    const session = (await response.json()) as Session;
    this.keep(session);
    return session.user;
  }

  async signOut(): Promise<void> {
    const token = this.storage.getItem(REFRESH_KEY);
    try {
      if (this.access) await this.send("POST", "/api/auth/logout", token ? { refresh_token: token } : undefined);
    } finally {
      this.forget();
      this.listeners.forEach((l) => l());
    }
  }

  /** One refresh at a time: the API revokes the whole family when a used token comes back. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const token = this.storage.getItem(REFRESH_KEY);
    if (!token) return false;
    try {
      const response = await this.sendPaced("POST", "/api/auth/refresh", { refresh_token: token }, {}, false);
      if (!response.ok) {
        // Only a refusal of the token ends the session; a busy or failing service does not.
        if (response.status === 400 || response.status === 401) this.forget();
        return false;
      }
      this.keep((await response.json()) as Session);
      return true;
    } catch {
      return false; // network down: keep the token, the next call tries again
    }
  }

  private send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    auth = true,
  ): Promise<Response> {
    const all: Record<string, string> = { Accept: "application/json", ...headers };
    if (body !== undefined) all["Content-Type"] = "application/json";
    if (auth && this.access) all.Authorization = `Bearer ${this.access}`;
    return this.doFetch(this.base + path, {
      method,
      headers: all,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** One send; a 429 is resent after its Retry-After, at most RATE_LIMIT_RETRIES times. */
  private async sendPaced(
    method: string, path: string, body?: unknown, headers: Record<string, string> = {}, auth = true,
  ): Promise<Response> {
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await this.send(method, path, body, headers, auth);
      } catch (exc) {
        throw new ApiError(0, "Network error", `${method} ${path}: ${(exc as Error).message}`, null);
      }
      const wait = response.status === 429 && attempt < RATE_LIMIT_RETRIES ? retryAfterMs(response) : null;
      if (wait === null) return response;
      await this.sleep(wait);
    }
  }

  /** A request with the session: a 401 gets one refresh and one retry, then sign-in; a 429 waits
   * and is resent (sendPaced). */
  async raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    if (!this.access && this.hasRefreshToken()) await this.refresh();
    let response = await this.sendPaced(method, path, body, headers);
    if (response.status === 401) {
      if (await this.refresh()) response = await this.sendPaced(method, path, body, headers);
      if (response.status === 401) {
        const problem = await problemFrom(response);
        this.forget();
        this.listeners.forEach((l) => l());
        throw problem;
      }
    }
    return response;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.raw(method, path, body);
    if (!response.ok) throw await problemFrom(response);
    return (await response.json()) as T;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>("GET", path + queryString(query));
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  /** A change through a route of the spec: its path parameters, its body and its answer are the
   * spec's (src/api/types/spec.ts), so a screen that sends what the API no longer takes fails
   * `tsc`. `call("post", "/api/events/{event_id}/repair", { event_id }, { changes })`. */
  async call<M extends Exclude<Method, "get">, P extends RouteWith<M>>(
    method: M, route: P, params: PathParams<P, M>, ...body: RequestBody<P, M> extends undefined ? [] : [RequestBody<P, M>]
  ): Promise<ResponseOf<P, M>> {
    const path = fillRoute(route, params as Record<string, string | number>);
    return this.request<ResponseOf<P, M>>(method.toUpperCase(), path, body[0]);
  }

  /** A read of a route of the spec: its path parameters, query and answer are the spec's.
   * `read("/api/trades/{uti}", { uti })`. */
  read<P extends RouteWith<"get">>(
    route: P, params: PathParams<P, "get">, query?: QueryOf<P, "get">,
  ): Promise<ResponseOf<P, "get">> {
    const path = fillRoute(route, params as Record<string, string | number>);
    return this.request<ResponseOf<P, "get">>("GET", path + queryString(query as Query | undefined));
  }

  /** GET with If-None-Match: a 304 answers `notModified` and no body (polling). */
  async getIfChanged<T>(path: string, etag: string | null, query?: Query): Promise<Conditional<T>> {
    const response = await this.raw("GET", path + queryString(query), undefined, etag ? { "If-None-Match": etag } : {});
    if (response.status === 304) return { notModified: true, data: null, etag };
    if (!response.ok) throw await problemFrom(response);
    return { notModified: false, data: (await response.json()) as T, etag: response.headers.get("ETag") };
  }
}

export const api = new ApiClient();
