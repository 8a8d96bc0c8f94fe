import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import Errors from "../screens/Errors";
import { fakeClient, json, Providers, VIEWER, type Call } from "./fakeApi";

const E1 = "0b6f1c2e-0000-4000-8000-000000000001";
const E2 = "0b6f1c2e-0000-4000-8000-000000000002";
const E3 = "0b6f1c2e-0000-4000-8000-000000000003";

const GROUPS = {
  items: [
    { kind: "rule", key: "SR-EC-023", count: 3, severity: "reject", open: 2, oldest_at: null, deadline_at: null,
      by_status: { open: 2, assigned: 0, resolved: 1 },
      sample: { message: "leg 1 notional currency KRX is not an ISO 4217 currency code", uti: "U1" } },
    { kind: "tr_code", key: "E042", count: 3, severity: "reject", open: 3, oldest_at: null, deadline_at: null,
      sample: { message: "bad notional", uti: "U1" } },
  ],
  next_cursor: null,
};
const NACKS = [
  { id: 11, event_id: E1, uti: "9884DEMOU1", tr_code: "E042", tr_message: "bad notional", regime: "krx", tr_message_id: "M1" },
  { id: 12, event_id: E2, uti: "9884DEMOU2", tr_code: "E042", tr_message: "bad notional", regime: "krx", tr_message_id: "M1" },
  { id: 13, event_id: E3, uti: "9884DEMOU3", tr_code: "E042", tr_message: "bad notional", regime: "krx", tr_message_id: "M2" },
];
const ISSUES = [
  { id: 21, event_id: E1, uti: "9884DEMOU1", rule_id: "SR-EC-023", severity: "reject", field: "legs[0].notional.currency",
    value: "KRX", message: "leg 1 notional currency KRX is not an ISO 4217 currency code",
    message_ko: "레그1 명목금액 통화 KRX은(는) ISO 4217 통화코드가 아닙니다", status: "open", assignee: null,
    created_at: "2026-11-20T01:00:00Z" },
  { id: 22, event_id: E2, uti: "9884DEMOU2", rule_id: "SR-EC-023", severity: "reject", field: "legs[0].notional.currency",
    value: "KRX", message: "leg 1 notional currency KRX is not an ISO 4217 currency code", message_ko: null,
    status: "assigned", assignee: "kim", created_at: "2026-11-20T01:00:00Z" },
  { id: 23, event_id: E3, uti: "9884DEMOU3", rule_id: "SR-EC-023", severity: "reject", field: "legs[0].notional.currency",
    value: "KRX", message: "leg 1 notional currency KRX is not an ISO 4217 currency code", message_ko: null,
    status: "resolved", assignee: null, created_at: "2026-11-20T01:00:00Z" },
];
const RULES = { items: [{ id: "SR-EC-023", area: "EC", severity: "reject", field: "legs[0].notional.currency",
  field_label: "leg 1 notional currency", field_label_ko: "레그1 명목금액 통화", regimes: null, per_regime: false,
  actions: null, title: "Currencies are ISO 4217 codes", title_ko: "통화는 ISO 4217 통화코드여야 합니다",
  message_en: "{label} {value} is not an ISO 4217 currency code{hint}", message_ko: "…", source: "ISO 4217", note: "" }] };

function errorsApi(respond: (c: Call) => Response | undefined = () => undefined) {
  return fakeClient((c) => {
    const answer = respond(c);
    if (answer) return answer;
    const path = new URL(c.url, "http://x").pathname;
    if (path === "/api/errors") return json(200, GROUPS);
    if (path === "/api/rules") return json(200, RULES);
    if (path === "/api/errors/tr_code/E042") return json(200, { items: NACKS, next_cursor: null });
    if (path === "/api/errors/rule/SR-EC-023") return json(200, { items: ISSUES, next_cursor: null });
    return json(404, { title: "Not found" });
  });
}

const posts = (calls: Call[], path: string) => calls.filter((c) => c.method === "POST" && c.url === path);

