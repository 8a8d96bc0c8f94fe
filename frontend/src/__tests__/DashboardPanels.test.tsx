import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import Dashboard from "../screens/Dashboard";
import { fakeClient, json, Providers, type Call } from "./fakeApi";

const SUMMARY = { day: "2026-11-20", tz: "Asia/Seoul", received: 9, valid: 6, invalid: 1, submitted: 4, acked: 2,
  nacked: 1, late: 92, at_risk: 3, at_risk_window_s: 7200, parse_errors: 69, acceptance_rate: 0.666667, by_state: {} };
const rates = (acked: number, nacked: number) => ({ acked, nacked, acceptance_rate: acked + nacked ? acked / (acked + nacked) : null });

function dashboardApi() {
  return fakeClient((c: Call) => {
    const url = new URL(c.url, "http://x");
    const unit = url.searchParams.get("unit");
    switch (url.pathname) {
      case "/api/stats":
        return json(200, SUMMARY, { ETag: '"s1"' });
      case "/api/alerts":
        return json(200, { items: [], next_cursor: null });
      case "/api/stats/volumes":
        return json(200, { unit, tz: "Asia/Seoul",
          buckets: [{ start: unit === "week" ? "2026-11-09T00:00:00+09:00" : "2026-11-19T00:00:00+09:00", total: 7, ...rates(3, 1) }],
          totals: { total: 7, ...rates(3, 1) } });
      case "/api/stats/acceptance":
        return json(200, { unit, tz: "Asia/Seoul", buckets: [{ start: "2026-11-19T00:00:00+09:00", ...rates(95, 5) }], totals: rates(95, 5) });
      case "/api/stats/rejections":
        return json(200, { rules: [{ code: "SR-EC-023", count: 4 }], tr_codes: [{ code: "E042", count: 2 }, { code: null, count: 1 }] });
      case "/api/rules":
        return json(200, { items: [{ id: "SR-EC-023", title: "Currencies are ISO 4217 codes", title_ko: "통화는 ISO 4217 통화코드여야 합니다" }] });
      default:
        return json(404, { title: "Not found" });
    }
  });
}

const params = (calls: Call[], path: string) =>
  calls.filter((c) => c.url.startsWith(`${path}?`)).map((c) => Object.fromEntries(new URL(c.url, "http://x").searchParams));

