import { fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import Activations from "../screens/Activations";
import Alerts from "../screens/Alerts";
import Audit from "../screens/Audit";
import Files from "../screens/Files";
import Reports from "../screens/Reports";
import { fakeClient, json, Providers, VIEWER } from "./fakeApi";

const report = (n: number) => ({
  id: `00000000-0000-0000-0000-00000000000${n}`, regime: "krx", tr: "sim", object_key: null, record_count: n,
  status: "acked", tr_message_id: `MSG-${n}`, reject_code: null, reject_reason: null,
  created_at: "2026-11-20T01:00:00+00:00", submitted_at: null, feedback_at: null, updated_at: "2026-11-20T01:00:00+00:00",
  items_by_status: { pending: 0, acked: n, nacked: 0 }, submissions: [],
});
const entry = (n: number) => ({
  id: n, at: "2026-11-20T01:00:00+00:00", actor: `user${n}`, actor_id: null, actor_type: "user", action: "alert.ack",
  entity_type: "alert", entity_id: String(n), before: null, after: null, request_id: null,
});
const activation = (n: number) => ({
  id: `act${n}`, action: "ingest", trigger: "schedule", started_at: "2026-11-20T01:00:00+00:00", ended_at: null,
  duration_ms: 10, status: "success", cold_start: false, result: null, error: null,
});
const sent = (calls: { url: string }[], n = 0) => new URL(calls[n].url, "http://x").searchParams;

afterEach(() => {
  vi.restoreAllMocks();
  window.location.hash = "";
});

describe("Sortable lists beyond trades", () => {
  it("reports: sends the URL's order, sorts by a header through the URL keeping the filters, and shows the total", async () => {
    const { client, calls } = fakeClient(() =>
      json(200, { items: [report(1), report(2)], next_cursor: "c1", total: 201, total_capped: false }));
    render(<Providers client={client}><Reports params={new URLSearchParams("regime=krx&sort=record_count&order=asc")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Report files" });
    expect([sent(calls).get("sort"), sent(calls).get("order"), sent(calls).get("regime")]).toEqual(["record_count", "asc", "krx"]);
    expect(screen.getByText(/2 of 201/)).toBeTruthy();
    const records = within(table).getByRole("columnheader", { name: "Records" });
    expect(records.getAttribute("aria-sort")).toBe("ascending");
    fireEvent.click(within(records).getByRole("button"));
    expect(window.location.hash).toBe("#/reports?regime=krx&sort=record_count&order=desc");
    fireEvent.click(within(table).getByRole("button", { name: "Regime" }));
    expect(window.location.hash).toBe("#/reports?regime=krx&sort=regime&order=asc");
    fireEvent.click(within(table).getByRole("button", { name: "Created" }));
    expect(window.location.hash).toBe("#/reports?regime=krx"); // newest first: the default
  });

  it("reports: an unknown sort in the URL falls back to newest first", async () => {
    const { client, calls } = fakeClient(() => json(200, { items: [report(1)], next_cursor: null, total: 1, total_capped: false }));
    render(<Providers client={client}><Reports params={new URLSearchParams("sort=tr;drop&order=sideways")} /></Providers>);
    await screen.findByRole("table", { name: "Report files" });
    expect([sent(calls).get("sort"), sent(calls).get("order")]).toEqual(["created_at", "desc"]);
    expect(screen.getByText(/1 of 1/)).toBeTruthy();
  });

  it("audit: sorts by actor and keeps the sort when the filters are applied", async () => {
    const { client, calls } = fakeClient(() =>
      json(200, { items: [entry(1)], next_cursor: "c1", total: 10000, total_capped: true }));
    render(<Providers client={client}><Audit params={new URLSearchParams("sort=actor&order=desc")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Audit log" });
    expect(sent(calls).get("sort")).toBe("actor");
    expect(screen.getByText(/1 of 10,000\+/)).toBeTruthy();
    expect(within(table).getByRole("columnheader", { name: "Who" }).getAttribute("aria-sort")).toBe("descending");
    fireEvent.change(screen.getByLabelText("Who"), { target: { value: "alice" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(window.location.hash).toBe("#/audit?actor=alice&sort=actor&order=desc");
  });

  it("activations: the pager says how many of how many", async () => {
    const { client } = fakeClient(() =>
      json(200, { items: [activation(1), activation(2)], next_cursor: "c1", total: 57, total_capped: false }));
    render(<Providers client={client}><Activations params={new URLSearchParams()} /></Providers>);
    expect(await screen.findByText(/2 of 57/)).toBeTruthy();
  });

  it("files: sorts by name through the URL and pages with the total", async () => {
    const file = (n: number) => ({
      id: `f${n}`, bucket: "in", object_key: `bank/f${n}.csv`, sha256: "0".repeat(64), size_bytes: 1, format: "csv",
      profile: null, source: null, status: "parsed", reject_reason: null, row_count: 1, chunk_count: 1,
      received_at: "2026-11-20T01:00:00+00:00", parsed_at: null, updated_at: "2026-11-20T01:00:00+00:00",
      rows_by_state: {}, events_by_state: {}, parse_errors: 0, duplicates: 0,
    });
    const { client, calls } = fakeClient((c) => new URL(c.url, "http://x").searchParams.get("cursor") === "c1"
      ? json(200, { items: [file(3)], next_cursor: null, total: 3, total_capped: false })
      : json(200, { items: [file(1), file(2)], next_cursor: "c1", total: 3, total_capped: false }));
    render(<Providers client={client} user={VIEWER}><Files params={new URLSearchParams("sort=object_key&order=asc")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Files" });
    expect([sent(calls).get("sort"), sent(calls).get("order")]).toEqual(["object_key", "asc"]);
    expect(screen.getByText(/2 of 3/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText(/3 of 3/)).toBeTruthy();
    expect(sent(calls, 1).get("sort")).toBe("object_key"); // the next page in the same order
    fireEvent.click(within(table).getByRole("button", { name: "Status" }));
    expect(window.location.hash).toBe("#/files?sort=status&order=asc");
  });

  it("alerts: sends the URL's order (severity, highest first), sorts by kind through the URL and says how many of how many", async () => {
    const alert = (n: number) => ({
      id: n, kind: "dead_letters", severity: "critical", summary: "s", details: {}, status: "open", occurrences: 1,
      first_seen_at: "2026-11-20T01:00:00+00:00", last_seen_at: "2026-11-20T01:00:00+00:00", acked_by: null,
      acked_at: null, resolved_at: null,
    });
    const { client, calls } = fakeClient(() =>
      json(200, { items: [alert(1), alert(2)], next_cursor: "c1", total: 340, total_capped: false }));
    render(<Providers client={client} user={VIEWER}><Alerts params={new URLSearchParams("status=open&sort=severity&order=desc")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Alerts" });
    expect([sent(calls).get("sort"), sent(calls).get("order"), sent(calls).get("status")]).toEqual(["severity", "desc", "open"]);
    expect(screen.getByText(/2 of 340/)).toBeTruthy();
    fireEvent.click(within(within(table).getByRole("columnheader", { name: "Kind" })).getByRole("button"));
    expect(window.location.hash).toBe("#/alerts?status=open&sort=kind&order=asc");
  });
});
