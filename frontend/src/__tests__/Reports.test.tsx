import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import ReportDetail from "../screens/ReportDetail";
import Reports from "../screens/Reports";
import { fakeClient, json, Providers, VIEWER } from "./fakeApi";

const report = (n: number, extra: Record<string, unknown> = {}) => ({
  id: `00000000-0000-0000-0000-00000000000${n}`, regime: "krx", tr: "sim", object_key: `demo/krx/report-${n}.xml`,
  record_count: 3, status: "partially_acked", tr_message_id: `MSG-${n}`, reject_code: null, reject_reason: null,
  created_at: "2026-11-20T01:00:00+00:00", submitted_at: "2026-11-20T01:05:00+00:00", feedback_at: "2026-11-20T01:10:00+00:00",
  updated_at: "2026-11-20T01:10:00+00:00", items_by_status: { pending: 0, acked: 2, nacked: 1 },
  submissions: [
    { attempt: 1, started_at: "2026-11-20T01:04:00+00:00", finished_at: "2026-11-20T01:04:01+00:00", http_status: 503,
      tr_message_id: null, outcome: "retry", error: "TR busy" },
    { attempt: 2, started_at: "2026-11-20T01:05:00+00:00", finished_at: "2026-11-20T01:05:01+00:00", http_status: 202,
      tr_message_id: `MSG-${n}`, outcome: "accepted", error: null },
  ],
  ...extra,
});

const url = (u: string) => new URL(u, "http://x");

afterEach(() => {
  vi.restoreAllMocks();
  window.location.hash = "";
});

