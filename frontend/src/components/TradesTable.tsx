import type { Schemas } from "../api/types/spec";
import type { CsvValue } from "../csv";
import { useT, type Translate } from "../i18n";
import { codeLabel, regimeLabel } from "./lists/labels";
import { DataTable, type Column, type SortState } from "./DataTable";
import { Id } from "./Id";
import { Time } from "./Time";

/** A row of GET /api/trades. */
export type TradeRow = Schemas["TradeListItem"];

export interface TradeColumn extends Column<TradeRow> {
  /** The cell in a CSV export: the API's value (times as ISO 8601 UTC, for machines). */
  csv: (row: TradeRow) => CsvValue;
  required?: boolean;
}

/** Shown until the user chooses otherwise (the first table's columns, in the same order). */
export const DEFAULT_TRADE_COLUMNS = ["uti", "trade_id", "state", "action", "asset_class", "cp", "regimes", "executed", "updated"];

export function tradeColumns(t: Translate): TradeColumn[] {
  return [
    { key: "uti", header: t("col.uti"), render: (r) => <Id value={r.uti} />, csv: (r) => r.uti, required: true,
      sortKey: "uti", className: "col-id" },
    { key: "trade_id", header: t("col.trade_id"), render: (r) => r.trade_id ?? "—", csv: (r) => r.trade_id, sortKey: "trade_id" },
    { key: "state", header: t("col.state"), sortKey: "state", render: (r) => <span className={`badge state-${r.state}`}>{codeLabel(t, "state", r.state)}</span>, csv: (r) => r.state },
    { key: "action", header: t("col.action"), render: (r) => (r.last_action_type ? codeLabel(t, "action_type", r.last_action_type) : "—"), csv: (r) => r.last_action_type },
    { key: "asset_class", header: t("col.asset_class"), render: (r) => (r.asset_class ? codeLabel(t, "asset_class", r.asset_class) : "—"), csv: (r) => r.asset_class },
    { key: "product", header: t("col.product"), render: (r) => r.product ?? "—", csv: (r) => r.product },
    { key: "cp", header: t("col.counterparty"), render: (r) => r.counterparty_2_name ?? r.counterparty_2 ?? "—", csv: (r) => r.counterparty_2_name ?? r.counterparty_2 },
    { key: "cp2_lei", header: t("col.counterparty_lei"), render: (r) => (r.counterparty_2 ? <Id value={r.counterparty_2} /> : "—"), csv: (r) => r.counterparty_2, className: "col-id" },
    { key: "cp1_lei", header: t("col.reporting_lei"), render: (r) => (r.counterparty_1 ? <Id value={r.counterparty_1} /> : "—"), csv: (r) => r.counterparty_1, className: "col-id" },
    { key: "regimes", header: t("col.regimes"), render: (r) => (r.regimes ?? []).map((g) => regimeLabel(t, g)).join(", ") || "—", csv: (r) => (r.regimes ?? []).join(", ") },
    { key: "executed", header: t("col.executed"), render: (r) => <Time value={r.executed_at} />, csv: (r) => r.executed_at,
      sortKey: "executed_at", firstOrder: "desc", className: "col-time" },
    { key: "updated", header: t("col.updated"), render: (r) => <Time value={r.updated_at} />, csv: (r) => r.updated_at,
      sortKey: "updated_at", firstOrder: "desc", className: "col-time" },
  ];
}

export function TradesTable({ rows, onOpen, visible = DEFAULT_TRADE_COLUMNS, sort }: {
  rows: TradeRow[];
  onOpen: (row: TradeRow) => void;
  visible?: string[];
  sort?: SortState;
}) {
  const t = useT();
  const columns = tradeColumns(t).filter((c) => c.required || visible.includes(c.key));
  return <DataTable caption={t("trades.title")} className="trades" columns={columns} rows={rows} rowKey={(r) => r.uti}
    onOpen={onOpen} sort={sort} />;
}
