import { useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { useApi } from "../api/context";
import { ColumnChooser, useColumnChoice } from "../components/ColumnChooser";
import { filtersFromParams, TradeFilters, type TradeFilterValues } from "../components/TradeFilters";
import { TradesExport } from "../components/TradesExport";
import { DEFAULT_TRADE_COLUMNS, tradeColumns, TradesTable, type TradeRow } from "../components/TradesTable";
import { Empty, Loading, ProblemBox } from "../components/States";
import { useT } from "../i18n";
import { href, navigate } from "../router";

const PAGE = 50;
const COLUMNS_KEY = "swaprep.columns.trades";

/** Trades, newest change first, paged by the API's keyset cursor ("load more" appends). */
export default function Trades({ params }: { params: URLSearchParams }) {
  const t = useT();
  const api = useApi();
  const filters = filtersFromParams(params);
  const key = JSON.stringify(filters);
  const [rows, setRows] = useState<TradeRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const allColumns = tradeColumns(t);
  const choosable = allColumns.map((c) => ({ key: c.key, label: c.header, required: c.required }));
  const [visible, setVisible] = useColumnChoice(COLUMNS_KEY, choosable, DEFAULT_TRADE_COLUMNS);

  const load = async (after: string | null, replace: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.read("/api/trades", {}, { ...filters, limit: PAGE, cursor: after ?? undefined });
      setRows((old) => (replace ? page.items : [...old, ...page.items]));
      setCursor(page.next_cursor);
    } catch (exc) {
      setError(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
    } finally {
      setLoading(false);
    }
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => void load(null, true), [key, attempt]);

  const apply = (next: TradeFilterValues) => navigate(href("/trades", { ...next }));
  return (
    <section aria-labelledby="trades-title">
      <h1 id="trades-title">{t("trades.title")}</h1>
      <TradeFilters key={key} value={filters} onApply={apply} />
      <div className="toolbar">
        <ColumnChooser columns={choosable} visible={visible} defaults={DEFAULT_TRADE_COLUMNS} onChange={setVisible} />
        <TradesExport key={key} query={{ ...filters }} columns={allColumns.filter((c) => visible.includes(c.key))} />
      </div>
      {error && <ProblemBox error={error} onRetry={() => setAttempt((a) => a + 1)} />}
      {rows.length > 0 && (
        <TradesTable rows={rows} visible={visible} onOpen={(r) => navigate(href(`/trades/${encodeURIComponent(r.uti)}`))} />
      )}
      {loading ? <Loading /> : !error && rows.length === 0 && <Empty />}
      <p className="pager" aria-live="polite">
        {t("trades.count", { n: rows.length })}{" "}
        {cursor ? (
          <button type="button" disabled={loading} onClick={() => load(cursor, false)}>
            {t("trades.more")}
          </button>
        ) : (
          !loading && rows.length > 0 && <span className="muted">{t("trades.end")}</span>
        )}
      </p>
    </section>
  );
}
