import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import Errors from "../screens/Errors";
import { fakeClient, json, Providers, type Call } from "./fakeApi";

const E1 = "0b6f1c2e-0000-4000-8000-000000000001";
const E2 = "0b6f1c2e-0000-4000-8000-000000000002";
const E3 = "0b6f1c2e-0000-4000-8000-000000000003";
const FILE = "f17e0000-0000-4000-8000-000000000009";
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

// In the API's order: what needs action first, nothing-open last.
const GROUPS = {
  items: [
    { kind: "tr_code", key: "TR-ID-003", count: 16, open: 16, severity: "reject", oldest_at: ago(2 * 24 * HOUR + HOUR),
      deadline_at: ago(HOUR), sample: { message: "counterparty_2 LEI not in the register", uti: "U1" } },
    { kind: "rule", key: "SR-EC-023", count: 5, open: 2, severity: "reject", oldest_at: ago(3 * HOUR + 60_000),
      deadline_at: ago(-5 * HOUR - 60_000), by_status: { open: 1, assigned: 1, resolved: 3 },
      sample: { message: "currency KRX is not ISO 4217", uti: "U1" } },
    { kind: "parse", key: FILE, object_key: "demo-bank/fep-20261120.csv", count: 69, open: 69, severity: "reject",
      oldest_at: ago(HOUR), deadline_at: null, sample_error: "PARSE-CSV-006 [effective_date]: line 3" },
    { kind: "rule", key: "SR-TM-030", count: 1107, open: 1107, severity: "warn", oldest_at: ago(HOUR), deadline_at: null,
      by_status: { open: 1107, assigned: 0, resolved: 0 }, sample: { message: "late", uti: "U9" } },
    { kind: "rule", key: "SR-ID-001", count: 4, open: 0, severity: "reject", oldest_at: null, deadline_at: null,
      by_status: { open: 0, assigned: 0, resolved: 4 }, sample: { message: "done", uti: "U8" } },
  ],
  next_cursor: null,
};
const issue = (id: number, event_id: string, uti: string, status: string, event_state: string) => ({
  id, event_id, uti, rule_id: "SR-EC-023", severity: "reject", field: "legs[0].notional.currency", value: "KRX",
  message: "currency KRX is not ISO 4217", message_ko: null, status, assignee: null, created_at: ago(HOUR), event_state,
});
const ISSUES = [issue(21, E1, "9884DEMOU1", "open", "invalid"), issue(22, E2, "9884DEMOU2", "assigned", "invalid"),
  issue(23, E3, "9884DEMOU3", "resolved", "superseded")];
const PARSED = [{ id: 3, row_no: 3, line_no: 3, file_id: FILE, object_key: "demo-bank/fep-20261120.csv",
  error: "PARSE-CSV-006 [effective_date]: line 3: 2026-13-45 is not a date", content: "T3,9884DEMOU3,NEWT,TRAD" }];

function queueApi(state: { repaired: boolean }) {
  return fakeClient((c: Call) => {
    const url = new URL(c.url, "http://x");
    if (url.pathname === "/api/errors") {
      if (url.searchParams.get("event") === E2)
        return json(200, { items: [{ ...GROUPS.items[1], count: 1, open: 1,
          sample: { message: "m", field: "legs[0].notional.currency", value: "KRX", event_id: E2, uti: "9884DEMOU2" } }], next_cursor: null });
      return json(200, GROUPS);
    }
    if (url.pathname === "/api/rules") return json(200, { items: [] });
    if (url.pathname === "/api/errors/rule/SR-EC-023") {
      // after the repair, the first issue is resolved (its event superseded)
      const rows = state.repaired ? [{ ...ISSUES[0], status: "resolved", event_state: "superseded" }, ...ISSUES.slice(1)] : ISSUES;
      const wanted = url.searchParams.get("status")?.split(",");
      return json(200, { items: wanted ? rows.filter((r) => wanted.includes(r.status)) : rows, next_cursor: null });
    }
    if (url.pathname === `/api/errors/parse/${FILE}`) return json(200, { items: PARSED, next_cursor: null });
    if (url.pathname.endsWith("/repair/preview")) {
      const value = (c.body as { changes: Record<string, string> }).changes["legs[0].notional.currency"];
      const changed = value === "KRX" ? {} : { "legs[0].notional.currency": { before: "KRX", after: value } };
      return json(200, { event_id: E1, valid: value === "KRW", changed, errors: [], issues: [] });
    }
    if (url.pathname === `/api/events/${E1}/repair`) {
      state.repaired = true;
      return json(200, { event_id: E1, new_event_id: "e1v2", version: 2, changed: {} });
    }
    return json(404, { title: "Not found" });
  });
}

afterEach(() => {
  window.location.hash = "";
});