describe("Errors: bulk resubmit", () => {
  it("posts the selected events and shows each one's outcome", async () => {
    const { client, calls } = errorsApi((c) =>
      c.url === "/api/events/resubmit"
        ? json(200, { items: [
            { id: E1, outcome: "resubmitted", ok: true, message: "queued for the next krx report file" },
            { id: E3, outcome: "conflict", ok: false, message: `event ${E3} is superseded: only a NACKed event can be resubmitted` },
          ], ok: 1, refused: 1 })
        : undefined,
    );
    render(<Providers client={client}><Errors params={new URLSearchParams("kind=tr_code&key=E042")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Items of E042" });
    const button = screen.getByRole("button", { name: "Resubmit selected (0)" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);

    fireEvent.click(within(table).getByRole("checkbox", { name: "Select all" }));
    expect(screen.getByRole("button", { name: "Resubmit selected (3)" })).toBeTruthy();
    fireEvent.click(within(table).getByRole("checkbox", { name: "Select 9884DEMOU2" }));
    const all = within(table).getByRole("checkbox", { name: "Select all" }) as HTMLInputElement;
    expect([all.checked, all.indeterminate]).toEqual([false, true]);
    fireEvent.click(screen.getByRole("button", { name: "Resubmit selected (2)" }));

    await screen.findByText("Done 1, refused 1.");
    expect(posts(calls, "/api/events/resubmit").map((c) => c.body)).toEqual([{ event_ids: [E1, E3] }]);
    const outcomes = within(screen.getByRole("list", { name: "Outcome per item" }));
    expect(outcomes.getByText("9884DEMOU1").closest("li")!.textContent).toContain("resubmitted queued for the next krx report file");
    expect(outcomes.getByText("9884DEMOU3").closest("li")!.textContent).toContain("superseded");
    await waitFor(() => expect(screen.getByRole("button", { name: "Resubmit selected (0)" })).toBeTruthy());
    // the rows and the groups' counts are read again after the change
    expect(calls.filter((c) => c.url.startsWith("/api/errors/tr_code/E042")).length).toBe(2);
  });

  it("shows a refusal of the whole call with its request id", async () => {
    const { client } = errorsApi((c) =>
      c.url === "/api/events/resubmit" ? json(403, { title: "Forbidden", detail: "role changed", request_id: "r-3" }) : undefined,
    );
    render(<Providers client={client}><Errors params={new URLSearchParams("kind=tr_code&key=E042")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Items of E042" });
    fireEvent.click(within(table).getByRole("checkbox", { name: "Select 9884DEMOU1" }));
    fireEvent.click(screen.getByRole("button", { name: "Resubmit selected (1)" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("role changed");
    expect(alert.textContent).toContain("r-3");
  });
});

describe("Errors: a resubmission held for approval (four eyes)", () => {
  it("says it waits for another user instead of showing outcomes", async () => {
    const { client, calls } = errorsApi((c) => c.url === "/api/events/resubmit" ? json(202, {
      status: "pending_approval",
      approval: { id: "a-8", kind: "resubmit", events: 2, request: c.body, requested_by: "u1", requested_by_name: "demo-admin",
        requested_at: "2026-11-20T01:00:00+00:00", expires_at: "2026-11-23T01:00:00+00:00", status: "pending" },
    }) : undefined);
    render(<Providers client={client} lang="ko"><Errors params={new URLSearchParams("kind=tr_code&key=E042")} /></Providers>);
    const table = await screen.findByRole("table", { name: "E042 항목" });
    fireEvent.click(within(table).getByRole("checkbox", { name: "9884DEMOU1 선택" }));
    fireEvent.click(within(table).getByRole("checkbox", { name: "9884DEMOU2 선택" }));
    fireEvent.click(screen.getByRole("button", { name: "선택 항목 재제출 (2)" }));
    const held = await screen.findByTestId("held");
    expect(held.textContent).toContain("승인 요청을 보냈습니다.");
    expect(held.textContent).toContain("아직 아무것도 바뀌지 않았습니다(요청에 포함된 이벤트 2건).");
    expect(posts(calls, "/api/events/resubmit").map((c) => c.body)).toEqual([{ event_ids: [E1, E2] }]);
    expect(screen.queryByRole("list", { name: "항목별 처리 결과" })).toBeNull();
  });
});

describe("Errors: acts over every matching item, not only the loaded page", () => {
  it("selects all 3 matching NACKs with 2 loaded and resubmits them page by page with a progress bar", async () => {
    const { client, calls } = fakeClient((c) => {
      const url = new URL(c.url, "http://x");
      if (url.pathname === "/api/errors") return json(200, GROUPS);
      if (url.pathname === "/api/rules") return json(200, RULES);
      if (url.pathname === "/api/errors/tr_code/E042") {
        return url.searchParams.get("cursor") === "p2"
          ? json(200, { items: NACKS.slice(2), next_cursor: null })
          : json(200, { items: NACKS.slice(0, 2), next_cursor: "p2" });
      }
      if (c.url === "/api/events/resubmit") {
        const ids = (c.body as { event_ids: string[] }).event_ids;
        return json(200, { items: ids.map((id) => ({ id, outcome: "resubmitted", ok: true, message: "queued" })), ok: ids.length, refused: 0 });
      }
      return json(404, { title: "Not found" });
    });
    render(<Providers client={client}><Errors params={new URLSearchParams("kind=tr_code&key=E042")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Items of E042" });
    fireEvent.click(within(table).getByRole("checkbox", { name: "Select all" }));
    expect(screen.getByText("All 2 items on this page are selected.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Select all 3 matching" }));
    expect(screen.getByRole("status").textContent).toContain("All 3 matching items are selected.");
    fireEvent.click(screen.getByRole("button", { name: "Resubmit selected (3)" }));

    await screen.findByText("Done 3, refused 0.");
    // one request per page of the group, each with that page's events
    expect(posts(calls, "/api/events/resubmit").map((c) => c.body)).toEqual([{ event_ids: [E1, E2] }, { event_ids: [E3] }]);
    expect(within(screen.getByRole("list", { name: "Outcome per item" })).getByText("9884DEMOU3")).toBeTruthy();
  });
});

describe("Errors: one correction for the selected issues", () => {
  it("previews, applies, and keeps each item's outcome on screen after the list is read again", async () => {
    const { client, calls } = errorsApi((c) => {
      if (c.url !== "/api/events/repair/bulk") return undefined;
      const body = c.body as { event_ids: string[]; preview?: boolean };
      if (body.preview) {
        return json(200, { items: body.event_ids.map((id) => ({ id, outcome: "would_pass", ok: true, message: "", preview: null })),
          would_pass: body.event_ids.length, would_fail: 0, refused: 0 });
      }
      return json(200, { items: body.event_ids.map((id) => ({ id, outcome: "repaired", ok: true, message: "version 2 queued" })),
        ok: body.event_ids.length, refused: 0 });
    });
    render(<Providers client={client}><Errors params={new URLSearchParams("kind=rule&key=SR-EC-023")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Items of SR-EC-023" });
    fireEvent.click(within(table).getByRole("checkbox", { name: "Select 9884DEMOU1" }));
    fireEvent.click(within(table).getByRole("checkbox", { name: "Select 9884DEMOU2" }));
    const bulk = within(await screen.findByRole("region", { name: "Correct 2 items at once" }));
    fireEvent.change(bulk.getByLabelText("New value for legs[0].notional.currency"), { target: { value: "KRW" } });
    fireEvent.click(bulk.getByRole("button", { name: "Preview" }));
    await bulk.findByText("Would pass: 2. Would still fail: 0. Cannot be repaired: 0.");
    fireEvent.click(bulk.getByRole("button", { name: "Apply to 2" }));

    await screen.findByText("Done 2, refused 0.");
    const sent = posts(calls, "/api/events/repair/bulk").map((c) => c.body);
    expect(sent).toEqual([
      { event_ids: [E1, E2], changes: [{ field: "legs[0].notional.currency", value: "KRW", current: "KRX" }], preview: true },
      { event_ids: [E1, E2], changes: [{ field: "legs[0].notional.currency", value: "KRW", current: "KRX" }] },
    ]);
    // the list is read again; the outcomes stay until another selection
    await waitFor(() => expect(calls.filter((c) => c.url.startsWith("/api/errors/rule/SR-EC-023")).length).toBe(2));
    expect(screen.getByRole("list", { name: "Outcome per item" })).toBeTruthy();
  });
});

describe("Errors: assign and resolve", () => {
  it("assigns and resolves the selected open issues with the bodies the API takes", async () => {
    const { client, calls } = errorsApi((c) => {
      const ids = (c.body as { issue_ids?: number[] } | undefined)?.issue_ids ?? [];
      if (c.url === "/api/issues/assign")
        return json(200, { items: ids.map((id) => ({ id: String(id), outcome: "assigned", ok: true, message: "to park" })), ok: ids.length, refused: 0 });
      if (c.url === "/api/issues/resolve")
        return json(200, { items: ids.map((id) => ({ id: String(id), outcome: "resolved", ok: true, message: "" })), ok: ids.length, refused: 0 });
      return undefined;
    });
    render(<Providers client={client}><Errors params={new URLSearchParams("kind=rule&key=SR-EC-023")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Items of SR-EC-023" });
    // status and assignee are in the table; a resolved issue cannot be selected
    const kim = within(table).getByText("kim").closest("tr")!;
    expect(within(kim).getByText("Assigned")).toBeTruthy();
    expect(within(table).queryByRole("checkbox", { name: "Select 9884DEMOU3" })).toBeNull();

    fireEvent.click(within(table).getByRole("checkbox", { name: "Select all" }));
    const assignee = screen.getByLabelText("Assignee") as HTMLInputElement;
    expect(assignee.value).toBe("demo-admin"); // the signed-in user by default
    fireEvent.change(assignee, { target: { value: "  park " } });
    fireEvent.click(screen.getByRole("button", { name: "Assign selected (2)" }));
    await screen.findByText("Done 2, refused 0.");
    expect(posts(calls, "/api/issues/assign").map((c) => c.body)).toEqual([{ issue_ids: [21, 22], assignee: "park" }]);

    fireEvent.click(within(table).getByRole("checkbox", { name: "Select 9884DEMOU1" }));
    fireEvent.click(screen.getByRole("button", { name: "Resolve selected (1)" }));
    await waitFor(() => expect(posts(calls, "/api/issues/resolve")).toHaveLength(1));
    expect(posts(calls, "/api/issues/resolve")[0].body).toEqual({ issue_ids: [21] }); // a blank note is left out

    fireEvent.click(within(table).getByRole("checkbox", { name: "Select 9884DEMOU2" }));
    fireEvent.change(screen.getByLabelText("Resolution note (optional)"), { target: { value: "accepted: TR fixed its table" } });
    fireEvent.click(screen.getByRole("button", { name: "Resolve selected (1)" }));
    await waitFor(() => expect(posts(calls, "/api/issues/resolve")).toHaveLength(2));
    expect(posts(calls, "/api/issues/resolve")[1].body).toEqual({ issue_ids: [22], note: "accepted: TR fixed its table" });
  });

  it("filters the issues by status through the API", async () => {
    const { client, calls } = errorsApi();
    render(<Providers client={client}><Errors params={new URLSearchParams("kind=rule&key=SR-EC-023&status=assigned")} /></Providers>);
    await screen.findByRole("table", { name: "Items of SR-EC-023" });
    const asked = calls.find((c) => c.url.startsWith("/api/errors/rule/"))!;
    expect(new URL(asked.url, "http://x").searchParams.get("status")).toBe("assigned");
    expect((screen.getByLabelText("Issue status") as HTMLSelectElement).value).toBe("assigned");
    fireEvent.change(screen.getByLabelText("Issue status"), { target: { value: "open" } });
    expect(window.location.hash).toBe("#/errors?kind=rule&key=SR-EC-023&status=open");
  });

  it("shows the rule's explanation above its issues and in the group list", async () => {
    const { client } = errorsApi();
    render(<Providers client={client}><Errors params={new URLSearchParams("kind=rule&key=SR-EC-023")} /></Providers>);
    const card = await screen.findByRole("note", { name: "Rule SR-EC-023" });
    expect(card.textContent).toContain("Currencies are ISO 4217 codes");
    expect(card.textContent).toContain("leg 1 notional currency");
    expect(card.textContent).toContain("Every regime");
    const group = screen.getByRole("link", { name: /SR-EC-023/ });
    expect(group.textContent).toContain("2 open of 3");
    await waitFor(() => expect(group.textContent).toContain("Currencies are ISO 4217 codes"));
  });
});

describe("Errors: a viewer", () => {
  it("sees the rows but no checkbox, resubmit, assign or resolve", async () => {
    const { client, calls } = errorsApi();
    const { unmount } = render(<Providers client={client} user={VIEWER}><Errors params={new URLSearchParams("kind=tr_code&key=E042")} /></Providers>);
    await screen.findByRole("table", { name: "Items of E042" });
    expect(screen.getAllByText("bad notional").length).toBeGreaterThan(0);
    expect(screen.queryAllByRole("checkbox")).toHaveLength(0);
    expect(screen.queryByRole("button", { name: /Resubmit/ })).toBeNull();
    unmount();

    render(<Providers client={client} user={VIEWER}><Errors params={new URLSearchParams("kind=rule&key=SR-EC-023")} /></Providers>);
    await screen.findByRole("table", { name: "Items of SR-EC-023" });
    expect(screen.queryAllByRole("checkbox")).toHaveLength(0);
    expect(screen.queryByRole("button", { name: /Assign|Resolve/ })).toBeNull();
    expect(screen.queryByLabelText("Assignee")).toBeNull();
    expect(screen.getByLabelText("Issue status")).toBeTruthy(); // reading filters stay
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
  });
});
