import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { TrView } from "../components/trade/TrView";
import Reconciliation from "../screens/Reconciliation";
import { fakeClient, json, Providers, VIEWER, type Call } from "./fakeApi";

const UTI_B = "5299000ALPHABANK0192TB";
const UTI_C = "5299000ALPHABANK0192TC";
const T0 = "2026-11-22T10:00:00+00:00";
const KINDS = { at_tr_only: 0, open_at_tr: 0, missing_at_tr: 0, field_mismatch: 0 };
const NOTIONAL = { field: "NtnlAmtFrstLeg", name: "Notional amount of leg 1", ours: "10000000000 KRW", theirs: "12000000000 KRW" };

const brk = (id: number, extra: Record<string, unknown> = {}) => ({
  id, regime: "emir", uti: UTI_B, kind: "field_mismatch", differences: [NOTIONAL], our_action: "NEWT", tr_action: "NEWT",
  first_reference_date: "2026-11-22", last_reference_date: "2026-11-22", status: "open", assignee: null,
  resolution_note: null, resolved_by: null, resolved_at: null, cleared_at: null, first_seen_at: T0, last_seen_at: T0,
  trade_known: true, ...extra,
});
const SUMMARY = {
  regimes: [{
    regime: "emir",
    reports: { trade_state: { reference_date: "2026-11-22", loaded_at: T0, records: 3, object_key: "k" }, reconciliation: null, warnings: null },
    open_at_tr: 3, reconciliation: { not_applicable: 0, unpaired: 0, matched: 2, unmatched: 1 },
    warnings: { no_valuation: 3, outdated_valuation: 0 },
    breaks: { open: { ...KINDS, field_mismatch: 1, open_at_tr: 1 }, assigned: KINDS, resolved: KINDS, cleared: KINDS },
  }],
  breaks: { open: { ...KINDS, field_mismatch: 1, open_at_tr: 1 }, assigned: KINDS, resolved: KINDS, cleared: KINDS },
};
const VIEW = {
  uti: UTI_B, trade_known: true,
  regimes: [{
    regime: "emir",
    state: { reference_date: "2026-11-22", open: true, last_action: "NEWT", level: "TCTN", reporting_counterparty: "L1",
      other_counterparty: "L2", received_at: T0, valuation_amount: null, valuation_currency: null, valuation_timestamp: null,
      reconciliation_flag: "DSNM", reported_values: {} },
    reconciliation: { reference_date: "2026-11-22", pairing: "paired", matching: "unmatched", flag: "DSNM", other_counterparty: "L2",
      revived: false, further_modified: false, differences: [NOTIONAL] },
    warnings: [{ kind: "no_valuation", reference_date: "2026-11-22", valuation_amount: null, valuation_currency: null, valuation_timestamp: null }],
    breaks: [brk(7)],
  }],
};

function respond(items: unknown[]) {
  return (call: Call) => {
    const path = new URL(call.url, "http://x").pathname;
    if (call.method === "POST") {
      const body = call.body as Record<string, string>;
      return json(200, brk(7, body.note ? { status: "resolved", resolution_note: body.note, resolved_by: "demo-admin" }
        : { status: "assigned", assignee: body.assignee }));
    }
    if (path === "/api/reconciliation/summary") return json(200, SUMMARY);
    if (path === "/api/reconciliation/breaks") return json(200, { items, next_cursor: null, total: items.length, total_capped: false });
    if (path === `/api/trades/${UTI_B}/tr-view`) return json(200, VIEW);
    return json(404, { type: "about:blank", title: "Not found", status: 404, detail: "no such trade" });
  };
}

afterEach(() => {
  window.location.hash = "";
});

