import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TradesExport } from "../components/TradesExport";
import { tradeColumns, type TradeRow } from "../components/TradesTable";
import { localDate } from "../format";
import { translate } from "../i18n";
import Trades from "../screens/Trades";
import { fakeClient, json, Providers } from "./fakeApi";

const trade = (n: number, extra: Partial<TradeRow> = {}): TradeRow => ({
  uti: `9884DEMO${String(n).padStart(6, "0")}`, trade_id: `T${n}`, asset_class: "INTR", product: null,
  counterparty_1: "LEI1", counterparty_2: "LEI2", lifecycle: "live", last_event_id: null,
  counterparty_2_name: "Alpha Global Bank", state: "acked", last_action_type: "NEWT", regimes: ["krx"],
  executed_at: "2026-11-20T01:00:00Z", updated_at: "2026-11-20T02:00:00Z", ...extra,
});

// Two pages behind the cursor, with cells a spreadsheet would misread or split.
const PAGE_1 = [
  trade(1, { trade_id: '=HYPERLINK("http://x")', counterparty_2_name: 'Alpha "Global", Bank', regimes: ["krx", "emir"] }),
  trade(2, { trade_id: "-12", state: "nacked" }),
];
const PAGE_2 = [trade(3, { trade_id: "@SUM(A1)", counterparty_2_name: "한국데모증권" })];

function pagedApi() {
  return fakeClient((c) =>
    c.url.includes("cursor=c1") ? json(200, { items: PAGE_2, next_cursor: null }) : json(200, { items: PAGE_1, next_cursor: "c1" }),
  );
}

/** The Blob and file name the browser was handed. */
function captureDownloads() {
  const saved: { blob: Blob; name: string }[] = [];
  let last: Blob | null = null;
  URL.createObjectURL = vi.fn((blob: Blob) => ((last = blob), "blob:test"));
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ blob: last!, name: this.download });
  });
  return saved;
}

async function textOf(blob: Blob): Promise<{ bom: boolean; text: string }> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return { bom, text: new TextDecoder().decode(bytes.slice(bom ? 3 : 0)) };
}

