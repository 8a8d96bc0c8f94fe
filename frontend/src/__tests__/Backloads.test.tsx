// The Back-loads screen (issue 17 item 6): the dry run's diff before anything is created, a job held
// for a second admin, the jobs' progress with pause / resume / cancel, and what a viewer sees.
import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { User } from "../api/client";
import Backloads from "../screens/Backloads";
import { ADMIN, fakeClient, json, Providers, VIEWER, type Call } from "./fakeApi";

const T0 = "2026-12-01T09:00:00+00:00";
const T1 = "2026-12-01T09:01:40+00:00";
const progress = { worked: 200, total: 1000, percent: 20, rate_per_s: 2, eta: "2026-12-01T09:08:20+00:00" };
const RUNNING = {
  id: "j-1", reason: "EMIR Refit", regimes: ["emir"], asset_class: null, as_of: T0, status: "running", total: 1000,
  done: 190, skipped: 10, cursor_uti: "U190", batch_size: 100, rate_per_s: 50, created_by: "ada", created_at: T0,
  started_at: T0, finished_at: null, updated_at: T1, last_error: null, progress,
};
const PLAN = {
  total: 1000, regimes: [], asset_class: null, as_of: T0, actions: { MODI: 1000 }, sample_size: 2, sample_refused: 1,
  sample: [
    { uti: "UTI-1", changes: [{ field: "action_type", before: "NEWT", after: "MODI" }, { field: "event_type", before: "TRAD", after: "UPDT" }] },
    { uti: "UTI-2", errors: [{ code: "SR-1", message: "LEI has no valid check digits" }] },
  ],
};
const HELD = {
  status: "pending_approval",
  approval: { id: "a-1", kind: "backload", events: 1000, request: { reason: "EMIR Refit" }, requested_by: "u1",
    requested_by_name: "demo-admin", requested_at: T0, expires_at: "2026-12-04T09:00:00+00:00", status: "pending" },
};

function backloadsApi(jobs: Record<string, unknown>[], onPost?: (c: Call) => Response | undefined) {
  return fakeClient((c) => {
    const url = new URL(c.url, "http://x");
    if (c.method === "GET" && url.pathname === "/api/backloads") return json(200, { items: jobs });
    return onPost?.(c) ?? json(404, { title: "Not found" });
  });
}

const renderAs = (client: ReturnType<typeof fakeClient>["client"], user: User, lang: "en" | "ko" = "en") =>
  render(<Providers client={client} user={user} lang={lang}><Backloads /></Providers>);

describe("Backloads", () => {
  it("plans first (the dry run's counts and field differences), then a large job waits for approval", async () => {
    const { client, calls } = backloadsApi([], (c) => {
      if (c.url.endsWith("/api/backloads/plan")) return json(200, PLAN);
      if (c.url.endsWith("/api/backloads")) return json(202, HELD);
      return undefined;
    });
    renderAs(client, ADMIN);
    const create = screen.getByRole("button", { name: "Create the job" }) as HTMLButtonElement;
    expect(create.disabled).toBe(true); // nothing is created before its dry run was seen
    fireEvent.click(screen.getByLabelText("EMIR"));
    fireEvent.change(screen.getByLabelText("Reason"), { target: { value: "EMIR Refit" } });
    fireEvent.click(screen.getByRole("button", { name: "Plan (dry run)" }));
    const plan = within(await screen.findByTestId("backload-plan"));
    expect(plan.getByText("1,000 open trade(s) would be reported again.")).toBeTruthy();
    expect(plan.getByText("MODI/UPDT · 1,000")).toBeTruthy();
    expect(plan.getByText(/1 of them would be refused/)).toBeTruthy();
    expect(plan.getByText("UTI-1").parentElement!.textContent).toContain("action_type: NEWT → MODI");
    expect(plan.getByText(/LEI has no valid check digits/)).toBeTruthy();
    expect(calls.find((c) => c.url.endsWith("/plan"))!.body).toEqual({ regimes: ["emir"], sample: 5 });

    fireEvent.click(create);
    const held = await screen.findByTestId("held");
    expect(held.textContent).toContain("another user must approve it");
    expect(calls.find((c) => c.method === "POST" && c.url.endsWith("/api/backloads"))!.body).toEqual(
      { regimes: ["emir"], reason: "EMIR Refit", batch_size: 500 });
  });

  it("shows each job's progress, rate and ETA, and pauses a running one", async () => {
    const { client, calls } = backloadsApi([RUNNING], (c) =>
      c.url.endsWith("/pause") ? json(200, { ...RUNNING, status: "paused" }) : undefined);
    renderAs(client, ADMIN);
    const bar = await screen.findByRole("progressbar", { name: "200 of 1,000 trades" });
    expect(bar.getAttribute("value")).toBe("200");
    const row = within(bar.closest("tr")!);
    expect(row.getByText("Running")).toBeTruthy();
    expect(bar.parentElement!.textContent).toContain("200 of 1,000 (20%) · 10 refused and skipped");
    expect(row.getByText("2/s")).toBeTruthy();
    expect(row.queryByRole("button", { name: /^Resume/ })).toBeNull(); // only from paused
    fireEvent.click(row.getByRole("button", { name: "Pause the back-load: EMIR Refit" }));
    await screen.findByRole("progressbar");
    expect(calls.some((c) => c.method === "POST" && c.url.endsWith("/api/backloads/j-1/pause"))).toBe(true);
  });

  it("lets a viewer follow the jobs, in Korean, without the form or the controls", async () => {
    const { client } = backloadsApi([{ ...RUNNING, status: "paused", last_error: "OperationalError: timeout" }]);
    renderAs(client, VIEWER, "ko");
    const bar = await screen.findByRole("progressbar");
    const row = within(bar.closest("tr")!);
    expect(row.getByText("일시 중지됨")).toBeTruthy();
    expect(row.getByText("OperationalError: timeout")).toBeTruthy();
    expect(row.queryByRole("button")).toBeNull();
    expect(screen.queryByRole("button", { name: "계획(시험 실행)" })).toBeNull();
    expect(screen.getByText(/관리자만/)).toBeTruthy();
  });
});