describe("Reconciliation", () => {
  it("lists the live breaks with the fields the other side differs on, and the TRs' figures", async () => {
    const { client, calls } = fakeClient(respond([brk(7), brk(8, { uti: UTI_C, kind: "open_at_tr", differences: [],
      our_action: "TERM", trade_known: false })]));
    render(<Providers client={client}><Reconciliation params={new URLSearchParams()} /></Providers>);
    const table = await screen.findByRole("table", { name: "Breaks" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0].textContent).toContain("Fields differ from the other side");
    expect(rows[0].textContent).toContain("Notional amount of leg 1");
    expect(rows[0].textContent).toContain("Ours 10000000000 KRW · Other side 12000000000 KRW");
    expect(within(rows[0]).getByRole("link").getAttribute("href")).toBe(`#/trades/${UTI_B}`);
    expect(rows[1].textContent).toContain("Ended here, open at the TR");
    expect(rows[1].textContent).toContain("Ours: TERM");
    expect(within(rows[1]).queryByRole("link")).toBeNull(); // not a trade of ours to open
    const query = new URL(calls.find((c) => c.url.startsWith("/api/reconciliation/breaks"))!.url, "http://x").searchParams;
    expect(query.get("status")).toBe("open,assigned"); // the live ones unless the URL says otherwise
    const figures = await screen.findByRole("table", { name: "The TRs' latest reports" });
    const cells = within(within(figures).getAllByRole("row")[1]).getAllByRole("cell").map((c) => c.textContent);
    // report of, open at the TR, matched, not matched, not paired, not reconciled, warnings, open breaks
    expect(cells).toEqual(["2026-11-22", "3", "2", "1", "0", "0", "3", "2"]);
  });

  it("assigns a break to the operator and resolves it with a note", async () => {
    const { client, calls } = fakeClient(respond([brk(7)]));
    render(<Providers client={client}><Reconciliation params={new URLSearchParams("kind=field_mismatch")} /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: `Assign to me: break 7 (${UTI_B})` }));
    await screen.findByText("Break 7 assigned to demo-admin.");
    expect(calls.filter((c) => c.method === "POST").map((c) => [c.url, c.body])).toEqual([
      ["/api/reconciliation/breaks/7/assign", { assignee: "demo-admin" }]]);
    fireEvent.click(screen.getByRole("button", { name: `Resolve… break 7 (${UTI_B})` }));
    const submit = screen.getByRole("button", { name: "Resolve" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true); // a note first
    fireEvent.change(screen.getByLabelText("How it was resolved"), { target: { value: "counterparty corrected" } });
    fireEvent.click(submit);
    await screen.findByText("Break 7 resolved.");
    const post = calls.filter((c) => c.method === "POST")[1];
    expect([post.url, post.body]).toEqual(["/api/reconciliation/breaks/7/resolve", { note: "counterparty corrected" }]);
  });

  it("offers a viewer no action", async () => {
    const { client } = fakeClient(respond([brk(7)]));
    render(<Providers client={client} user={VIEWER}><Reconciliation params={new URLSearchParams()} /></Providers>);
    const table = await screen.findByRole("table", { name: "Breaks" });
    expect(within(table).queryByRole("button", { name: /Assign|Resolve/ })).toBeNull();
  });
});

describe("TrView", () => {
  it("shows the trade's pairing, matching, the differing field and the TR's warning", async () => {
    const { client } = fakeClient(respond([]));
    render(<Providers client={client}><TrView uti={UTI_B} /></Providers>);
    const differences = await screen.findByRole("table", { name: "Fields the other side reports differently (EMIR)" });
    expect(within(differences).getAllByRole("row")[1].textContent).toBe(
      "Notional amount of leg 1 NtnlAmtFrstLeg10000000000 KRW12000000000 KRW");
    expect(screen.getByText("Paired")).toBeTruthy();
    expect(screen.getByText("Not matched")).toBeTruthy();
    expect(screen.getByText("No valuation reported")).toBeTruthy();
    expect(screen.getByRole("link", { name: "See the breaks" }).getAttribute("href")).toBe(`#/reconciliation?uti=${UTI_B}`);
  });

  it("says so when no TR report mentions the trade", async () => {
    const { client } = fakeClient(respond([]));
    render(<Providers client={client}><TrView uti="UNKNOWN" /></Providers>);
    await waitFor(() => expect(screen.getByText("No end-of-day report of a TR mentions this trade yet.")).toBeTruthy());
  });
});
