import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { changesBody, RepairForm } from "../components/RepairForm";
import { APPROVALS_CHANGED } from "../api/types/approvals";
import { fakeClient, json, Providers, VIEWER } from "./fakeApi";

const EVENT = "0b6f1c2e-0000-4000-8000-000000000001";

// The fake API: a currency of three capital letters is valid, anything else breaks a rule.
function repairApi() {
  return fakeClient((c) => {
    const changes = (c.body as { changes: Record<string, string | null> }).changes;
    if (c.url.endsWith("/repair/preview")) {
      const ccy = changes["legs[0].notional.currency"];
      const valid = typeof ccy === "string" && /^[A-Z]{3}$/.test(ccy);
      return json(200, {
        event_id: EVENT, valid, errors: [],
        changed: ccy === "KRX" ? {} : { "legs[0].notional.currency": { before: "KRX", after: ccy } },
        issues: valid ? [] : [{ rule_id: "SR-CCY-001", severity: "reject", field: "legs[0].notional.currency",
          message_en: "currency must be an ISO 4217 code", message_ko: "통화는 ISO 4217 코드여야 합니다", value: ccy }],
      });
    }
    if (c.url.endsWith("/repair")) return json(200, { event_id: EVENT, new_event_id: "e2", version: 2, changed: {} });
    return json(404, { title: "Not found" });
  });
}

describe("RepairForm", () => {
  it("turns an empty value into null (clears the field) and skips blank paths", () => {
    expect(changesBody([{ field: " a.b ", value: "" }, { field: "", value: "x" }, { field: "c", value: "1" }]))
      .toEqual({ "a.b": null, c: "1" });
  });

  it("re-validates as you type and applies only a valid repair", async () => {
    const { client, calls } = repairApi();
    render(<Providers client={client}>
      <RepairForm eventId={EVENT} canApply initial={[{ field: "legs[0].notional.currency", value: "krw" }]} />
    </Providers>);
    const apply = screen.getByRole("button", { name: "Apply repair" }) as HTMLButtonElement;
    await screen.findByText(/SR-CCY-001 \[legs\[0\]\.notional\.currency\]: currency must be an ISO 4217 code/);
    expect(apply.disabled).toBe(true);

    fireEvent.change(screen.getByLabelText("New value"), { target: { value: "KRW" } });
    await screen.findByText("The repaired event passes validation.");
    await waitFor(() => expect(apply.disabled).toBe(false));
    const previews = calls.filter((c) => c.url.endsWith("/repair/preview"));
    expect(previews.at(-1)!.body).toEqual({ changes: { "legs[0].notional.currency": "KRW" } });
    expect(previews.at(-1)!.url).toBe(`/api/events/${EVENT}/repair/preview`);

    fireEvent.click(apply);
    await screen.findByText("Saved as version 2; queued for validation.");
    const saved = calls.find((c) => c.url.endsWith("/repair"))!;
    expect([saved.method, saved.body]).toEqual(["POST", { changes: { "legs[0].notional.currency": "KRW" } }]);
  });

  it("shows the API's refusal of an apply with its field errors", async () => {
    const { client } = fakeClient((c) => c.url.endsWith("/preview")
      ? json(200, { event_id: EVENT, valid: true, changed: { x: { before: "0", after: "1" } }, errors: [], issues: [] })
      : json(409, { title: "Conflict", detail: "event is superseded: repair version 2", request_id: "r-7" }));
    render(<Providers client={client}><RepairForm eventId={EVENT} canApply initial={[{ field: "x", value: "1" }]} /></Providers>);
    const apply = screen.getByRole("button", { name: "Apply repair" }) as HTMLButtonElement;
    await waitFor(() => expect(apply.disabled).toBe(false));
    fireEvent.click(apply);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("event is superseded: repair version 2");
    expect(alert.textContent).toContain("r-7");
  });

  it("shows the field's current value and keeps Apply off until a value changes", async () => {
    const { client, calls } = repairApi();
    const next: number[] = [];
    render(<Providers client={client}>
      <RepairForm eventId={EVENT} canApply initial={[{ field: "legs[0].notional.currency", value: "KRX" }]}
        onApplyNext={(v) => next.push(v)} />
    </Providers>);
    const apply = screen.getByRole("button", { name: "Apply repair" }) as HTMLButtonElement;
    const applyNext = screen.getByRole("button", { name: "Apply and next" }) as HTMLButtonElement;
    await screen.findByText("Change a value to apply a repair.");
    expect(screen.getByTestId("repair-current").textContent).toBe("Current value: KRX");
    expect([apply.disabled, applyNext.disabled]).toEqual([true, true]);

    fireEvent.change(screen.getByLabelText("New value"), { target: { value: "USD" } });
    await screen.findByText("The repaired event passes validation.");
    expect(screen.getByTestId("repair-current").textContent).toBe("Current value: KRX"); // the preview's "before"
    await waitFor(() => expect(applyNext.disabled).toBe(false));
    fireEvent.click(applyNext);
    await screen.findByText("Saved as version 2; queued for validation.");
    expect(next).toEqual([2]);
    expect(calls.filter((c) => c.url.endsWith("/repair"))).toHaveLength(1);
    // the event is superseded now: nothing more to apply to it
    expect([apply.disabled, applyNext.disabled]).toEqual([true, true]);
  });

  it("lets a viewer preview but offers no apply", async () => {
    const { client } = repairApi();
    render(<Providers client={client} user={VIEWER}>
      <RepairForm eventId={EVENT} canApply={false} initial={[{ field: "legs[0].notional.currency", value: "USD" }]} />
    </Providers>);
    await screen.findByText("The repaired event passes validation.");
    expect(screen.queryByRole("button", { name: "Apply repair" })).toBeNull();
    expect(screen.getByText("Viewers can preview a repair but not apply it.")).toBeTruthy();
  });
});

