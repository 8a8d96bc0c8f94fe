// The dashboard's trend periods: which local days to ask the stats API for, and the buckets
// to expect back (the API leaves out empty ones; a chart needs them as zero).

export type Unit = "day" | "week" | "month";
export const UNITS: Unit[] = ["day", "week", "month"];
/** How many buckets each trend shows: two weeks of days, a quarter of weeks, a year of months. */
export const BUCKETS: Record<Unit, number> = { day: 14, week: 12, month: 12 };

const pad = (n: number) => String(n).padStart(2, "0");
export const isoDay = (d: Date): string => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** The local start of the bucket holding `day`: the day, its week's Monday (as the API's
 * date_trunc('week')), or the first of its month. */
function bucketStart(unit: Unit, day: Date): Date {
  if (unit === "week") return new Date(day.getFullYear(), day.getMonth(), day.getDate() - ((day.getDay() + 6) % 7));
  if (unit === "month") return new Date(day.getFullYear(), day.getMonth(), 1);
  return new Date(day.getFullYear(), day.getMonth(), day.getDate());
}

function step(unit: Unit, start: Date, n: number): Date {
  if (unit === "month") return new Date(start.getFullYear(), start.getMonth() + n, 1);
  return new Date(start.getFullYear(), start.getMonth(), start.getDate() + n * (unit === "week" ? 7 : 1));
}

export interface Period {
  unit: Unit;
  /** date_from and date_to for the API: local days, inclusive (to is today). */
  from: string;
  to: string;
  /** Every bucket's first day, oldest first. */
  starts: string[];
}

/** The last `BUCKETS[unit]` buckets up to and including today's. */
export function periodFor(unit: Unit, now = new Date()): Period {
  const current = bucketStart(unit, now);
  const count = BUCKETS[unit];
  const starts = Array.from({ length: count }, (_, i) => isoDay(step(unit, current, i - count + 1)));
  return { unit, from: starts[0], to: isoDay(now), starts };
}

/** The API's buckets (keyed by the local date their `start` begins with) laid on every
 * expected start; a missing one is `empty`. */
export function fillBuckets<B extends { start: string }>(period: Period, buckets: B[], empty: (start: string) => B): B[] {
  const byDay = new Map(buckets.map((b) => [b.start.slice(0, 10), b]));
  return period.starts.map((day) => byDay.get(day) ?? empty(day));
}
