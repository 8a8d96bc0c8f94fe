import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import Clients from "../screens/Clients";
import { ADMIN, fakeClient, json, Providers } from "./fakeApi";

const LEI = "9884DEMO000000030364";
const client = {
  lei: LEI, name: "Zeta Manufacturing UK", kind: "client", regimes: ["uk-emir"], capacities: ["mandatory"],
  reports: 4, acked: 3, nacked: 1, pending: 0, last_reported_at: "2026-11-20T08:00:00+00:00",
};
const item = (id: number, status: string, extra: Record<string, unknown> = {}) => ({
  id, client_lei: LEI, uti: `UTI${id}`, action_type: "NEWT", event_type: "TRAD", event_timestamp: "2026-11-20T02:00:00+00:00",
  regime: "uk-emir", status, tr_code: null, tr_message: null, record_ref: `UTI${id}:NEWT:2`, position: 2,
  report_file_id: "0f0e0d0c-0000-4000-8000-000000000001", object_key: "k", file_status: "acked",
  reported_at: "2026-11-20T08:00:00+00:00", submitted_at: null, feedback_at: null,
  counterparty_1: "9884DEMO000000000123", counterparty_2: LEI, record_submitting_entity: null, ...extra,
});
const url = (u: string) => new URL(u, "http://x");

afterEach(() => {
  window.location.hash = "";
});

describe("Clients", () => {
  it("lists the clients the tenant reports for, with what was reported for each, and opens one", async () => {
    const { client: api } = fakeClient(() => json(200, { items: [client] }));
    render(<Providers client={api}><Clients params={new URLSearchParams()} /></Providers>);
    const table = await screen.findByRole("table", { name: "Clients" });
    const [row] = within(table).getAllByRole("row").slice(1);
    expect(row.textContent).toContain("Zeta Manufacturing UK");
    expect(row.textContent).toContain(LEI);
    fireEvent.click(row);
    expect(window.location.hash).toBe(`#/clients/${LEI}`);
  });

  it("shows a client's reports with the TR's word, filters by status, and downloads the daily file", async () => {
    const csv = "reported_at,regime,uti\n2026-11-20T08:00:00Z,uk-emir,UTI1\n";
    const { client: api, calls } = fakeClient((c) =>
      c.url.includes("/daily") ? new Response(csv, { status: 200, headers: { "Content-Type": "text/csv" } })
        : json(200, { items: [item(1, "acked"), item(2, "nacked", { tr_code: "TR-ID-003", tr_message: "TR-ID-003: lapsed" })], next_cursor: null }),
    );
    URL.createObjectURL = vi.fn(() => "blob:test");
    URL.revokeObjectURL = vi.fn();
    render(<Providers client={api}><Clients lei={LEI} params={new URLSearchParams("status=nacked")} /></Providers>);
    const table = await screen.findByRole("table", { name: `Reports for ${LEI}` });
    expect(url(calls[0].url).pathname).toBe(`/api/clients/${LEI}/reports`);
    expect(url(calls[0].url).searchParams.get("status")).toBe("nacked");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[1].textContent).toContain("TR-ID-003: lapsed");
    fireEvent.change(screen.getByLabelText("Daily file for"), { target: { value: "2026-11-20" } });
    fireEvent.click(screen.getByRole("button", { name: "Download daily file (CSV)" }));
    await screen.findByText(`Saved client-${LEI}-2026-11-20.csv`);
    const daily = calls.find((c) => c.url.includes("/daily"))!;
    expect(url(daily.url).pathname).toBe(`/api/clients/${LEI}/daily`);
    expect(url(daily.url).searchParams.get("date")).toBe("2026-11-20");
  });

  it("says why the daily file was refused", async () => {
    const { client: api } = fakeClient((c) =>
      c.url.includes("/daily") ? json(404, { type: "about:blank", title: "Not found", status: 404, detail: "no client X for this user" })
        : json(200, { items: [], next_cursor: null }),
    );
    render(<Providers client={api} user={{ ...ADMIN, role: "client_viewer", client_lei: LEI }}><Clients lei={LEI} params={new URLSearchParams()} /></Providers>);
    await screen.findByText("Nothing has been reported for this client with these filters.");
    expect(screen.queryByRole("link", { name: "All clients" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Download daily file (CSV)" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("no client X for this user"));
  });
});
