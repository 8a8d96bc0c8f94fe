import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { BulkRepair, SelectAllMatching } from "../components/errors/BulkRepair";
import { fakeClient, json, Providers, VIEWER, type Call } from "./fakeApi";

const WRONG = "529900000000000000700";
const RIGHT = "5493001KJTIIGC8Y1R12";
const E = (n: number) => `0b6f1c2e-0000-4000-8000-00000000000${n}`;
const nack = (n: number) => ({
  id: n, event_id: E(n), uti: `9884DEMOU${n}`, tr_code: "TR-ID-003", field: "counterparty_2.identifier", value: WRONG,
  tr_message: `TR-ID-003: CP2_ID ${WRONG} is not in the LEI register`, regime: "krx",
});
const PAGE1 = [nack(1), nack(2)];
const PAGE2 = [nack(3)];
const ROUTE = "/api/events/repair/bulk";

type Body = { event_ids: string[]; changes: unknown[]; preview?: boolean };
const previewOf = (ids: string[]) => ({
  items: ids.map((id) => id === E(3)
    ? { id, outcome: "would_fail", ok: true, message: "SR-ID-001: counterparty 2 LEI check digits are wrong", preview: null }
    : { id, outcome: "would_pass", ok: true, message: "", preview: null }),
  would_pass: 0, would_fail: 0, refused: 0,
});
const applyOf = (ids: string[]) => ({
  items: ids.map((id) => id === E(2)
    ? { id, outcome: "conflict", ok: false, message: `event ${id} is acked: send a MODI` }
    : { id, outcome: "repaired", ok: true, message: "version 2 queued for validation" }),
  ok: 0, refused: 0,
});

/** The group's items in two pages; bulk repair answered per id, or by `onPost`. */
function groupApi(onPost?: (body: Body) => Response | Promise<Response> | undefined) {
  return fakeClient(async (c: Call) => {
    const url = new URL(c.url, "http://x");
    if (url.pathname === "/api/errors/tr_code/TR-ID-003") {
      return url.searchParams.get("cursor") === "p2"
        ? json(200, { items: PAGE2, next_cursor: null })
        : json(200, { items: PAGE1, next_cursor: "p2" });
    }
    if (c.method === "POST" && url.pathname === ROUTE) {
      const body = c.body as Body;
      const answer = await onPost?.(body);
      if (answer) return answer;
      return json(200, body.preview ? previewOf(body.event_ids) : applyOf(body.event_ids));
    }
    return json(404, { title: "Not found" });
  });
}

const posts = (calls: Call[]) => calls.filter((c) => c.method === "POST").map((c) => c.body as Body);

function renderAll(client: ReturnType<typeof groupApi>["client"], onDone = vi.fn(), user = undefined) {
  render(
    <Providers client={client} user={user}>
      <BulkRepair kind="tr_code" groupKey="TR-ID-003" selectedIds="all" items={PAGE1} total={3} canAct={!user} onDone={onDone} />
    </Providers>,
  );
  return onDone;
}

