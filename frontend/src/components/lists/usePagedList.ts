import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client";
import { useApi } from "../../api/context";

type Query = Record<string, string | number | string[] | undefined>;

interface Page<T> {
  items: T[];
  next_cursor: string | null;
  total?: number;
  total_capped?: boolean;
}

export interface PagedList<T> {
  rows: T[];
  cursor: string | null;
  /** The whole selection's size when the API counts it (`capped`: at least that many). */
  total: number | null;
  capped: boolean;
  loading: boolean;
  error: ApiError | null;
  /** The next page after the API's cursor, with the same filters (the API binds cursors to them). */
  loadMore: () => void;
  retry: () => void;
  /** The first page again, shown in place of the rows when it arrives (they stay meanwhile). */
  refresh: () => void;
  /** Replace rows in place (after a change the API confirmed), without reloading the list. */
  update: (change: (row: T) => T) => void;
}

const PAGE = 50;

/** A keyset-paged list: the first page when the filters change, "load more" appends the next.
 * An answer for filters that changed meanwhile is dropped. */
export function usePagedList<T>(path: string, query: Query, pageSize: number = PAGE): PagedList<T> {
  const api = useApi();
  const key = path + JSON.stringify(query);
  const [rows, setRows] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [total, setTotal] = useState<{ n: number | null; capped: boolean }>({ n: null, capped: false });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const generation = useRef(0);
  const current = useRef({ path, query });
  current.current = { path, query };

  const load = useCallback(
    async (after: string | null) => {
      const mine = after === null ? ++generation.current : generation.current;
      setLoading(true);
      setError(null);
      try {
        const { path: p, query: q } = current.current;
        const page = await api.get<Page<T>>(p, { ...q, limit: pageSize, cursor: after ?? undefined });
        if (mine !== generation.current) return;
        setRows((old) => (after === null ? page.items : [...old, ...page.items]));
        setCursor(page.next_cursor);
        setTotal({ n: page.total ?? null, capped: page.total_capped ?? false });
      } catch (exc) {
        if (mine !== generation.current) return;
        setError(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [api, pageSize],
  );

  useEffect(() => {
    setRows([]);
    setCursor(null);
    setTotal({ n: null, capped: false });
    void load(null);
  }, [key, attempt, load]);

  return {
    rows,
    cursor,
    total: total.n,
    capped: total.capped,
    loading,
    error,
    loadMore: () => cursor && void load(cursor),
    retry: () => setAttempt((a) => a + 1),
    refresh: () => void load(null),
    update: (change) => setRows((old) => old.map(change)),
  };
}
