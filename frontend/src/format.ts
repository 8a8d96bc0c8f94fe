/** The user's IANA zone for the API's `tz` (local days); Seoul when the browser does not say. */
export function userZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && zone.includes("/") ? zone : zone === "UTC" ? "UTC" : "Asia/Seoul";
}

/** A local calendar date as YYYY-MM-DD, `daysBack` days before today. */
export function localDate(daysBack = 0, now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysBack);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)} %`;
}

export const number = (n: number | null | undefined): string => (n ?? 0).toLocaleString();

/** The browser's calendar day as an instant range [from, to) for list filters
 * (`received_from`, `received_to`): the dashboard's "today" tiles count the same day. */
export function todayRange(now = new Date()): { received_from: string; received_to: string } {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return { received_from: start.toISOString(), received_to: end.toISOString() };
}
