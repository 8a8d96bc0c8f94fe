import { describe, expect, it } from "vitest";
import { ApiClient, ApiError, REFRESH_KEY } from "../api/client";
import { fakeClient, json } from "./fakeApi";

const session = (n: number) => ({ access_token: `access-${n}`, refresh_token: `srt_${n}`, expires_in: 900, user: {} });

describe("ApiClient", () => {
  it("keeps the access token in memory and the refresh token in sessionStorage", async () => {
    const { client, calls } = fakeClient((c) => (c.url === "/api/auth/token" ? json(200, session(1)) : json(200, { ok: true })));
    await client.signIn("demo-admin", "pw-123456789012");
    expect(sessionStorage.getItem(REFRESH_KEY)).toBe("srt_1");
    expect(JSON.stringify(sessionStorage)).not.toContain("access-1");
    await client.get("/api/stats");
    expect(calls[1].headers.Authorization).toBe("Bearer access-1");
  });

  it("refreshes once on a 401, retries, and refreshes only once for parallel calls", async () => {
    let refreshes = 0;
    const { client, calls } = fakeClient((c) => {
      if (c.url === "/api/auth/token") return json(200, session(1));
      if (c.url === "/api/auth/refresh") {
        refreshes += 1;
        return json(200, session(2));
      }
      return c.headers.Authorization === "Bearer access-2" ? json(200, { n: 1 }) : json(401, { title: "Unauthorized", detail: "token expired" });
    });
    await client.signIn("a", "b");
    const results = await Promise.all([client.get("/api/trades"), client.get("/api/stats")]);
    expect(results).toEqual([{ n: 1 }, { n: 1 }]);
    expect(refreshes).toBe(1);
    expect(calls.filter((c) => c.url === "/api/auth/refresh")[0].body).toEqual({ refresh_token: "srt_1" });
    expect(sessionStorage.getItem(REFRESH_KEY)).toBe("srt_2");
  });

  it("signs out when the refresh is refused, with the API's problem", async () => {
    let signedOut = 0;
    const { client } = fakeClient((c) => {
      if (c.url === "/api/auth/token") return json(200, session(1));
      if (c.url === "/api/auth/refresh") return json(401, { title: "Unauthorized", reason: "refresh_token_reused" });
      return json(401, { title: "Unauthorized", detail: "token expired", request_id: "req-9" });
    });
    client.onSignedOut(() => (signedOut += 1));
    await client.signIn("a", "b");
    const error = (await client.get("/api/trades").catch((e) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.requestId).toBe("req-9");
    expect(signedOut).toBe(1);
    expect(client.hasRefreshToken()).toBe(false);
  });

  it("revalidates with If-None-Match and reports a 304 as unchanged", async () => {
    const { client, calls } = fakeClient((c) =>
      c.headers["If-None-Match"] === '"abc"' ? json(304, null, { ETag: '"abc"' }) : json(200, { received: 5 }, { ETag: '"abc"' }),
    );
    const first = await client.getIfChanged("/api/stats", null);
    expect(first).toEqual({ notModified: false, data: { received: 5 }, etag: '"abc"' });
    const second = await client.getIfChanged("/api/stats", first.etag);
    expect(second.notModified).toBe(true);
    expect(calls[1].headers["If-None-Match"]).toBe('"abc"');
  });

  it("keeps a problem's detail, field errors and request id (gateway's requestId too)", async () => {
    const { client } = fakeClient(() =>
      json(422, { title: "Invalid query parameters", detail: "state: bad", errors: [{ parameter: "state", message: "bad" }], requestId: "gw-1" }),
    );
    const error = (await client.get("/api/trades", { state: ["x"] }).catch((e) => e)) as ApiError;
    expect([error.status, error.title, error.detail, error.requestId]).toEqual([422, "Invalid query parameters", "state: bad", "gw-1"]);
    expect(error.errors[0].parameter).toBe("state");
  });
});

describe("ApiClient.call (a route of the spec)", () => {
  it("fills the route's path parameters, encoded, and sends the method and body", async () => {
    const { client, calls } = fakeClient((c) => (c.url === "/api/auth/token" ? json(200, session(1)) : json(200, { id: "k/1" })));
    await client.signIn("demo-admin", "pw-123456789012");
    await client.call("patch", "/api/admin/users/{user_id}", { user_id: "a b/c" }, { role: "viewer" });
    expect(calls[1].url).toBe("/api/admin/users/a%20b%2Fc");
    expect(calls[1].method).toBe("PATCH");
    expect(calls[1].body).toEqual({ role: "viewer" });
  });

  it("refuses a route whose parameter was not given, before sending anything", async () => {
    const { client, calls } = fakeClient(() => json(200, {}));
    // @ts-expect-error: the spec names {key_id}; tsc refuses the call too
    await expect(client.call("delete", "/api/admin/api-keys/{key_id}", {})).rejects.toThrow("no value for {key_id}");
    expect(calls).toHaveLength(0);
  });
});

describe("ApiClient under the gateway's rate limit", () => {
  const limited = (retryAfter: string | null) =>
    new Response(JSON.stringify({ title: "Too Many Requests", detail: "over its limit of 40 requests in a burst" }), {
      status: 429, headers: { "Content-Type": "application/problem+json", ...(retryAfter === null ? {} : { "Retry-After": retryAfter }) },
    });

  function pacedClient(answers: Response[]) {
    const waits: number[] = [];
    const calls: string[] = [];
    const fetcher = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
      calls.push(`${init.method ?? "GET"} ${String(input)}`);
      return answers.shift() ?? json(200, { done: true });
    }) as typeof fetch;
    const client = new ApiClient({ fetch: fetcher, storage: sessionStorage, sleep: async (ms) => void waits.push(ms) });
    return { client, waits, calls };
  }

  it("waits Retry-After and resends, so a screen's burst of loads does not show 'Too many requests'", async () => {
    const { client, waits, calls } = pacedClient([limited("1"), limited("2")]);
    expect(await client.get("/api/errors")).toEqual({ done: true });
    expect(waits).toEqual([1000, 2000]);
    expect(calls).toEqual(["GET /api/errors", "GET /api/errors", "GET /api/errors"]);
  });

  it("resends a change too: the gateway refused it before any handler ran", async () => {
    const { client, calls } = pacedClient([limited(null)]);
    await client.post("/api/events/resubmit", { event_ids: ["e1"] });
    expect(calls).toEqual(["POST /api/events/resubmit", "POST /api/events/resubmit"]);
  });

  it("gives up after three waits and shows the problem", async () => {
    const { client, waits } = pacedClient([limited("1"), limited("1"), limited("1"), limited("1")]);
    await expect(client.get("/api/trades")).rejects.toMatchObject({ status: 429 });
    expect(waits).toHaveLength(3);
  });

  it("does not hang a screen on a long wait (a day's quota): the 429 is shown at once", async () => {
    const { client, waits } = pacedClient([limited("3600")]);
    await expect(client.get("/api/trades")).rejects.toMatchObject({ status: 429, detail: expect.stringContaining("burst") });
    expect(waits).toEqual([]);
  });

  it("keeps the session when the refresh itself is rate-limited", async () => {
    sessionStorage.setItem(REFRESH_KEY, "srt_9");
    const { client } = pacedClient([limited("60")]);
    expect(await client.refresh()).toBe(false);
    expect(sessionStorage.getItem(REFRESH_KEY)).toBe("srt_9");
  });
});
