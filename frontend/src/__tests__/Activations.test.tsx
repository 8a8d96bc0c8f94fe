import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { duration } from "../components/lists/labels";
import Activations from "../screens/Activations";
import { fakeClient, json, Providers } from "./fakeApi";

const run = (id: string, extra: Record<string, unknown> = {}) => ({
  id, action: "validate", trigger: "queue:validate", started_at: "2026-11-20T06:00:00+00:00",
  ended_at: "2026-11-20T06:00:01+00:00", duration_ms: 1234, status: "success", cold_start: true,
  result: { validated: 12, invalid: 2 }, error: null, ...extra,
});

const url = (u: string) => new URL(u, "http://x");

afterEach(() => {
  window.location.hash = "";
});

describe("Activations", () => {
  it("sends the filters from the URL and pages with the cursor", async () => {
    const { client, calls } = fakeClient((c) =>
      url(c.url).searchParams.get("cursor") ? json(200, { items: [run("a3")], next_cursor: null })
        : json(200, { items: [run("a1"), run("a2")], next_cursor: "c1" }),
    );
    render(<Providers client={client}><Activations params={new URLSearchParams("action=validate&status=timeout,developer_error&started_from=2026-11-20")} /></Providers>);
    await screen.findByRole("table", { name: "Activations" });
    const q = url(calls[0].url).searchParams;
    expect(url(calls[0].url).pathname).toBe("/api/activations");
    expect(q.get("action")).toBe("validate");
    expect(q.get("status")).toBe("timeout,developer_error");
    expect(q.get("started_from")).toBe(new Date(2026, 10, 20).toISOString());
    expect(q.get("started_to")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(screen.getByRole("table")).getAllByRole("row")).toHaveLength(4));
    expect(url(calls[1].url).searchParams.get("cursor")).toBe("c1");
    expect(url(calls[1].url).searchParams.get("status")).toBe("timeout,developer_error");
  });

  it("applies the filter form through the URL", async () => {
    const { client } = fakeClient(() => json(200, { items: [], next_cursor: null }));
    render(<Providers client={client}><Activations params={new URLSearchParams()} /></Providers>);
    fireEvent.change(await screen.findByLabelText("Action"), { target: { value: "submit" } });
    fireEvent.click(screen.getByRole("checkbox", { name: "Timed out" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "Application error" }));
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(window.location.hash).toBe("#/activations?action=submit&status=timeout%2Capplication_error");
  });

  it("shows how each run went: duration, cold start, the error in full on demand, the result", async () => {
    const traceback = "TimeoutError: the TR did not answer in 30 s\n  File \"submit.py\", line 88";
    const { client } = fakeClient(() => json(200, { items: [
      run("a1"),
      run("a2", { action: "submit", status: "timeout", duration_ms: 30_000, cold_start: false, result: null, error: traceback }),
    ], next_cursor: null }));
    render(<Providers client={client}><Activations params={new URLSearchParams()} /></Providers>);
    const table = await screen.findByRole("table", { name: "Activations" });
    const [ok, failed] = within(table).getAllByRole("row").slice(1);
    expect(ok.textContent).toContain("1.2 s");
    expect(ok.textContent).toContain("Yes");
    expect(ok.textContent).toContain("Success");
    expect(within(ok).getByText("Result").closest("details")!.textContent).toContain('"validated": 12');

    expect(failed.textContent).toContain("Timed out");
    expect(failed.textContent).toContain("30.0 s");
    expect(failed.textContent).toContain("No");
    const error = within(failed).getByText("TimeoutError: the TR did not answer in 30 s").closest("details")!;
    expect(error.querySelector("pre")!.textContent).toBe(traceback);
  });

  it("shows a failed load with its request id, and tries again", async () => {
    let fail = true;
    const { client, calls } = fakeClient(() =>
      fail ? json(503, { title: "Service unavailable", request_id: "req-503" }) : json(200, { items: [run("a1")], next_cursor: null }),
    );
    render(<Providers client={client}><Activations params={new URLSearchParams()} /></Providers>);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("req-503");
    fail = false;
    fireEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    await screen.findByRole("table", { name: "Activations" });
    expect(calls).toHaveLength(2);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("duration", () => {
  it("reads as people say it", () => {
    expect(duration(850)).toBe("850 ms");
    expect(duration(12_400)).toBe("12.4 s");
    expect(duration(185_000)).toBe("3 min 5 s");
    expect(duration(null)).toBe("—");
  });
});