describe("Reports list", () => {
  it("shows each file's TR outcome and pages with the cursor, keeping the URL's filters", async () => {
    const { client, calls } = fakeClient((c) =>
      url(c.url).searchParams.get("cursor") === "c1"
        ? json(200, { items: [report(3)], next_cursor: null })
        : json(200, { items: [report(1), report(2, { status: "rejected", reject_code: "E042" })], next_cursor: "c1" }),
    );
    const params = new URLSearchParams("status=acked,rejected,bogus&regime=krx&created_from=2026-11-01&created_to=2026-11-20");
    render(<Providers client={client}><Reports params={params} /></Providers>);

    const table = await screen.findByRole("table", { name: "Report files" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain("ACK 2");
    expect(rows[0].textContent).toContain("NACK 1");
    expect(rows[0].textContent).toContain("MSG-1");
    expect(rows[0].textContent).toContain("2 · Accepted, HTTP 202"); // two attempts, the last accepted
    expect(rows[1].textContent).toContain("Rejected");
    expect(rows[1].textContent).toContain("E042");

    const first = url(calls[0].url);
    expect(first.pathname).toBe("/api/reports");
    expect(first.searchParams.get("status")).toBe("acked,rejected"); // an unknown value never reaches the API
    expect(first.searchParams.get("regime")).toBe("krx");
    // Local days become the instants bounding them; "to" includes its whole day.
    expect(first.searchParams.get("created_from")).toBe(new Date(2026, 10, 1).toISOString());
    expect(first.searchParams.get("created_to")).toBe(new Date(2026, 10, 21).toISOString());
    expect(first.searchParams.get("cursor")).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await screen.findByText("MSG-3");
    const second = url(calls[1].url);
    expect(second.searchParams.get("cursor")).toBe("c1");
    expect(second.searchParams.get("status")).toBe("acked,rejected");
    expect(within(table).getAllByRole("row")).toHaveLength(4);
    expect(screen.getByText("End of list")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("opens a file with Enter", async () => {
    const { client } = fakeClient(() => json(200, { items: [report(1)], next_cursor: null }));
    render(<Providers client={client}><Reports params={new URLSearchParams()} /></Providers>);
    const row = (await screen.findAllByRole("row"))[1];
    row.focus();
    fireEvent.keyDown(row, { key: "Enter" });
    expect(window.location.hash).toBe(`#/reports/${report(1).id}`);
  });

  it("applies the filter form through the URL", async () => {
    const { client } = fakeClient(() => json(200, { items: [], next_cursor: null }));
    render(<Providers client={client}><Reports params={new URLSearchParams()} /></Providers>);
    fireEvent.click(await screen.findByRole("checkbox", { name: "ACK" }));
    fireEvent.change(screen.getByLabelText("TR message id"), { target: { value: " MSG-7 " } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(window.location.hash).toBe("#/reports?status=acked&tr_message_id=MSG-7");
  });

  it("keeps the table with its caption when nothing matches, and says so", async () => {
    const { client } = fakeClient(() => json(200, { items: [], next_cursor: null }));
    render(<Providers client={client}><Reports params={new URLSearchParams()} /></Providers>);
    await screen.findByText("No report files match.");
    expect(screen.getByRole("table", { name: "Report files" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });
});

describe("Report detail", () => {
  it("lists the submission attempts and the TR's feedback", async () => {
    const { client } = fakeClient(() => json(200, report(1, { reject_code: "E042", reject_reason: "bad LEI" })));
    render(<Providers client={client}><ReportDetail id={report(1).id} /></Providers>);
    const subs = await screen.findByRole("table", { name: "Submissions" });
    const rows = within(subs).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain("503");
    expect(rows[0].textContent).toContain("To retry");
    expect(rows[0].textContent).toContain("TR busy");
    expect(rows[1].textContent).toContain("Accepted");
    const feedback = screen.getByRole("region", { name: "TR feedback" });
    expect(feedback.textContent).toContain("E042 bad LEI");
    expect(feedback.textContent).toContain("NACK 1");
  });

  it("downloads through a fresh presigned URL and shows when the link expires (viewers too)", async () => {
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.href);
    });
    const presigned = "https://objects.example/outbound/report-1.xml?X-Amz-Signature=abc";
    const { client, calls } = fakeClient((c) =>
      c.url.endsWith("/download")
        ? json(200, { url: presigned, file_name: "report-1.xml", regime: "krx", expires_in: 300, expires_at: "2026-11-20T02:05:00+00:00" })
        : json(200, report(1)),
    );
    render(<Providers client={client} user={VIEWER}><ReportDetail id={report(1).id} /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: "Download file" }));

    const link = await screen.findByRole("link", { name: "report-1.xml" });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toContain(`GET /api/reports/${report(1).id}/download`);
    expect(clicked).toEqual([presigned]); // the download started on its own
    expect(link.getAttribute("href")).toBe(presigned);
    const status = screen.getByRole("status");
    expect(status.textContent).toContain("link valid until");
    expect(status.querySelector("time")?.getAttribute("title")).toBe("2026-11-20T02:05:00Z (UTC)");
  });

  it("shows the API's refusal of a download with its request id", async () => {
    const { client } = fakeClient((c) =>
      c.url.endsWith("/download")
        ? json(409, { title: "Conflict", detail: "report file is building", request_id: "req-409" })
        : json(200, report(1)),
    );
    render(<Providers client={client}><ReportDetail id={report(1).id} /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: "Download file" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("409 Conflict");
    expect(alert.textContent).toContain("req-409");
    await waitFor(() => expect((screen.getByRole("button", { name: "Download file" }) as HTMLButtonElement).disabled).toBe(false));
  });

  it("offers no download before the file is written", async () => {
    const { client, calls } = fakeClient(() => json(200, report(1, { object_key: null, status: "building", submissions: [] })));
    render(<Providers client={client}><ReportDetail id={report(1).id} /></Providers>);
    const button = (await screen.findByRole("button", { name: "Download file" })) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(screen.getByText(/not written yet/)).toBeTruthy();
    expect(screen.getByText("Not submitted yet.")).toBeTruthy();
    fireEvent.click(button);
    expect(calls.filter((c) => c.url.endsWith("/download"))).toHaveLength(0);
  });

  it("says when the report file does not exist", async () => {
    const { client } = fakeClient(() => json(404, { title: "Not found", detail: "no report file x", request_id: "req-404" }));
    render(<Providers client={client}><ReportDetail id="x" /></Providers>);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("404 Not found");
    expect(alert.textContent).toContain("req-404");
  });
});
