import { describe, expect, it } from "vitest";
import { fillBuckets, periodFor } from "../periods";

const FRIDAY = new Date(2026, 10, 20, 15, 30); // Friday 20 November 2026, local time

describe("trend periods", () => {
  it("asks for 14 days up to today", () => {
    const p = periodFor("day", FRIDAY);
    expect([p.from, p.to, p.starts.length, p.starts.at(-1)]).toEqual(["2026-11-07", "2026-11-20", 14, "2026-11-20"]);
  });

  it("starts weeks on Monday, as the API's date_trunc('week')", () => {
    const p = periodFor("week", FRIDAY);
    expect([p.from, p.to]).toEqual(["2026-08-31", "2026-11-20"]);
    expect(p.starts.slice(-2)).toEqual(["2026-11-09", "2026-11-16"]);
    expect(periodFor("week", new Date(2026, 10, 22)).starts.at(-1)).toBe("2026-11-16"); // a Sunday
    expect(periodFor("week", new Date(2026, 10, 16)).starts.at(-1)).toBe("2026-11-16"); // the Monday itself
  });

  it("counts months back across a year end", () => {
    const p = periodFor("month", FRIDAY);
    expect([p.from, p.starts[1], p.starts.at(-1), p.starts.length]).toEqual(["2025-12-01", "2026-01-01", "2026-11-01", 12]);
  });

  it("fills the buckets the API left out with zeros, keyed by local date", () => {
    const p = periodFor("week", FRIDAY);
    const filled = fillBuckets(p, [{ start: "2026-11-09T00:00:00+09:00", total: 5 }], (start) => ({ start, total: 0 }));
    expect(filled).toHaveLength(12);
    expect(filled.map((b) => b.total).slice(-3)).toEqual([0, 5, 0]);
  });
});