describe("BulkRepair", () => {
  it("previews then applies one correction over every page of the group, with progress and refusals", async () => {
    const { client, calls } = groupApi();
    const onDone = renderAll(client);
    expect(screen.getByRole("heading", { name: "Correct 3 items at once" })).toBeTruthy();
    expect(screen.getByText("counterparty_2.identifier")).toBeTruthy();
    const apply = screen.getByRole("button", { name: "Apply to 3" }) as HTMLButtonElement;
    expect(apply.disabled).toBe(true); // previewed first

    fireEvent.change(screen.getByLabelText("New value for counterparty_2.identifier"), { target: { value: ` ${RIGHT} ` } });
    fireEvent.click(screen.getByRole("button", { name: "Preview" }));
    await screen.findByText("Would pass: 2. Would still fail: 1. Cannot be repaired: 0.");
    const change = { field: "counterparty_2.identifier", value: RIGHT, current: WRONG };
    expect(posts(calls)).toEqual([
      { event_ids: [E(1), E(2)], changes: [change], preview: true },
      { event_ids: [E(3)], changes: [change], preview: true },
    ]);
    const failures = within(screen.getByRole("list", { name: "First items that would not pass" }));
    expect(failures.getByText("9884DEMOU3").closest("li")!.textContent).toContain("check digits are wrong");
    // the second page was asked for with the first one's cursor, 500 at a time
    const reads = calls.filter((c) => c.method === "GET").map((c) => new URL(c.url, "http://x").searchParams);
    expect(reads.map((q) => [q.get("limit"), q.get("cursor")])).toEqual([["500", null], ["500", "p2"]]);

    fireEvent.click(screen.getByRole("button", { name: "Apply to 3" }));
    await screen.findByText("Done 2, refused 1.");
    expect(posts(calls).slice(2)).toEqual([
      { event_ids: [E(1), E(2)], changes: [change] },
      { event_ids: [E(3)], changes: [change] },
    ]);
    const bar = screen.getByRole("progressbar", { name: "Applying" });
    expect([bar.getAttribute("aria-valuenow"), bar.getAttribute("aria-valuemax")]).toEqual(["3", "3"]);
    const outcomes = within(screen.getByRole("list", { name: "Outcome per item" }));
    expect(outcomes.getByText("9884DEMOU2").closest("li")!.textContent).toContain("is acked: send a MODI");
    expect(outcomes.getByText("9884DEMOU1").closest("li")!.textContent).toContain("repaired");
    expect(onDone).toHaveBeenCalledTimes(1);
    expect((screen.getByRole("button", { name: "Apply to 3" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("stops between chunks when cancelled: the chunk in flight finishes, the rest is not sent", async () => {
    let release: (() => void) | null = null;
    const { client, calls } = groupApi((body) => {
      if (body.preview || body.event_ids[0] !== E(1)) return undefined;
      return new Promise<Response>((resolve) => {
        release = () => resolve(json(200, applyOf(body.event_ids)));
      });
    });
    renderAll(client);
    fireEvent.change(screen.getByLabelText("New value for counterparty_2.identifier"), { target: { value: RIGHT } });
    fireEvent.click(screen.getByRole("button", { name: "Preview" }));
    await screen.findByText(/^Would pass: 2/);
    fireEvent.click(screen.getByRole("button", { name: "Apply to 3" }));
    await waitFor(() => expect(release).not.toBeNull());
    fireEvent.click(screen.getByRole("button", { name: "Stop after this batch" }));
    release!();
    await screen.findByText("Stopped: 1 corrected before the stop; the rest are unchanged.");
    expect(posts(calls).filter((b) => !b.preview).map((b) => b.event_ids)).toEqual([[E(1), E(2)]]);
    const bar = screen.getByRole("progressbar", { name: "Applying" });
    expect([bar.getAttribute("aria-valuenow"), bar.getAttribute("aria-valuemax")]).toEqual(["2", "3"]);
    expect(screen.getByText("Done 1, refused 1.")).toBeTruthy();
  });

  it("stops at a chunk the four-eyes policy holds: says so, sends no more, and counts what was not sent", async () => {
    const { client, calls } = groupApi((body) => body.preview ? undefined : json(202, {
      status: "pending_approval",
      approval: { id: "a-7", kind: "bulk_repair", events: body.event_ids.length, request: body, requested_by: "u1",
        requested_by_name: "demo-admin", requested_at: "2026-11-20T01:00:00+00:00", expires_at: "2026-11-23T01:00:00+00:00",
        status: "pending" },
    }));
    const onDone = renderAll(client);
    fireEvent.change(screen.getByLabelText("New value for counterparty_2.identifier"), { target: { value: RIGHT } });
    fireEvent.click(screen.getByRole("button", { name: "Preview" }));
    await screen.findByText(/^Would pass: 2/);
    fireEvent.click(screen.getByRole("button", { name: "Apply to 3" }));
    const held = await screen.findByTestId("held");
    expect(held.textContent).toMatch(/^Sent for approval: another user must approve it before /);
    expect(held.textContent).toContain("Nothing has changed yet (2 event(s) in the request).");
    expect(held.textContent).toContain("The other 1 item(s) were not sent: apply them again once this request is decided.");
    expect(within(held).getByRole("link", { name: "Open the approvals" }).getAttribute("href")).toBe("#/approvals");
    // the second page was not sent, and no "Done 0, refused 0" pretends something ran
    expect(posts(calls).filter((b) => !b.preview).map((b) => b.event_ids)).toEqual([[E(1), E(2)]]);
    expect(screen.queryByText(/^Done /)).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(onDone).toHaveBeenCalledTimes(1);
  });

  it("a refused request stops the run and says why; a viewer may preview but not apply", async () => {
    const { client } = groupApi((body) => body.preview
      ? json(422, { title: "Invalid request body", status: 422, detail: "changes[0].field: unknown field" })
      : undefined);
    renderAll(client, vi.fn(), VIEWER as never);
    expect(screen.queryByRole("button", { name: /Apply/ })).toBeNull();
    fireEvent.change(screen.getByLabelText("New value for counterparty_2.identifier"), { target: { value: RIGHT } });
    fireEvent.click(screen.getByRole("button", { name: "Preview" }));
    expect(await screen.findByText(/changes\[0\]\.field: unknown field/)).toBeTruthy();
  });

  it("proposes no correction when the selected items do not share one field and value", () => {
    const { client } = groupApi();
    const other = { ...nack(2), value: RIGHT };
    render(
      <Providers client={client} lang="ko">
        <BulkRepair kind="tr_code" groupKey="TR-ID-003" selectedIds={["1", "2"]} items={[nack(1), other]} canAct onDone={() => {}} />
      </Providers>,
    );
    expect(screen.getByText(/선택한 항목의 필드와 값이 서로 달라/)).toBeTruthy();
    expect(screen.queryByRole("button")).toBeNull();
  });
});

describe("SelectAllMatching", () => {
  it("offers every matching item once the loaded page is selected, and a way back", () => {
    const onSelectAll = vi.fn();
    const onClear = vi.fn();
    const { client } = groupApi();
    const { rerender } = render(
      <Providers client={client}>
        <SelectAllMatching total={1107} loaded={100} allLoadedSelected selectedAll={false} onSelectAll={onSelectAll} onClear={onClear} />
      </Providers>,
    );
    fireEvent.click(screen.getByRole("button", { name: "Select all 1,107 matching" }));
    expect(onSelectAll).toHaveBeenCalled();
    rerender(
      <Providers client={client}>
        <SelectAllMatching total={1107} loaded={100} allLoadedSelected selectedAll onSelectAll={onSelectAll} onClear={onClear} />
      </Providers>,
    );
    expect(screen.getByRole("status").textContent).toContain("All 1,107 matching items are selected.");
    fireEvent.click(screen.getByRole("button", { name: "Clear selection" }));
    expect(onClear).toHaveBeenCalled();
  });
});
