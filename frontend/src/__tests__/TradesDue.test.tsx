import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import Trades from "../screens/Trades";
import { fakeClient, json, Providers } from "./fakeApi";

// The dashboard's Late / At risk tiles link to #/trades?due=...: the list must ask the API for
// the same trades the tile counted (GET /api/trades?due=late), not every trade.
describe("Trades linked from the dashboard's deadline tiles", () => {
  it.each(["late", "at_risk"])("sends due=%s from the URL to the API", async (due) => {
    const { client, calls } = fakeClient(() => json(200, { items: [], next_cursor: null }));
    render(<Providers client={client}><Trades params={new URLSearchParams(`due=${due}`)} /></Providers>);
    await screen.findByRole("heading", { name: "Trades" });
    await screen.findByText(/No|End/);
    expect(new URL(calls[0].url, "http://x").searchParams.get("due")).toBe(due);
  });

  it("ignores a due value the API does not know", async () => {
    const { client, calls } = fakeClient(() => json(200, { items: [], next_cursor: null }));
    render(<Providers client={client}><Trades params={new URLSearchParams("due=someday")} /></Providers>);
    await screen.findByText(/No|End/);
    expect(new URL(calls[0].url, "http://x").searchParams.get("due")).toBeNull();
  });
});
