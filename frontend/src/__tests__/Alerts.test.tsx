import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import Alerts from "../screens/Alerts";
import { fakeClient, json, Providers, VIEWER, type Call } from "./fakeApi";

const alert = (id: number, extra: Record<string, unknown> = {}) => ({
  id, kind: "deadline.late", severity: "critical", summary: `${id} events past their deadline`,
  details: { count: id, example_utis: ["U1"] }, status: "open", occurrences: 4,
  first_seen_at: "2026-11-20T01:00:00+00:00", last_seen_at: "2026-11-20T03:00:00+00:00",
  acked_by: null, acked_at: null, resolved_at: null, ...extra,
});

const url = (u: string) => new URL(u, "http://x");
const gets = (calls: Call[]) => calls.filter((c) => c.method === "GET");

afterEach(() => {
  vi.useRealTimers();
  window.location.hash = "";
});

describe("Alerts", () => {
  it("lists alerts with their message and times, filtered as the URL says", async () => {
    const { client, calls } = fakeClient(() => json(200, { items: [alert(3), alert(2, { severity: "warning", status: "resolved",
      resolved_at: "2026-11-20T04:00:00+00:00" })], next_cursor: null }));
    render(<Providers client={client}><Alerts params={new URLSearchParams("status=open,acked&severity=critical&kind=deadline.late")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Alerts" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0].textContent).toContain("3 events past their deadline");
    expect(rows[0].textContent).toContain("Critical");
    expect(rows[0].querySelectorAll("time")[0].getAttribute("title")).toBe("2026-11-20T01:00:00Z (UTC)"); // first seen
    expect(rows[1].textContent).toContain("Resolved");
    const q = url(calls[0].url).searchParams;
    expect(url(calls[0].url).pathname).toBe("/api/alerts");
    expect(q.get("status")).toBe("open,acked");
    expect(q.get("severity")).toBe("critical");
    expect(q.get("kind")).toBe("deadline.late");
    // Only open alerts can be acknowledged.
    expect(within(rows[0]).getByRole("button", { name: /Acknowledge alert 3/ })).toBeTruthy();
    expect(within(rows[1]).queryByRole("button")).toBeNull();
  });

  it("acknowledges an alert: POSTs, the button is busy meanwhile, then the row says who", async () => {
    let release: () => void = () => {};
    const { client, calls } = fakeClient((c) =>
      c.method === "POST"
        ? new Promise((resolve) => { release = () => resolve(json(200, { id: "3", outcome: "acked", ok: true, message: "by demo-admin" })); })
        : json(200, { items: [alert(3)], next_cursor: null }),
    );
    render(<Providers client={client}><Alerts params={new URLSearchParams()} /></Providers>);
    const button = await screen.findByRole("button", { name: /Acknowledge alert 3/ });
    fireEvent.click(button);
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(true));
    expect(button.textContent).toBe("Acknowledging…");
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.url).toBe("/api/alerts/3/ack");

    await act(async () => release());
    const row = within(screen.getByRole("table")).getAllByRole("row")[1];
    await waitFor(() => expect(row.textContent).toContain("Acknowledged"));
    expect(row.textContent).toContain("by demo-admin");
    expect(within(row).queryByRole("button")).toBeNull();
    expect(screen.getByText("Alert \"Past the deadline\" acknowledged.")).toBeTruthy();
  });

  it("shows a refused acknowledgement with the request id and lets the user try again", async () => {
    const { client } = fakeClient((c) =>
      c.method === "POST"
        ? json(409, { title: "Conflict", detail: "alert 3 was acknowledged already by otto", request_id: "req-ack" })
        : json(200, { items: [alert(3)], next_cursor: null }),
    );
    render(<Providers client={client}><Alerts params={new URLSearchParams()} /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: /Acknowledge alert 3/ }));
    const problem = await screen.findByRole("alert");
    expect(problem.textContent).toContain("409 Conflict");
    expect(problem.textContent).toContain("acknowledged already by otto");
    expect(problem.textContent).toContain("req-ack");
    expect((screen.getByRole("button", { name: /Acknowledge alert 3/ }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("gives viewers no acknowledge button", async () => {
    const { client } = fakeClient(() => json(200, { items: [alert(3)], next_cursor: null }));
    render(<Providers client={client} user={VIEWER}><Alerts params={new URLSearchParams()} /></Providers>);
    await screen.findByText("3 events past their deadline");
    expect(screen.queryByRole("button", { name: /Acknowledge/ })).toBeNull();
    expect(screen.queryByRole("columnheader", { name: "Action" })).toBeNull();
  });

  it("polls with the ETag, and a new alert appears", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let version = 1;
    const { client, calls } = fakeClient((c) => {
      if (c.headers["If-None-Match"] === `"v${version}"`) return json(304, null, { ETag: `"v${version}"` });
      const items = version === 1 ? [alert(3)] : [alert(4, { kind: "tr.silence", summary: "no feedback from the TR" }), alert(3)];
      return json(200, { items, next_cursor: null }, { ETag: `"v${version}"` });
    });
    render(<Providers client={client}><Alerts params={new URLSearchParams()} /></Providers>);
    await screen.findByText("3 events past their deadline");

    await act(() => vi.advanceTimersByTimeAsync(15_000));
    expect(gets(calls)[1].headers["If-None-Match"]).toBe('"v1"'); // unchanged: a 304, no body
    expect(screen.queryByText("no feedback from the TR")).toBeNull();

    version = 2;
    await act(() => vi.advanceTimersByTimeAsync(15_000));
    await screen.findByText("no feedback from the TR");
    expect(within(screen.getByRole("table")).getAllByRole("row")).toHaveLength(3);
  });

  it("says when no alert matches, and when only the newest are shown", async () => {
    const { client } = fakeClient(() => json(200, { items: [], next_cursor: null }));
    render(<Providers client={client}><Alerts params={new URLSearchParams("status=open")} /></Providers>);
    await screen.findByText("No alerts match.");
    expect(screen.getByRole("table", { name: "Alerts" })).toBeTruthy();

    const more = fakeClient(() => json(200, { items: [alert(3)], next_cursor: "c1" }));
    render(<Providers client={more.client}><Alerts params={new URLSearchParams()} /></Providers>);
    await screen.findByText(/The 1 most recently seen are shown/);
  });
});

describe("a deadline alert's message", () => {
  it("counts trades, as the dashboard's Late tile and the trades list do, with their events beside", async () => {
    const { alertMessage } = await import("../components/AlertMessage");
    const { translate } = await import("../i18n");
    const late = alert(1, { details: { count: 85, events: 92, earliest_deadline: "2026-11-20T01:00:00+00:00" } });
    for (const lang of ["en", "ko"] as const) {
      const t = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) => translate(lang, k, v);
      const text = alertMessage(late as never, t as never, lang) ?? "";
      expect(text).toMatch(lang === "en" ? /^85 trade\(s\) past .*\(92 event\(s\);/ : /거래 85건 \(이벤트 92건/);
    }
  });
});
