import { fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { changedFields } from "../components/lists/ChangeDiff";
import Audit from "../screens/Audit";
import { fakeClient, json, Providers } from "./fakeApi";

const entry = (id: number, extra: Record<string, unknown> = {}) => ({
  id, at: "2026-11-20T05:00:00+00:00", actor: "demo-admin", actor_id: "u1", actor_type: "user",
  action: "user.updated", entity_type: "user", entity_id: "u9",
  before: { username: "otto", role: "viewer", disabled: false },
  after: { username: "otto", role: "operator", disabled: false, password_changed: false },
  request_id: `req-${id}`, ...extra,
});

const url = (u: string) => new URL(u, "http://x");

afterEach(() => {
  window.location.hash = "";
});

describe("Audit log", () => {
  it("shows who did what to which, with the changed fields before and after", async () => {
    const { client } = fakeClient(() => json(200, { items: [
      entry(2),
      entry(1, { action: "report_file.download_url", entity_type: "report_file", entity_id: "rf-1", actor: "system", actor_type: "system",
        before: null, after: { bucket: "outbound", key: "demo/r.xml" } }),
    ], next_cursor: null }));
    render(<Providers client={client}><Audit params={new URLSearchParams()} /></Providers>);
    const table = await screen.findByRole("table", { name: "Audit log" });
    const [update, created] = within(table).getAllByRole("row").slice(1);

    const changes = within(update).getAllByRole("listitem").map((li) => li.textContent);
    // Only what changed: role and the new password_changed field; username and disabled stayed.
    expect(changes).toEqual(["password_changed: before: ∅ → after: false", "role: before: viewer → after: operator"]);
    expect(update.textContent).toContain("demo-admin");
    expect(update.textContent).toContain("req-2");

    // A creation has nothing before: only the values after.
    expect(within(created).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "bucket: after: outbound", "key: after: demo/r.xml",
    ]);
    expect(created.textContent).toContain("System");
    expect(within(created).getByRole("link", { name: "rf-1" }).getAttribute("href")).toBe("#/reports/rf-1");

    // Both snapshots in full behind a disclosure.
    const full = within(update).getByText("Before and after in full").closest("details")!;
    expect(full.querySelector("pre")!.textContent).toContain('"role": "viewer"');
  });

  it("sends the filters and pages with the cursor", async () => {
    const { client, calls } = fakeClient((c) =>
      url(c.url).searchParams.get("cursor") ? json(200, { items: [entry(1)], next_cursor: null })
        : json(200, { items: [entry(3), entry(2)], next_cursor: "c2" }),
    );
    render(<Providers client={client}><Audit params={new URLSearchParams("actor=otto&action=user.&at_from=2026-11-19&at_to=2026-11-19")} /></Providers>);
    await screen.findByRole("table", { name: "Audit log" });
    const q = url(calls[0].url).searchParams;
    expect(url(calls[0].url).pathname).toBe("/api/audit");
    expect(q.get("actor")).toBe("otto");
    expect(q.get("action")).toBe("user.");
    expect(q.get("at_from")).toBe(new Date(2026, 10, 19).toISOString());
    expect(q.get("at_to")).toBe(new Date(2026, 10, 20).toISOString()); // the whole of the 19th
    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await screen.findByText("req-1");
    const next = url(calls[1].url).searchParams;
    expect(next.get("cursor")).toBe("c2");
    expect(next.get("actor")).toBe("otto");
  });

  it("shows a refused query with the parameter the API names", async () => {
    const { client } = fakeClient(() => json(422, { title: "Invalid query parameters", request_id: "req-q",
      errors: [{ parameter: "at_from", message: "must not be after at_to" }] }));
    render(<Providers client={client}><Audit params={new URLSearchParams("at_from=2026-11-20&at_to=2026-11-01")} /></Providers>);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("at_from");
    expect(alert.textContent).toContain("must not be after at_to");
    expect(alert.textContent).toContain("req-q");
    expect(screen.queryByRole("table")).toBeNull();
  });
});

describe("changedFields", () => {
  it("walks nested objects per field, compares lists of values whole and plain values as one change", () => {
    expect(changedFields({ a: { x: 1 }, b: [1] }, { a: { x: 1 }, b: [1, 2] })).toEqual([{ field: "b", before: [1], after: [1, 2] }]);
    expect(changedFields("open", "acked")).toEqual([{ field: "", before: "open", after: "acked" }]);
    expect(changedFields({ a: 1 }, { a: 1 })).toEqual([]);
    // a repair's audit row: each changed field on its own, never a JSON object
    expect(changedFields({ state: "nacked", fields: { "legs[0].fixed_rate": "0.0325" } },
      { state: "superseded", fields: { "legs[0].fixed_rate": "0.033" } })).toEqual([
      { field: "fields.legs[0].fixed_rate", before: "0.0325", after: "0.033" },
      { field: "state", before: "nacked", after: "superseded" },
    ]);
  });
});
