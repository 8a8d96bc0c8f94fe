import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import Trades from "../screens/Trades";
import { fakeClient, json, Providers } from "./fakeApi";

const trade = (n: number, state = "acked") => ({
  uti: `9884DEMO${String(n).padStart(6, "0")}`, trade_id: `T${n}`, asset_class: "INTR", counterparty_2: "LEI2",
  counterparty_2_name: "Alpha Global Bank", state, last_action_type: "NEWT", regimes: ["krx"],
  executed_at: "2026-11-20T01:00:00Z", updated_at: "2026-11-20T02:00:00Z",
});

describe("Trades table", () => {
  it("pages with the API's cursor and sends the URL's filters", async () => {
    const { client, calls } = fakeClient((c) =>
      c.url.includes("cursor=c1")
        ? json(200, { items: [trade(3)], next_cursor: null })
        : json(200, { items: [trade(1), trade(2, "nacked")], next_cursor: "c1" }),
    );
    render(<Providers client={client}><Trades params={new URLSearchParams("state=acked,nacked&q=9884")} /></Providers>);
    const table = await screen.findByRole("table", { name: "Trades" });
    expect(within(table).getAllByRole("row")).toHaveLength(3); // header + 2
    const first = new URL(calls[0].url, "http://x");
    expect(first.pathname).toBe("/api/trades");
    expect(first.searchParams.get("state")).toBe("acked,nacked");
    expect(first.searchParams.get("q")).toBe("9884");
    expect(first.searchParams.get("cursor")).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await screen.findByText("9884DEMO000003");
    expect(new URL(calls[1].url, "http://x").searchParams.get("cursor")).toBe("c1");
    expect(screen.getAllByRole("row")).toHaveLength(4);
    expect(screen.getByText("End of list")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("opens a trade with Enter and moves between rows with the arrow keys", async () => {
    const { client } = fakeClient(() => json(200, { items: [trade(1), trade(2)], next_cursor: null }));
    render(<Providers client={client}><Trades params={new URLSearchParams()} /></Providers>);
    const rows = (await screen.findAllByRole("row")).slice(1);
    rows[0].focus();
    fireEvent.keyDown(rows[0], { key: "ArrowDown" });
    expect(document.activeElement).toBe(rows[1]);
    fireEvent.keyDown(rows[1], { key: "Enter" });
    expect(window.location.hash).toBe("#/trades/9884DEMO000002");
  });

  it("shows times in the user's zone with UTC in the title", async () => {
    const { client } = fakeClient(() => json(200, { items: [trade(1)], next_cursor: null }));
    render(<Providers client={client}><Trades params={new URLSearchParams()} /></Providers>);
    await screen.findByRole("table");
    const times = document.querySelectorAll("time");
    expect(times[0].getAttribute("title")).toBe("2026-11-20T01:00:00Z (UTC)");
  });

  it("says when there are no trades", async () => {
    const { client } = fakeClient(() => json(200, { items: [], next_cursor: null }));
    render(<Providers client={client}><Trades params={new URLSearchParams()} /></Providers>);
    await screen.findByText("Nothing here yet.");
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("shows the API's problem with its detail, the parameter and the request id", async () => {
    const { client } = fakeClient(() =>
      json(422, { title: "Invalid query parameters", detail: "executed_from must not be after executed_to",
        errors: [{ parameter: "executed_from", message: "must not be after executed_to" }], request_id: "req-42" }),
    );
    render(<Providers client={client}><Trades params={new URLSearchParams()} /></Providers>);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("422 Invalid query parameters");
    expect(alert.textContent).toContain("executed_from must not be after executed_to");
    expect(alert.textContent).toContain("req-42");
    await waitFor(() => expect(screen.queryByRole("status")).toBeNull());
  });
});