// The tenant's four-eyes policy holds the repair: the API answers 202 with the request.
const HELD = {
  status: "pending_approval",
  approval: {
    id: "a-1", kind: "repair", events: 1, request: { event_id: EVENT, changes: { "legs[0].notional.currency": "KRW" } },
    requested_by: "u1", requested_by_name: "demo-admin", requested_at: "2026-11-20T01:00:00+00:00",
    expires_at: "2026-11-21T01:00:00+00:00", status: "pending",
  },
};

function heldApi() {
  return fakeClient((c) => c.url.endsWith("/preview")
    ? json(200, { event_id: EVENT, valid: true, changed: { "legs[0].notional.currency": { before: "KRX", after: "KRW" } }, errors: [], issues: [] })
    : json(202, HELD));
}

describe("RepairForm held for approval (four eyes)", () => {
  it("says the repair waits for another user, until when, and links to the approvals; nothing saved", async () => {
    const { client, calls } = heldApi();
    const applied: number[] = [];
    const next: number[] = [];
    let changed = 0;
    const count = () => (changed += 1);
    window.addEventListener(APPROVALS_CHANGED, count);
    render(<Providers client={client}>
      <RepairForm eventId={EVENT} canApply initial={[{ field: "legs[0].notional.currency", value: "KRW" }]}
        onApplied={(v) => applied.push(v)} onApplyNext={(v) => next.push(v)} />
    </Providers>);
    const apply = screen.getByRole("button", { name: "Apply repair" }) as HTMLButtonElement;
    await waitFor(() => expect(apply.disabled).toBe(false));
    fireEvent.click(screen.getByRole("button", { name: "Apply and next" }));
    const held = await screen.findByTestId("held");
    window.removeEventListener(APPROVALS_CHANGED, count);
    // the expiry in the user's words and zone, as <Time> writes it
    const expires = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" }).format(new Date(HELD.approval.expires_at));
    expect(held.textContent).toContain(`Sent for approval: another user must approve it before ${expires}.`);
    expect(held.textContent).toContain("Nothing has changed yet (1 event(s) in the request).");
    expect(held.getAttribute("role")).toBe("status");
    expect(screen.getByRole("link", { name: "Open the approvals" }).getAttribute("href")).toBe("#/approvals");
    // not a saved version, no hand-over to the next item, and no second request by a second click
    expect(screen.queryByText(/Saved as version/)).toBeNull();
    expect([applied, next]).toEqual([[], []]);
    expect(apply.disabled).toBe(true);
    expect(calls.filter((c) => c.url.endsWith("/repair"))).toHaveLength(1);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(changed).toBe(1); // the nav's count is read again
  });

  it("says so in Korean", async () => {
    const { client } = heldApi();
    render(<Providers client={client} lang="ko">
      <RepairForm eventId={EVENT} canApply initial={[{ field: "legs[0].notional.currency", value: "KRW" }]} />
    </Providers>);
    const apply = screen.getByRole("button", { name: "수정 적용" }) as HTMLButtonElement;
    await waitFor(() => expect(apply.disabled).toBe(false));
    fireEvent.click(apply);
    const held = await screen.findByTestId("held");
    const expires = new Intl.DateTimeFormat("ko-KR", { dateStyle: "medium", timeStyle: "short" }).format(new Date(HELD.approval.expires_at));
    expect(held.textContent).toContain(`승인 요청을 보냈습니다. ${expires}까지 다른 사용자가 승인해야 실행됩니다.`);
    expect(screen.getByRole("link", { name: "승인 요청 화면 열기" })).toBeTruthy();
  });
});
