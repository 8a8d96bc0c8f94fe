import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { ApiError } from "../api/client";
import { useApi } from "../api/context";
import { TRADE_SORTS, type SortOrder, type TradeSort } from "../api/types/trades";
import { ColumnChooser, useColumnChoice } from "../components/ColumnChooser";
import { Pager } from "../components/lists/Pager";
import { LAST_KEY, readSaved, writeSaved, type Saved } from "../components/lists/tradesState";
import { filtersFromParams, TradeFilters, type TradeFilterValues } from "../components/TradeFilters";
import { TradesExport } from "../components/TradesExport";
import { DEFAULT_TRADE_COLUMNS, tradeColumns, TradesTable, type TradeRow } from "../components/TradesTable";
import { Empty, Loading, ProblemBox } from "../components/States";
import { useT } from "../i18n";
import { href, navigate } from "../router";

const PAGE = 50;
const MAX_PAGE = 500; // the API's largest page: what a return to the list reloads at most
const COLUMNS_KEY = "swaprep.columns.trades";
/** The order the URL asks for (an unknown one: newest change first). */
export function sortFromParams(params: URLSearchParams): { sort: TradeSort; order: SortOrder } {
  const asked = params.get("sort");
  const sort = (TRADE_SORTS as readonly string[]).includes(asked ?? "") ? (asked as TradeSort) : "updated_at";
  const order = params.get("order");
  return { sort, order: order === "asc" || order === "desc" ? order : "desc" };
}

/** The list's URL: filters, and the order unless it is the default (newest change first). */
function listHref(filters: TradeFilterValues, sort: TradeSort, order: SortOrder): string {
  return href("/trades", { ...filters, ...(sort === "updated_at" && order === "desc" ? {} : { sort, order }) });
}

/** Trades, paged by the API's keyset cursor ("load more" appends), sortable by column. Going to
 * a trade and back restores the loaded rows and the scroll position (then refreshes them). */
export default function Trades({ params }: { params: URLSearchParams }) {
  const t = useT();
  const api = useApi();
  const filters = filtersFromParams(params);
  const { sort, order } = sortFromParams(params);
  const query = { ...filters, sort, order };
  const key = JSON.stringify(query);
  const [rows, setRows] = useState<TradeRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [total, setTotal] = useState<{ n: number | null; capped: boolean }>({ n: null, capped: false });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const generation = useRef(0);
  const pendingScroll = useRef<number | null>(null);
  const latest = useRef<Saved>({ rows: [], cursor: null, total: null, capped: false, scrollY: 0 });
  latest.current = { rows, cursor, total: total.n, capped: total.capped, scrollY: latest.current.scrollY };
  const allColumns = tradeColumns(t);
  const choosable = allColumns.map((c) => ({ key: c.key, label: c.header, required: c.required }));
  const [visible, setVisible] = useColumnChoice(COLUMNS_KEY, choosable, DEFAULT_TRADE_COLUMNS);

  const load = async (after: string | null, replace: boolean, limit = PAGE) => {
    const mine = replace ? ++generation.current : generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await api.read("/api/trades", {}, { ...query, limit, cursor: after ?? undefined });
      if (mine !== generation.current) return; // an answer for filters changed meanwhile
      setRows((old) => (replace ? page.items : [...old, ...page.items]));
      setCursor(page.next_cursor);
      setTotal({ n: page.total, capped: page.total_capped });
    } catch (exc) {
      if (mine !== generation.current) return;
      setError(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  useEffect(() => {
    try {
      sessionStorage.setItem(LAST_KEY, listHref(filters, sort, order));
    } catch {
      // no session storage: "back" links go to the plain list
    }
    const saved = readSaved(key);
    if (saved) {
      // As left: the same rows at the same scroll, refreshed in place (states change meanwhile).
      setRows(saved.rows);
      setCursor(saved.cursor);
      setTotal({ n: saved.total, capped: saved.capped });
      pendingScroll.current = saved.scrollY;
      latest.current.scrollY = saved.scrollY;
      void load(null, true, Math.min(Math.max(saved.rows.length, PAGE), MAX_PAGE));
    } else {
      setRows([]);
      setCursor(null);
      setTotal({ n: null, capped: false });
      void load(null, true);
    }
    return () => writeSaved(key, { ...latest.current, scrollY: window.scrollY });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, attempt]);

  useEffect(() => {
    if (!loading) writeSaved(key, { ...latest.current, scrollY: window.scrollY });
  }, [key, loading, rows, cursor]);

  useLayoutEffect(() => {
    if (pendingScroll.current !== null && rows.length > 0) {
      window.scrollTo(0, pendingScroll.current);
      pendingScroll.current = null;
    }
  }, [rows]);

  const go = (next: TradeFilterValues, nextSort: TradeSort, nextOrder: SortOrder) =>
    navigate(listHref(next, nextSort, nextOrder));
  const open = (row: TradeRow) => {
    writeSaved(key, { ...latest.current, scrollY: window.scrollY });
    navigate(href(`/trades/${encodeURIComponent(row.uti)}`));
  };
  return (
    <section aria-labelledby="trades-title">
      <h1 id="trades-title">{t("trades.title")}</h1>
      <TradeFilters key={JSON.stringify(filters)} value={filters} onApply={(next) => go(next, sort, order)} />
      <div className="toolbar">
        <ColumnChooser columns={choosable} visible={visible} defaults={DEFAULT_TRADE_COLUMNS} onChange={setVisible} />
        <TradesExport key={key} query={{ ...query }} columns={allColumns.filter((c) => visible.includes(c.key))} />
      </div>
      {error && <ProblemBox error={error} onRetry={() => setAttempt((a) => a + 1)} />}
      {rows.length > 0 && (
        <TradesTable rows={rows} visible={visible} onOpen={open}
          sort={{ key: sort, order, onSort: (k, o) => go(filters, k as TradeSort, o) }} />
      )}
      {loading && rows.length === 0 && <Loading />}
      {!loading && !error && rows.length === 0 && <Empty />}
      <Pager count={rows.length} hasMore={!!cursor} loading={loading} onMore={() => cursor && void load(cursor, false)}
        total={total.n} capped={total.capped} />
    </section>
  );
}
