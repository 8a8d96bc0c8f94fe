// The Approvals screen (four eyes, issue 17): what waits first, Approve / Reject / Withdraw by who
// may, the API's refusals in words, the decided ones below, and the admin's policy form.
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { User } from "../api/client";
import { APPROVAL_KINDS, APPROVAL_STATUSES, isHeld } from "../api/types/approvals";
import { codeLabel } from "../components/lists/labels";
import { translate } from "../i18n";
import Approvals from "../screens/Approvals";
import { ADMIN, fakeClient, json, Providers, VIEWER, type Call } from "./fakeApi";

const OTTO: User = { ...ADMIN, subject: "u-otto", username: "otto", role: "operator" };
const OLGA: User = { ...ADMIN, subject: "u-olga", username: "olga", role: "operator" };
const EVENT = "0b6f1c2e-0000-4000-8000-000000000001";
const T0 = "2026-11-20T01:00:00+00:00";
const T_EXPIRES = "2026-11-21T01:00:00+00:00";

const base = { requested_by: "u-otto", requested_by_name: "otto", requested_at: T0, expires_at: T_EXPIRES, status: "pending" as const,
  decided_by: null, decided_by_name: null, decided_at: null, note: null, outcome: null };
const REPAIR = { ...base, id: "a-1", kind: "repair" as const, events: 1,
  request: { event_id: EVENT, changes: { "legs[0].notional.currency": "KRW", "legs[1].notional.currency": "KRW" } } };
const BULK = { ...base, id: "a-2", kind: "bulk_repair" as const, events: 3, requested_by: "u-olga", requested_by_name: "olga",
  request: { event_ids: ["e1", "e2", "e3"], changes: [{ field: "counterparty_2.lei", value: "5493001KJTIIGC8Y1R12", current: "529900000000000000700" }] } };
const CANCEL = { ...base, id: "a-3", kind: "cancel" as const, events: 2, request: { event_ids: ["e4", "e5"], reason: "booked twice" } };
const APPROVED = { ...base, id: "a-0", kind: "resubmit" as const, events: 4, status: "approved" as const, request: { event_ids: ["e6"] },
  decided_by: "u-olga", decided_by_name: "olga", decided_at: T0, outcome: { items: [], ok: 3, refused: 1 } };
const REJECTED = { ...base, id: "a-9", kind: "cancel" as const, events: 1, status: "rejected" as const, request: { event_ids: ["e7"], reason: "x" },
  decided_by: "u-olga", decided_by_name: "olga", decided_at: T0, note: "wrong currency, use USD" };
const POLICY = { thresholds: { repair: 1, cancel: 10 }, validity_hours: 24 };

/** The approvals API with the lists as `state` holds them; `onPost` answers the decisions. */
function approvalsApi(state: { items: Record<string, unknown>[] }, onPost?: (c: Call) => Response | undefined) {
  return fakeClient((c) => {
    const url = new URL(c.url, "http://x");
    if (c.method === "GET" && url.pathname === "/api/approvals") {
      const status = url.searchParams.get("status");
      return json(200, { items: state.items.filter((r) => !status || r.status === status) });
    }
    if (url.pathname === "/api/approvals/policy") return json(200, c.method === "PUT" ? c.body : POLICY);
    return onPost?.(c) ?? json(404, { title: "Not found" });
  });
}

const renderAs = (client: ReturnType<typeof fakeClient>["client"], user: User, lang: "en" | "ko" = "en") =>
  render(<Providers client={client} user={user} lang={lang}><Approvals /></Providers>);
const card = async (id: string) => within(await screen.findByTestId(`approval-${id}`));
const button = (scope: ReturnType<typeof within>, name: RegExp | string) => scope.getByRole("button", { name }) as HTMLButtonElement;