describe("Trades: column chooser", () => {
  it("hides a column and remembers the choice after a remount", async () => {
    const { client } = pagedApi();
    const first = render(<Providers client={client}><Trades params={new URLSearchParams()} /></Providers>);
    const table = await screen.findByRole("table", { name: "Trades" });
    expect(within(table).getByRole("columnheader", { name: "Trade id" })).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Columns (9 of 12)" }));
    const uti = screen.getByRole("checkbox", { name: /UTI/ }) as HTMLInputElement;
    expect([uti.checked, uti.disabled]).toEqual([true, true]); // the UTI is always shown
    fireEvent.click(screen.getByRole("checkbox", { name: "Trade id" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "Product" }));
    expect(within(table).queryByRole("columnheader", { name: "Trade id" })).toBeNull();
    expect(within(table).getByRole("columnheader", { name: "Product" })).toBeTruthy();
    first.unmount();

    render(<Providers client={client}><Trades params={new URLSearchParams()} /></Providers>);
    const again = await screen.findByRole("table", { name: "Trades" });
    const headers = within(again).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).not.toContain("Trade id");
    expect(headers.slice(0, 3)).toEqual(["UTI", "State", "Last action"]);
    expect(headers).toContain("Product");
    expect(screen.getByRole("button", { name: "Columns (9 of 12)" })).toBeTruthy();
  });

  it("opens from the keyboard and closes with Escape, focus back on its button", async () => {
    const { client } = pagedApi();
    render(<Providers client={client}><Trades params={new URLSearchParams()} /></Providers>);
    await screen.findByRole("table");
    const button = screen.getByRole("button", { name: /^Columns/ });
    expect(button.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(button); // Enter / Space on a button
    expect(button.getAttribute("aria-expanded")).toBe("true");
    const group = screen.getByRole("group", { name: "Columns to show" });
    const box = within(group).getByRole("checkbox", { name: "Regimes" });
    box.focus();
    fireEvent.keyDown(box, { key: "Escape" });
    expect(screen.queryByRole("group", { name: "Columns to show" })).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it("falls back to the defaults when the stored choice is damaged", async () => {
    localStorage.setItem("swaprep.columns.trades", "{not json");
    const { client } = pagedApi();
    render(<Providers client={client}><Trades params={new URLSearchParams()} /></Providers>);
    const table = await screen.findByRole("table");
    expect(within(table).getAllByRole("columnheader")).toHaveLength(9);
  });
});

describe("Trades: CSV export", () => {
  let downloads: { blob: Blob; name: string }[];
  beforeEach(() => {
    downloads = captureDownloads();
  });
  afterEach(() => vi.restoreAllMocks());

  it("pages through the current filter and writes the visible columns, safe for Excel", async () => {
    localStorage.setItem("swaprep.columns.trades", JSON.stringify({
      shown: ["uti", "trade_id", "state", "cp", "regimes"],
      known: tradeColumns((k) => translate("en", k)).map((c) => c.key),
    }));
    const { client, calls } = pagedApi();
    render(<Providers client={client}><Trades params={new URLSearchParams("state=acked,nacked&q=9884")} /></Providers>);
    await screen.findByRole("table");
    fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    const file = `trades-demo-bank-${localDate(0)}.csv`;
    await screen.findByText(`3 rows saved to ${file}.`);

    const exports = calls.slice(1).map((c) => new URL(c.url, "http://x").searchParams);
    expect(exports).toHaveLength(2);
    for (const query of exports) {
      expect([query.get("state"), query.get("q"), query.get("limit")]).toEqual(["acked,nacked", "9884", "500"]);
    }
    expect([exports[0].get("cursor"), exports[1].get("cursor")]).toEqual([null, "c1"]);

    expect(downloads).toHaveLength(1);
    expect(downloads[0].name).toBe(file);
    const { bom, text } = await textOf(downloads[0].blob);
    expect(bom).toBe(true);
    expect(text).toBe(
      "UTI,Trade id,State,Counterparty,Regimes\r\n" +
        `9884DEMO000001,"'=HYPERLINK(""http://x"")",acked,"Alpha ""Global"", Bank","krx, emir"\r\n` +
        "9884DEMO000002,'-12,nacked,Alpha Global Bank,krx\r\n" +
        "9884DEMO000003,'@SUM(A1),acked,한국데모증권,krx\r\n",
    );
  });

  it("stops at the cap and says so", async () => {
    const { client, calls } = pagedApi();
    const columns = tradeColumns((k) => translate("en", k)).filter((c) => c.key === "uti");
    render(<Providers client={client}><TradesExport query={{}} columns={columns} maxRows={2} /></Providers>);
    fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    await screen.findByText("The export stops at 2 rows: narrow the filters to export the rest.");
    // two rows asked, two came with a cursor (the API has more): no further page is read
    expect(calls.map((c) => new URL(c.url, "http://x").searchParams.get("limit"))).toEqual(["2"]);
    const { text } = await textOf(downloads[0].blob);
    expect(text).toBe("UTI\r\n9884DEMO000001\r\n9884DEMO000002\r\n");
  });

  it("can be cancelled while a page is in flight, and then saves nothing", async () => {
    let release: (r: Response) => void = () => {};
    const { client } = fakeClient(() => new Promise<Response>((resolve) => (release = resolve)));
    const columns = tradeColumns((k) => translate("en", k));
    render(<Providers client={client}><TradesExport query={{}} columns={columns} /></Providers>);
    fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    expect((await screen.findByRole("status")).textContent).toBe("0 rows…");
    fireEvent.click(screen.getByRole("button", { name: "Cancel export" }));
    release(json(200, { items: PAGE_1, next_cursor: "c1" }));
    await screen.findByText("Export cancelled.");
    expect(downloads).toHaveLength(0);
    await waitFor(() => expect(screen.getByRole("button", { name: "Export CSV" })).toBeTruthy());
  });

  it("shows the API's problem when a page is refused", async () => {
    const { client } = fakeClient(() => json(503, { title: "Service unavailable", detail: "database down", request_id: "r-9" }));
    render(<Providers client={client}><TradesExport query={{}} columns={tradeColumns((k) => translate("en", k))} /></Providers>);
    fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("database down");
    expect(alert.textContent).toContain("r-9");
    expect(downloads).toHaveLength(0);
  });
});