describe("Dashboard panels", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(2026, 10, 20, 10, 0)); // Friday 20 November 2026, local
  });
  afterEach(() => vi.useRealTimers());

  it("asks for days, then weeks and months when the period switch changes", async () => {
    const { client, calls } = dashboardApi();
    render(<Providers client={client}><Dashboard /></Providers>);
    await screen.findByRole("heading", { name: "Events received per day, last 14 days" });
    expect(params(calls, "/api/stats/volumes")[0]).toMatchObject({ unit: "day", date_from: "2026-11-07", date_to: "2026-11-20" });
    expect(screen.getByTestId("tile-received").textContent).toContain("9"); // today's tiles stay

    fireEvent.click(screen.getByRole("radio", { name: "Weeks" }));
    await screen.findByRole("heading", { name: "Events received per week, last 12 weeks" });
    await waitFor(() => expect(params(calls, "/api/stats/volumes")).toHaveLength(2));
    expect(params(calls, "/api/stats/volumes")[1]).toMatchObject({ unit: "week", date_from: "2026-08-31", date_to: "2026-11-20" });
    expect(params(calls, "/api/stats/acceptance").at(-1)).toMatchObject({ unit: "week", date_from: "2026-08-31" });
    expect(params(calls, "/api/stats/rejections").at(-1)).toMatchObject({ date_from: "2026-08-31", date_to: "2026-11-20", top: "10" });

    // a bar per week, the empty ones as zero, and the numbers as a table too
    const chart = await screen.findByRole("img", { name: "12 weeks, 7 events in all" });
    expect(chart.querySelectorAll("rect")).toHaveLength(12);
    // 12 weeks' "M/D" labels overlapped: every other one is shown, the newest always
    const axis = [...chart.querySelectorAll("text")].map((n) => n.textContent);
    expect(axis.length).toBeLessThanOrEqual(7);
    expect(axis.at(-1)).toBe("11/16");
    const table = screen.getByRole("table", { name: "12 weeks, 7 events in all" });
    expect(within(table).getByRole("rowheader", { name: "2026-11-09" }).closest("tr")!.textContent).toContain("7");

    fireEvent.click(screen.getByRole("radio", { name: "Months" }));
    await waitFor(() => expect(params(calls, "/api/stats/volumes").at(-1)).toMatchObject({ unit: "month", date_from: "2025-12-01" }));
  });

  it("shows the period's acceptance rate with its ACK and NACK counts", async () => {
    const { client } = dashboardApi();
    render(<Providers client={client}><Dashboard /></Providers>);
    expect((await screen.findByTestId("acceptance-rate")).textContent).toBe("95.0 %");
    expect(screen.getByRole("img", { name: "Acceptance 95.0 %: 95 ACK, 5 NACK" })).toBeTruthy();
  });

  it("links each top rejection code to the errors screen filtered to it", async () => {
    const { client } = dashboardApi();
    render(<Providers client={client}><Dashboard /></Providers>);
    const rule = await screen.findByRole("link", { name: "SR-EC-023" });
    expect(rule.getAttribute("href")).toBe("#/errors?kind=rule&key=SR-EC-023");
    expect(rule.closest("li")!.textContent).toContain("4 items");
    await waitFor(() => expect(rule.closest("li")!.textContent).toContain("Currencies are ISO 4217 codes"));
    expect(screen.getByRole("link", { name: "E042" }).getAttribute("href")).toBe("#/errors?kind=tr_code&key=E042");
    expect(screen.getByText("(no code)").closest("li")!.querySelector("a")).toBeNull();
  });

  it("names each tile's scope and links late, at risk and parse errors to the screens that count them the same way", async () => {
    const { client } = dashboardApi();
    render(<Providers client={client}><Dashboard /></Providers>);
    const today = await screen.findByRole("list", { name: "Received today, 2026-11-20 (Asia/Seoul)" });
    expect(within(today).getByTestId("tile-received").textContent).toBe("Received9today (Asia/Seoul)");
    expect(within(today).getByTestId("tile-acked").textContent).toContain("today (Asia/Seoul)");
    const parse = within(today).getByRole("link", { name: /Parse errors/ });
    expect(parse.getAttribute("href")).toBe("#/files?received=today"); // today's files, each linking to its parse group
    expect(parse.textContent).toContain("69");

    const open = screen.getByRole("list", { name: "Open now" });
    const late = within(open).getByRole("link", { name: /Late/ });
    expect(late.getAttribute("href")).toBe("#/trades?due=late");
    expect(late.textContent).toBe("Late92open now");
    const risk = within(open).getByRole("link", { name: /At risk/ });
    expect(risk.getAttribute("href")).toBe("#/trades?due=at_risk");
    expect(risk.textContent).toContain("due within 2 h");
    // the panels beside them say their period, counted by the same received day
    expect(screen.getAllByText("2026-11-07 to 2026-11-20 (" + Intl.DateTimeFormat().resolvedOptions().timeZone + "), by day received").length).toBe(2);
  });

  it("shows the scopes in Korean on the Korean screen", async () => {
    const { client } = dashboardApi();
    render(<Providers client={client} lang="ko"><Dashboard /></Providers>);
    const open = await screen.findByRole("list", { name: "현재 미처리" });
    expect(within(open).getByTestId("tile-at_risk").textContent).toContain("2시간 내 기한");
    expect(screen.getByTestId("tile-parse_errors").textContent).toBe("파싱 오류69오늘 (Asia/Seoul)");
  });
});
