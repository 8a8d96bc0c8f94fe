import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DataTable, type Column } from "../components/DataTable";
import { Id, shortId } from "../components/Id";
import { Pager } from "../components/lists/Pager";
import { I18nProvider } from "../i18n";
import Trades from "../screens/Trades";
import { fakeClient, json, Providers } from "./fakeApi";

const LONG_UTI = "5299000000000000010000DEMO2026112000000000000000042";

const trade = (n: number, uti = `9884DEMO${String(n).padStart(6, "0")}`) => ({
  uti, trade_id: `T${n}`, asset_class: "INTR", counterparty_2: "LEI2", counterparty_2_name: "Alpha Global Bank",
  state: "acked", last_action_type: "NEWT", regimes: ["krx"], executed_at: "2026-11-20T01:00:00Z",
  updated_at: "2026-11-20T02:00:00Z",
});

const page = (items: unknown[], extra: Record<string, unknown> = {}) =>
  ({ items, next_cursor: null, total: items.length, total_capped: false, ...extra });

describe("DataTable sorting", () => {
  interface Row { id: string; name: string }
  const columns: Column<Row>[] = [
    { key: "id", header: "Id", render: (r) => r.id, sortKey: "id" },
    { key: "name", header: "이름", render: (r) => r.name, sortKey: "name", firstOrder: "desc" },
    { key: "plain", header: "Note", render: () => "-" },
  ];

  it("marks the sorted column and asks for the other order, or a new column's first order", () => {
    const onSort = vi.fn();
    render(<I18nProvider lang="en"><DataTable caption="Rows" columns={columns} rows={[{ id: "a", name: "b" }]}
      rowKey={(r) => r.id} sort={{ key: "id", order: "asc", onSort }} /></I18nProvider>);
    const headers = screen.getAllByRole("columnheader");
    expect(headers.map((h) => h.getAttribute("aria-sort"))).toEqual(["ascending", null, null]);
    expect(within(headers[2]).queryByRole("button")).toBeNull(); // not sortable: plain text
    fireEvent.click(within(headers[0]).getByRole("button", { name: "Id" }));
    expect(onSort).toHaveBeenLastCalledWith("id", "desc");
    fireEvent.click(within(headers[1]).getByRole("button", { name: "이름" }));
    expect(onSort).toHaveBeenLastCalledWith("name", "desc");
  });
});

describe("Pager totals", () => {
  const renderPager = (props: Partial<Parameters<typeof Pager>[0]>, lang: "en" | "ko" = "en") =>
    render(<I18nProvider lang={lang}><Pager count={50} hasMore={true} loading={false} onMore={() => {}} {...props} /></I18nProvider>);

  it("says how many of how many, with grouping, and past the cap 'or more'", () => {
    renderPager({ total: 201 });
    expect(screen.getByText(/50 of 201/)).toBeTruthy();
    cleanupAnd(() => renderPager({ total: 10000, capped: true }));
    expect(screen.getByText(/50 of 10,000\+/)).toBeTruthy();
    cleanupAnd(() => renderPager({ total: 201 }, "ko"));
    expect(screen.getByText(/전체 201건 중 50건/)).toBeTruthy();
  });

  it("shows nothing while the first page loads (no '0 shown' beside 'Loading…')", () => {
    const { container } = renderPager({ count: 0, loading: true, total: null });
    expect(container.textContent).toBe("");
  });
});

function cleanupAnd(next: () => void) {
  document.body.innerHTML = "";
  next();
}

describe("Id", () => {
  let writeText: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
  });
  afterEach(() => {
    Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true });
  });

  it("shows a long id's start and end, the whole in the title, and copies the whole", async () => {
    render(<I18nProvider lang="en"><Id value={LONG_UTI} /></I18nProvider>);
    const shown = screen.getByTitle(LONG_UTI);
    expect(shortId(LONG_UTI)).toBe("5299000000…000042");
    expect(within(shown).getByText("5299000000…000042").getAttribute("aria-hidden")).toBe("true");
    expect(within(shown).getByText(LONG_UTI)).toBeTruthy(); // for screen readers
    fireEvent.click(screen.getByRole("button", { name: `Copy ${LONG_UTI}` }));
    await screen.findByText("Copied");
    expect(writeText).toHaveBeenCalledWith(LONG_UTI);
  });

  it("says so when the browser refuses to copy", async () => {
    writeText.mockRejectedValue(new Error("denied"));
    render(<I18nProvider lang="ko"><Id value={LONG_UTI} /></I18nProvider>);
    fireEvent.click(screen.getByRole("button", { name: `${LONG_UTI} 복사` }));
    await screen.findByText("복사하지 못했습니다. 텍스트를 직접 선택하세요.");
  });

  it("copies without opening the trade of its row", async () => {
    const { client } = fakeClient(() => json(200, page([trade(1, LONG_UTI)])));
    window.location.hash = "#/trades";
    render(<Providers client={client}><Trades params={new URLSearchParams()} /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: `Copy ${LONG_UTI}` }));
    await screen.findByText("Copied");
    expect(window.location.hash).toBe("#/trades");
  });
});

