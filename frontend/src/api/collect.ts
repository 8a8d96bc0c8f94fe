import type { ApiClient } from "./client";

type Query = Record<string, string | number | string[] | null | undefined>;

export interface Collected<T> {
  rows: T[];
  /** More rows were there than `max`: the list stops at the cap. */
  capped: boolean;
  /** Stopped by `signal` before the end. */
  cancelled: boolean;
}

export interface CollectOptions {
  pageSize: number;
  max: number;
  onProgress?: (rows: number) => void;
  signal?: AbortSignal;
}

/** Every row of a keyset-paged list with the same filters (the API binds a cursor to them),
 * page by page, up to `max`. Cancelling takes effect after the page in flight. */
export async function collectPages<T>(
  api: ApiClient,
  path: string,
  query: Query,
  { pageSize, max, onProgress, signal }: CollectOptions,
): Promise<Collected<T>> {
  const rows: T[] = [];
  let cursor: string | null = null;
  do {
    if (signal?.aborted) return { rows, capped: false, cancelled: true };
    const page: { items: T[]; next_cursor: string | null } = await api.get(path, {
      ...query,
      limit: Math.min(pageSize, max - rows.length),
      cursor: cursor ?? undefined,
    });
    rows.push(...page.items);
    cursor = page.next_cursor;
    onProgress?.(Math.min(rows.length, max));
    // The API answers a cursor only when more rows follow (it reads limit + 1).
    if (rows.length >= max && cursor) return { rows: rows.slice(0, max), capped: true, cancelled: false };
  } while (cursor);
  if (signal?.aborted) return { rows, capped: false, cancelled: true };
  return { rows, capped: false, cancelled: false };
}
