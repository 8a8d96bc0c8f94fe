import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import Corrections from "../screens/Corrections";
import { fakeClient, json, Providers, VIEWER, type Call } from "./fakeApi";

const UTI = "5299000ALPHABANK0192TC";
const T0 = "2026-11-20T15:00:00+00:00";

const clock = (id: number, extra: Record<string, unknown> = {}) => ({
  id, regime: "cftc-part45", uti: UTI, source: "verification", source_id: "1", kind: "missing_at_tr",
  summary: `${UTI}: open here, not open at the TR`, discovered_at: T0, due: "2026-12-03T05:00:00+00:00",
  due_local: "2026-12-03T00:00:00-05:00", zone: "America/New_York", business_days: 7, prescribed: true,
  state: "at_risk", state_changed_at: T0, business_days_left: 2, resolved_at: null, resolved_by: null,
  resolution_note: null, notified_at: null, created_at: T0, ...extra,
});
const RUN = {
  id: 1, regime: "cftc-part45", entity_id: "NY", entity_status: "SD", status: "completed", reference_date: "2026-11-19",
  started_at: T0, finished_at: T0, open_at_tr: 2, open_here: 3, findings: 2, details: [], trigger: "schedule",
  run_by: "monitor", error: null,
};
const NOTICE = {
  kind: "cftc_notice", title: "Notice of errors in swap data that cannot be corrected within seven business days",
  addressee: "CFTC Division of Market Oversight", text: "To: Director, Division of Market Oversight\n1. What the errors are",
  regime: "cftc-part45", clocks: 2, prepared_at: T0,
};

function respond(items: unknown[]) {
  return (call: Call) => {
    const path = new URL(call.url, "http://x").pathname;
    if (call.method === "POST" && path === "/api/verifications/run") {
      return json(200, { runs: [{ id: 2, regime: "cftc-part45", status: "completed", findings: 1, clocks_opened: 1 }], clocks_opened: 1, clocks: {} });
    }
    if (call.method === "POST" && path === "/api/corrections/notice/sent") {
      const body = call.body as Record<string, string>;
      return json(200, { regime: body.regime, clocks: [7, 8], reference: body.reference, notified_at: T0 });
    }
    if (call.method === "POST") {
      const body = call.body as Record<string, string>;
      return json(200, clock(7, { state: "resolved", resolved_by: "demo-admin", resolution_note: body.note }));
    }
    if (path === "/api/corrections/notice") return json(200, NOTICE);
    if (path === "/api/corrections") return json(200, { items, next_cursor: null, total: items.length, total_capped: false });
    if (path === "/api/verifications") return json(200, { items: [RUN], next_cursor: null, total: 1, total_capped: false });
    return json(404, { type: "about:blank", title: "Not found", status: 404, detail: "no such thing" });
  };
}

afterEach(() => {
  window.location.hash = "";
});

describe("Corrections", () => {
  it("lists the open clocks with the due time in the regime's zone and the business days left", async () => {
    const { client, calls } = fakeClient(respond([clock(7), clock(8, { state: "late", business_days_left: 0, kind: "nack", source: "nack" })]));
    render(<Providers client={client}><Corrections params={new URLSearchParams()} /></Providers>);
    const table = await screen.findByRole("table", { name: "Correction clocks" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0].textContent).toContain("At risk");
    expect(rows[0].textContent).toContain("2026-12-03 00:00 (America/New_York)");
    expect(rows[0].textContent).toContain("7 business days (rule)");
    expect(rows[0].textContent).toContain("2 business day(s) left");
    expect(rows[1].textContent).toContain("Late");
    expect(rows[1].textContent).toContain("Rejected by the TR");
    expect(rows[1].textContent).toContain("Past due");
    const query = new URL(calls.find((c) => c.url.startsWith("/api/corrections"))!.url, "http://x").searchParams;
    expect(query.get("state")).toBe("on_track,at_risk,late");
    const log = await screen.findByRole("table", { name: "Verification log" });
    expect(within(log).getAllByRole("row")[1].textContent).toContain("TR 2 · ours 3");
  });

  it("lets an operator resolve a clock with a note and run a verification", async () => {
    const { client, calls } = fakeClient(respond([clock(7)]));
    render(<Providers client={client}><Corrections params={new URLSearchParams()} /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: `Resolve… correction 7 (${UTI})` }));
    fireEvent.change(screen.getByLabelText("How it was corrected"), { target: { value: "NEWT resubmitted, ACKed" } });
    fireEvent.click(screen.getByRole("button", { name: "Resolve" }));
    expect(await screen.findByText("Correction 7 resolved.")).toBeTruthy();
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.url).toBe("/api/corrections/7/resolve");
    expect(post.body).toEqual({ note: "NEWT resubmitted, ACKed" });
    fireEvent.click(screen.getByRole("button", { name: "Verify now" }));
    expect(await screen.findByText("1 verification(s) run, 1 finding(s), 1 correction clock(s) started.")).toBeTruthy();
  });

  it("drafts the notice for a regime and shows its text to copy", async () => {
    const { client, calls } = fakeClient(respond([]));
    render(<Providers client={client}><Corrections params={new URLSearchParams()} /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: "Draft notice" }));
    const text = await screen.findByLabelText("Notice text");
    expect((text as HTMLTextAreaElement).value).toContain("Division of Market Oversight");
    expect(screen.getByText("2 open correction(s)", { exact: false })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Copy text" })).toBeTruthy();
    await waitFor(() => expect(calls.some((c) => c.url === "/api/corrections/notice?regime=cftc-part45")).toBe(true));
  });

  it("records the drafted notice as sent with its reference, and shows when on each clock", async () => {
    const { client, calls } = fakeClient(respond([clock(7, { notified_at: T0 })]));
    render(<Providers client={client}><Corrections params={new URLSearchParams()} /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: "Draft notice" }));
    const record = await screen.findByRole("button", { name: "Record as sent" });
    expect((record as HTMLButtonElement).disabled).toBe(true); // no reference, nothing recorded
    fireEvent.change(screen.getByLabelText("Sent: reference (filing number, e-mail date)"),
      { target: { value: "CFTC portal 2026-12-08 #4411" } });
    fireEvent.click(record);
    expect(await screen.findByText("The notice is recorded as sent on 2 open correction(s).")).toBeTruthy();
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.url).toBe("/api/corrections/notice/sent");
    expect(post.body).toEqual({ regime: "cftc-part45", reference: "CFTC portal 2026-12-08 #4411" });
    expect(screen.getByRole("table", { name: "Correction clocks" }).textContent).toContain("notified");
  });

  it("offers a viewer no action, and speaks Korean", async () => {
    const { client } = fakeClient(respond([clock(7)]));
    render(<Providers client={client} user={VIEWER} lang="ko"><Corrections params={new URLSearchParams()} /></Providers>);
    const table = await screen.findByRole("table", { name: "정정 기한" });
    expect(within(table).getAllByRole("row")[1].textContent).toContain("기한 임박");
    expect(within(table).getAllByRole("row")[1].textContent).toContain("2영업일 남음");
    expect(screen.queryByRole("button", { name: "지금 검증" })).toBeNull();
    expect(screen.queryByRole("button", { name: /해결…/ })).toBeNull();
  });
});