describe("Trades list: order, totals and state kept", () => {
  beforeEach(() => {
    window.scrollTo = vi.fn() as unknown as typeof window.scrollTo;
  });

  it("sends the URL's order, sorts by a header click through the URL and shows the total", async () => {
    const { client, calls } = fakeClient(() => json(200, page([trade(1), trade(2)], { total: 201, next_cursor: "c1" })));
    render(<Providers client={client}><Trades params={new URLSearchParams("sort=uti&order=asc&state=acked")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Trades" });
    const sent = new URL(calls[0].url, "http://x").searchParams;
    expect([sent.get("sort"), sent.get("order"), sent.get("state")]).toEqual(["uti", "asc", "acked"]);
    expect(screen.getByText(/2 of 201/)).toBeTruthy();
    const uti = within(table).getByRole("columnheader", { name: "UTI" });
    expect(uti.getAttribute("aria-sort")).toBe("ascending");
    fireEvent.click(within(uti).getByRole("button"));
    expect(window.location.hash).toBe("#/trades?state=acked&sort=uti&order=desc");
    fireEvent.click(within(table).getByRole("button", { name: "Updated" }));
    expect(window.location.hash).toBe("#/trades?state=acked"); // newest change first: the default
  });

  it("restores the loaded rows and scroll after a visit to a trade, then refreshes them", async () => {
    let refreshed = false;
    const { client, calls } = fakeClient((c) => {
      const cursor = new URL(c.url, "http://x").searchParams.get("cursor");
      if (cursor === "c1") return json(200, page([trade(3)], { total: 3 }));
      if (refreshed) return json(200, page([trade(1), trade(2), { ...trade(3), state: "nacked" }], { total: 3 }));
      return json(200, page([trade(1), trade(2)], { total: 3, next_cursor: "c1" }));
    });
    const params = new URLSearchParams("q=9884");
    const first = render(<Providers client={client}><Trades params={params} /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: "Load more" }));
    await screen.findByText("9884DEMO000003");
    Object.defineProperty(window, "scrollY", { value: 640, configurable: true });
    const rows = screen.getAllByRole("row");
    fireEvent.keyDown(rows[3], { key: "Enter" });
    expect(window.location.hash).toBe("#/trades/9884DEMO000003");
    first.unmount();
    expect(sessionStorage.getItem("swaprep.trades.last")).toBe("#/trades?q=9884");

    refreshed = true;
    render(<Providers client={client}><Trades params={params} /></Providers>);
    // at once: the three rows as left, at the scroll position as left
    expect(screen.getAllByRole("row")).toHaveLength(4);
    expect(window.scrollTo).toHaveBeenCalledWith(0, 640);
    // one request reloads all three in place (states may have changed meanwhile)
    const table = screen.getByRole("table", { name: "Trades" });
    await waitFor(() => expect(within(table).getByText("nacked")).toBeTruthy());
    const reload = new URL(calls[calls.length - 1].url, "http://x").searchParams;
    expect([reload.get("limit"), reload.get("cursor"), reload.get("q")]).toEqual(["50", null, "9884"]);
    expect(screen.getAllByRole("row")).toHaveLength(4);
    expect(screen.getByText(/3 of 3/)).toBeTruthy();
  });

  it("shows 'Loading…' alone until the first page, then the count", async () => {
    let answer: (r: Response) => void = () => {};
    const { client } = fakeClient(() => new Promise<Response>((resolve) => { answer = resolve; }));
    render(<Providers client={client}><Trades params={new URLSearchParams()} /></Providers>);
    expect(screen.getByRole("status").textContent).toBe("Loading…");
    expect(document.querySelector(".pager")).toBeNull(); // no "0 shown" beside it
    await act(async () => answer(json(200, page([trade(1)]))));
    expect(await screen.findByText(/1 of 1/)).toBeTruthy();
  });
});
