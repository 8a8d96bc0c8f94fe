// The trades list as the user left it, kept for the browser tab (sessionStorage): the rows
// loaded, the cursor, the total and the scroll position per query, and the last list's href
// (for "back to trades" links). Its own module: the trade detail imports it without the list.
import type { Schemas } from "../../api/types/spec";
import { href } from "../../router";

const STATE_KEY = "swaprep.trades.list:"; // + the query: rows, cursor, total, scroll
export const LAST_KEY = "swaprep.trades.last"; // the href of the list last shown

export interface Saved {
  rows: Schemas["TradeListItem"][];
  cursor: string | null;
  total: number | null;
  capped: boolean;
  scrollY: number;
}

export function readSaved(key: string): Saved | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STATE_KEY + key) ?? "null") as Saved | null;
    return saved && Array.isArray(saved.rows) ? saved : null;
  } catch {
    return null; // damaged: load afresh
  }
}

export function writeSaved(key: string, saved: Saved): void {
  try {
    sessionStorage.setItem(STATE_KEY + key, JSON.stringify(saved));
  } catch {
    // full or unavailable: a return to the list then loads its first page
  }
}

/** The trades list as the user left it (filters and order), for "back to trades" links. */
export function lastTradesHref(): string {
  try {
    return sessionStorage.getItem(LAST_KEY) ?? href("/trades");
  } catch {
    return href("/trades");
  }
}