describe("Approvals", () => {
  it("lists what waits first, each with what it will do, who asked and until when; the decided below", async () => {
    const { client } = approvalsApi({ items: [CANCEL, BULK, REPAIR, APPROVED, REJECTED] });
    renderAs(client, OLGA);
    const repair = await card("a-1");
    expect(repair.getByRole("heading").textContent).toContain("Repair · 1 event(s)");
    expect(repair.getByText("Saves a new version of the event with these values.")).toBeTruthy();
    const changes = within(repair.getByRole("list", { name: "Changes" })).getAllByRole("listitem").map((li) => li.textContent);
    expect(changes).toEqual(["legs[0].notional.currency: KRW", "legs[1].notional.currency: KRW"]);
    expect(repair.getByRole("link", { name: /^Open its errors/ }).getAttribute("href")).toBe(`#/errors?event=${EVENT}`);
    expect(repair.getByText("otto")).toBeTruthy();
    expect(repair.getAllByRole("time").map((t) => t.getAttribute("dateTime"))).toEqual(["2026-11-20T01:00:00Z", "2026-11-21T01:00:00Z"]);

    const bulk = await card("a-2");
    expect(bulk.getByRole("heading").textContent).toContain("Bulk repair · 3 event(s)");
    expect(bulk.getByRole("list", { name: "Changes" }).textContent).toBe("counterparty_2.lei: 529900000000000000700 → 5493001KJTIIGC8Y1R12");
    const cancel = await card("a-3");
    expect(cancel.getByText(/Reason/).textContent).toBe("Reason: booked twice");

    // pending first, in the API's order; the decided ones in their own table
    const pending = within(screen.getByRole("region", { name: "Waiting for approval" }));
    expect(pending.getAllByRole("article").map((a) => a.getAttribute("data-testid"))).toEqual(["approval-a-3", "approval-a-2", "approval-a-1"]);
    const decided = within(screen.getByRole("table", { name: "Decided and expired" }));
    const rows = decided.getAllByRole("row").slice(1).map((r) => r.textContent);
    expect(rows[0]).toMatch(/^Resubmission4approvedotto.*olga.*done 3, refused 1$/);
    expect(rows[1]).toContain("wrong currency, use USD");
    expect(rows[1]).toContain("rejected");
    expect(screen.getByTestId("policy-summary").textContent).toContain("Repair: from 1 event(s)Cancellation: from 10 event(s)");
  });

  it("approves another user's request: it runs as the approver and moves to the decided", async () => {
    const state = { items: [REPAIR] as Record<string, unknown>[] };
    const { client, calls } = approvalsApi(state, (c) => {
      if (c.method === "POST" && c.url === "/api/approvals/a-1/approve") {
        state.items = [{ ...REPAIR, status: "approved", decided_by: "u-olga", decided_by_name: "olga", decided_at: T0,
          outcome: { event_id: EVENT, new_event_id: "e-2", version: 2, changed: {} } }];
        return json(200, state.items[0]);
      }
      return undefined;
    });
    renderAs(client, OLGA);
    const repair = await card("a-1");
    fireEvent.click(button(repair, "Approve: Repair requested by otto"));
    const done = await screen.findByText("Approved: Repair ran as you (saved as version 2).");
    expect(done.getAttribute("role")).toBe("status");
    expect(calls.filter((c) => c.method === "POST").map((c) => [c.url, c.body])).toEqual([["/api/approvals/a-1/approve", undefined]]);
    await screen.findByText("Nothing is waiting for approval.");
    const row = within(screen.getByRole("table", { name: "Decided and expired" })).getAllByRole("row")[1];
    expect(row.textContent).toContain("approved");
    expect(row.textContent).toContain("saved as version 2");
  });

  it("rejects with a note", async () => {
    const state = { items: [REPAIR] as Record<string, unknown>[] };
    const { client, calls } = approvalsApi(state, (c) => {
      if (c.url !== "/api/approvals/a-1/reject") return undefined;
      state.items = [{ ...REPAIR, status: "rejected", decided_by_name: "olga", note: "use USD" }];
      return json(200, state.items[0]);
    });
    renderAs(client, OLGA);
    const repair = await card("a-1");
    fireEvent.change(repair.getByLabelText("Note (optional)"), { target: { value: "  use USD " } });
    fireEvent.click(button(repair, "Reject: Repair requested by otto"));
    await screen.findByText("Rejected: Repair was not done.");
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({ note: "use USD" });
  });

  it("does not let the requester approve their own request, but lets them withdraw it", async () => {
    const state = { items: [REPAIR] as Record<string, unknown>[] };
    const { client, calls } = approvalsApi(state, (c) => {
      if (c.url !== "/api/approvals/a-1/reject") return undefined;
      state.items = [{ ...REPAIR, status: "rejected", decided_by_name: "otto" }];
      return json(200, state.items[0]);
    });
    renderAs(client, OTTO);
    const repair = await card("a-1");
    const approve = button(repair, "Approve: Repair requested by otto");
    expect(approve.disabled).toBe(true);
    const why = document.getElementById(approve.getAttribute("aria-describedby")!)!;
    expect(why.textContent).toBe("You asked for this: another user must approve it. You may withdraw it.");
    expect(repair.queryByRole("button", { name: /^Reject/ })).toBeNull();
    fireEvent.click(button(repair, "Withdraw your request: Repair"));
    await screen.findByText("Withdrawn: Repair was not done.");
    expect(calls.filter((c) => c.method === "POST").map((c) => c.url)).toEqual(["/api/approvals/a-1/reject"]);
  });

  it("shows a viewer the buttons off and why", async () => {
    const { client } = approvalsApi({ items: [REPAIR] });
    renderAs(client, VIEWER);
    const repair = await card("a-1");
    expect(button(repair, /^Approve/).disabled).toBe(true);
    expect(button(repair, /^Reject/).disabled).toBe(true);
    expect(repair.getByText("Viewers cannot approve or reject: an operator or an admin decides.")).toBeTruthy();
    expect(repair.queryByLabelText("Note (optional)")).toBeNull();
    expect(screen.getByText("Only an admin changes the policy.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Save the policy" })).toBeNull();
  });

  it("says in words that a request expired, and reads the lists again", async () => {
    const state = { items: [REPAIR] as Record<string, unknown>[] };
    const { client } = approvalsApi(state, (c) => {
      if (c.url !== "/api/approvals/a-1/approve") return undefined;
      state.items = [{ ...REPAIR, status: "expired" }];
      return json(409, { title: "Conflict", reason: "already_expired", request_id: "r-41",
        detail: "approval request a-1 is expired: only a pending request can be decided; ask for the action again" });
    });
    renderAs(client, OLGA);
    fireEvent.click(button(await card("a-1"), /^Approve/));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("This request has expired: nobody approved it in time. Ask for the action again.");
    expect(alert.textContent).toContain("r-41");
    expect(screen.getByText("Repair requested by otto was not decided:")).toBeTruthy();
    await screen.findByText("Nothing is waiting for approval.");
    const row = within(screen.getByRole("table", { name: "Decided and expired" })).getAllByRole("row")[1];
    expect(row.textContent).toContain("expired");
    expect(row.textContent).toContain("Nobody decided it before");
  });

  it("says the API's same-user refusal and an expiry in Korean", async () => {
    const { client } = approvalsApi({ items: [REPAIR, { ...BULK, id: "a-5", requested_by: "u-x", requested_by_name: "xavier" }] }, (c) =>
      c.url === "/api/approvals/a-1/approve"
        ? json(403, { title: "Forbidden", reason: "same_user", detail: "the request was made by the same user" })
        : json(409, { title: "Conflict", reason: "already_expired" }));
    // the console thought olga may approve (another session of otto's, say): the API says no
    renderAs(client, OLGA, "ko");
    fireEvent.click((await card("a-1")).getByRole("button", { name: "otto의 수정 요청 승인" }));
    expect((await screen.findByRole("alert")).textContent).toContain("직접 요청한 건은 승인할 수 없습니다. 다른 사용자가 승인해야 합니다(이중 승인).");
    fireEvent.click((await card("a-5")).getByRole("button", { name: "xavier의 일괄 수정 요청 승인" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("만료된 요청입니다."));
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("승인 요청");
    expect(screen.getByRole("heading", { name: "승인 대기" })).toBeTruthy();
  });
});

describe("the four-eyes policy", () => {
  it("is set by an admin, checked before it is sent", async () => {
    const { client, calls } = approvalsApi({ items: [] });
    renderAs(client, ADMIN);
    const repair = (await screen.findByLabelText("Repair: from how many events")) as HTMLInputElement;
    expect(repair.value).toBe("1");
    expect((screen.getByLabelText("Cancellation: from how many events") as HTMLInputElement).value).toBe("10");
    expect((screen.getByLabelText("Bulk repair: from how many events") as HTMLInputElement).value).toBe("");
    const hours = screen.getByLabelText("Validity (hours)") as HTMLInputElement;
    expect(hours.value).toBe("24");

    fireEvent.change(repair, { target: { value: "0" } });
    fireEvent.change(hours, { target: { value: "800" } });
    fireEvent.click(screen.getByRole("button", { name: "Save the policy" }));
    expect(await screen.findByText("A whole number of events from 1 to 1, or empty.")).toBeTruthy();
    expect(screen.getByText("A number of hours from 1 to 720.")).toBeTruthy();
    expect(repair.getAttribute("aria-invalid")).toBe("true");
    expect(calls.filter((c) => c.method === "PUT")).toEqual([]);

    fireEvent.change(repair, { target: { value: "1" } });
    fireEvent.change(screen.getByLabelText("Bulk repair: from how many events"), { target: { value: "50" } });
    fireEvent.change(screen.getByLabelText("Cancellation: from how many events"), { target: { value: "" } });
    fireEvent.change(hours, { target: { value: "48" } });
    fireEvent.change(screen.getByLabelText("Rolling window (hours)"), { target: { value: "6" } });
    fireEvent.click(screen.getByRole("button", { name: "Save the policy" }));
    await screen.findByText("Policy saved.");
    expect(calls.filter((c) => c.method === "PUT").map((c) => c.body)).toEqual([
      { thresholds: { repair: 1, bulk_repair: 50 }, validity_hours: 48, window_hours: 6 }]);
    expect(screen.getByTestId("policy-summary").textContent).toContain("within 6 h add up");
    expect(screen.getByTestId("policy-summary").textContent).toContain("Repair: from 1 event(s)Bulk repair: from 50 event(s)");
    expect(screen.getByTestId("policy-summary").textContent).toContain("expires after 48 h");
  });

  it("puts the API's refusal beside the field it names", async () => {
    const { client } = fakeClient((c) => {
      if (c.url.startsWith("/api/approvals/policy") && c.method === "PUT") {
        return json(422, { title: "Invalid request", detail: "1 invalid field",
          errors: [{ field: "thresholds.resubmit", message: "Input should be less than or equal to 1000" }] });
      }
      if (c.url.startsWith("/api/approvals/policy")) return json(200, { thresholds: {}, validity_hours: 72 });
      return json(200, { items: [] });
    });
    renderAs(client, ADMIN);
    expect((await screen.findByTestId("policy-summary")).textContent).toContain("No action waits for a second user");
    fireEvent.change(screen.getByLabelText("Resubmission: from how many events"), { target: { value: "5" } });
    fireEvent.click(screen.getByRole("button", { name: "Save the policy" }));
    const message = await screen.findByText("Input should be less than or equal to 1000");
    const input = screen.getByLabelText("Resubmission: from how many events");
    expect(input.getAttribute("aria-describedby")).toContain(message.id);
  });
});

describe("the typed client and the 202", () => {
  it("gives a held action's answer as such, and the 200 outcome as the outcome", async () => {
    const held = { status: "pending_approval", approval: { ...REPAIR } };
    const { client } = fakeClient((c) => c.url.endsWith("/e-held/repair") ? json(202, held)
      : json(200, { event_id: "e-done", new_event_id: "e-2", version: 2, changed: {} }));
    const answers = await Promise.all(["e-held", "e-done"].map((event_id) =>
      client.call("post", "/api/events/{event_id}/repair", { event_id }, { changes: { x: "1" } })));
    expect(answers.map((a) => (isHeld(a) ? `held ${a.approval.id}` : `version ${a.version}`))).toEqual(["held a-1", "version 2"]);
  });

  it("names every kind and status the API has in Korean words", () => {
    for (const [group, codes] of [["approval_kind", APPROVAL_KINDS], ["approval_status", APPROVAL_STATUSES]] as const) {
      for (const code of codes) {
        expect(codeLabel((k, v) => translate("ko", k, v), group, code)).toMatch(/[\uAC00-\uD7A3]/);
      }
    }
  });
});