describe("Errors as a work queue", () => {
  it("lists the groups in the API's order with severity, open count, age and deadline; nothing-open groups behind a toggle", async () => {
    const { client } = queueApi({ repaired: false });
    render(<Providers client={client}><Errors params={new URLSearchParams()} /></Providers>);
    const links = (await screen.findAllByRole("link")).filter((a) => a.getAttribute("href")?.startsWith("#/errors?kind="));
    expect(links.map((a) => new URLSearchParams(a.getAttribute("href")!.split("?")[1]).get("key"))).toEqual(
      ["TR-ID-003", "SR-EC-023", FILE, "SR-TM-030"]);
    expect(links[0].textContent).toContain("16 open of 16 · oldest 2 d · overdue");
    expect(links[1].textContent).toContain("reject");
    expect(links[1].textContent).toContain("2 open of 5 · oldest 3 h · due in 5 h");
    expect(links[2].textContent).toContain("demo-bank/fep-20261120.csv"); // a file by its name
    expect(links[2].textContent).toContain("Parse errors");
    expect(links[3].textContent).toContain("warn");

    expect(screen.queryByRole("link", { name: /SR-ID-001/ })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Show 1 groups with nothing open" }));
    expect(screen.getByRole("link", { name: /SR-ID-001/ }).textContent).toContain("nothing open");
  });

  it("shows the same facts in Korean", async () => {
    const { client } = queueApi({ repaired: false });
    render(<Providers client={client} lang="ko"><Errors params={new URLSearchParams()} /></Providers>);
    const link = await screen.findByRole("link", { name: /SR-EC-023/ });
    expect(link.textContent).toContain("전체 5건 중 미처리 2건 · 가장 오래된 건 3시간 경과 · 보고 기한까지 5시간");
  });

  it("shows the rows of a file that did not parse, each linking to the file", async () => {
    const { client } = queueApi({ repaired: false });
    render(<Providers client={client}><Errors params={new URLSearchParams(`kind=parse&key=${FILE}`)} /></Providers>);
    const table = await screen.findByRole("table", { name: "Items of demo-bank/fep-20261120.csv" });
    const row = within(table).getByText(/2026-13-45 is not a date/).closest("tr")!;
    expect(row.textContent).toContain("T3,9884DEMOU3,NEWT,TRAD");
    expect(within(row).getByRole("link", { name: /Open the file/ }).getAttribute("href")).toBe(`#/files?file=${FILE}`);
    expect(within(table).queryAllByRole("checkbox")).toHaveLength(0);
  });
});

describe("Errors: the repair drawer", () => {
  it("opens beside the list with the current value, applies, refreshes the list and opens the next open item", async () => {
    const state = { repaired: false };
    const { client, calls } = queueApi(state);
    const params = new URLSearchParams({ kind: "rule", key: "SR-EC-023", event: E1, field: "legs[0].notional.currency", value: "KRX" });
    render(<Providers client={client}><Errors params={params} /></Providers>);
    const drawer = await screen.findByRole("region", { name: /^Repair 0b6f1c2e/ });
    await waitFor(() => expect(document.activeElement?.id).toBe("drawer-title")); // keyboard focus lands in it
    expect(within(drawer).getByTestId("repair-current").textContent).toBe("Current value: KRX");
    const table = await screen.findByRole("table", { name: "Items of SR-EC-023" });
    // a resolved item (its event superseded) offers no repair
    expect(within(within(table).getByText("9884DEMOU3").closest("tr")!).queryByRole("link", { name: /Repair/ })).toBeNull();
    const next = within(drawer).getByRole("button", { name: "Apply and next" }) as HTMLButtonElement;
    await within(drawer).findByText("Change a value to apply a repair.");
    expect(next.disabled).toBe(true);

    fireEvent.change(within(drawer).getByLabelText("New value"), { target: { value: "KRW" } });
    await waitFor(() => expect(next.disabled).toBe(false));
    const listReads = () => calls.filter((c) => c.url.startsWith("/api/errors/rule/SR-EC-023") && !c.url.includes("status=")).length;
    const before = listReads();
    fireEvent.click(next);

    // the next open item of the group (not the one just repaired) is opened from the URL
    await waitFor(() => expect(window.location.hash).toContain(`event=${E2}`));
    expect(window.location.hash).toContain("value=KRX");
    expect(calls.filter((c) => c.url === `/api/events/${E1}/repair`)).toHaveLength(1);
    // the rows and the group counts were read again: the repaired issue no longer says Open
    await waitFor(() => expect(listReads()).toBeGreaterThan(before));
    const first = (await within(table).findByText("9884DEMOU1")).closest("tr")!;
    await waitFor(() => expect(within(first).getByText("Resolved")).toBeTruthy());
    expect(within(first).queryByRole("link", { name: /Repair/ })).toBeNull();
  });

  it("closes with Escape back to the group's list", async () => {
    const { client } = queueApi({ repaired: false });
    const params = new URLSearchParams({ kind: "rule", key: "SR-EC-023", event: E1, field: "legs[0].notional.currency", value: "KRX" });
    render(<Providers client={client}><Errors params={params} /></Providers>);
    const drawer = await screen.findByRole("region", { name: /^Repair 0b6f1c2e/ });
    fireEvent.keyDown(within(drawer).getByLabelText("New value"), { key: "Escape" });
    expect(window.location.hash).toBe("#/errors?kind=rule&key=SR-EC-023");
  });

  it("opens on the event's own group when only the event is given (as Trade detail links)", async () => {
    const { client, calls } = queueApi({ repaired: false });
    render(<Providers client={client}><Errors params={new URLSearchParams({ event: E2 })} /></Providers>);
    await waitFor(() => expect(window.location.hash).toContain("kind=rule"));
    const chosen = new URLSearchParams(window.location.hash.split("?")[1]);
    expect(Object.fromEntries(chosen)).toEqual({ kind: "rule", key: "SR-EC-023", event: E2,
      field: "legs[0].notional.currency", value: "KRX" });
    expect(calls.some((c) => c.url === `/api/errors?event=${E2}`)).toBe(true);
  });
});
