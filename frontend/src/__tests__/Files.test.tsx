import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import Files from "../screens/Files";
import { fakeClient, json, Providers, VIEWER, type Call } from "./fakeApi";

// A demo file: 3,100 rows, 25 re-sent (duplicates of earlier rows' events), 69 parse errors.
const FILE = {
  id: "f1", bucket: "in", object_key: "demo-bank/2026-11-20/fep-demo-irs-fx.csv", sha256: "x", size_bytes: 1, format: "csv",
  profile: null, source: null, status: "parsed", reject_reason: null, row_count: 3100, chunk_count: 1,
  received_at: "2026-11-20T00:00:00Z", parsed_at: null, updated_at: "2026-11-20T00:00:00Z",
  rows_by_state: { event: 3031, parse_error: 69 }, events_by_state: { acked: 2850, nacked: 20, invalid: 136 },
  parse_errors: 69, duplicates: 25,
};

function filesApi() {
  return fakeClient((c: Call) => {
    const path = new URL(c.url, "http://x").pathname;
    if (path === "/api/files") return json(200, { items: [FILE], next_cursor: null });
    if (path === "/api/files/f1") return json(200, FILE);
    return json(404, { title: "Not found" });
  });
}

describe("Files", () => {
  it("counts events without the re-sent rows and links a file's parse errors to its errors group", async () => {
    const { client } = filesApi();
    render(<Providers client={client} user={VIEWER}><Files /></Providers>);
    const table = await screen.findByRole("table", { name: "Files" });
    const row = within(table).getAllByRole("row")[1];
    expect(row.textContent).toContain("acked 2850 · nacked 20 · invalid 136");
    const link = within(row).getByRole("link", { name: /^69 ?\(See the 69 parse errors\)$/ });
    expect(link.getAttribute("href")).toBe("#/errors?kind=parse&key=f1");
  });

  it("shows only today's files when the dashboard's parse-error tile sent the user here", async () => {
    const { client, calls } = filesApi();
    const now = new Date();
    render(<Providers client={client} user={VIEWER}><Files params={new URLSearchParams("received=today")} /></Providers>);
    await screen.findByRole("table", { name: "Files" });
    const asked = new URL(calls.find((c) => c.url.startsWith("/api/files"))!.url, "http://x").searchParams;
    const from = new Date(asked.get("received_from")!);
    const to = new Date(asked.get("received_to")!);
    // the browser's own calendar day, as the dashboard's "today" tiles count it
    expect([from.getFullYear(), from.getMonth(), from.getDate(), from.getHours(), from.getMinutes()])
      .toEqual([now.getFullYear(), now.getMonth(), now.getDate(), 0, 0]);
    expect(to.getTime() - from.getTime()).toBeGreaterThanOrEqual(23 * 3600_000);
    expect(screen.getByRole("status").textContent).toMatch(/^Only the files received today/);
    expect(screen.getByRole("link", { name: "All files" }).getAttribute("href")).toBe("#/files");
  });

  it("opens a file's detail with its rows by state, focused, and gives the focus back on close", async () => {
    const { client, calls } = filesApi();
    render(<Providers client={client} user={VIEWER} lang="ko"><Files /></Providers>);
    const button = await screen.findByRole("button", { name: "demo-bank/2026-11-20/fep-demo-irs-fx.csv 상세" });
    fireEvent.click(button);
    const heading = await screen.findByRole("heading", { name: "파일 demo-bank/2026-11-20/fep-demo-irs-fx.csv" });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(calls.some((c) => c.url.startsWith("/api/files/f1"))).toBe(true);
    expect((await screen.findByTestId("detail-rows")).textContent).toBe("이벤트 생성 3031 · 파싱 오류 69");
    expect(screen.getByText("재전송된 중복 행은 이벤트로 다시 세지 않습니다.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "닫기" }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "demo-bank/2026-11-20/fep-demo-irs-fx.csv 상세" })));
    expect(screen.queryByRole("heading", { name: /^파일 demo/ })).toBeNull();
  });
});
