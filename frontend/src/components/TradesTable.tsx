import { useT } from "../i18n";
import { DataTable, type Column } from "./DataTable";
import { Time } from "./Time";

export interface TradeRow {
  uti: string;
  trade_id: string | null;
  asset_class: string | null;
  counterparty_2: string | null;
  counterparty_2_name: string | null;
  state: string;
  last_action_type: string | null;
  regimes: string[] | null;
  executed_at: string | null;
  updated_at: string;
}

export function TradesTable({ rows, onOpen }: { rows: TradeRow[]; onOpen: (row: TradeRow) => void }) {
  const t = useT();
  const columns: Column<TradeRow>[] = [
    { key: "uti", header: t("col.uti"), render: (r) => <code>{r.uti}</code> },
    { key: "trade_id", header: t("col.trade_id"), render: (r) => r.trade_id ?? "—" },
    { key: "state", header: t("col.state"), render: (r) => <span className={`badge state-${r.state}`}>{r.state}</span> },
    { key: "action", header: t("col.action"), render: (r) => r.last_action_type ?? "—" },
    { key: "asset_class", header: t("col.asset_class"), render: (r) => r.asset_class ?? "—" },
    { key: "cp", header: t("col.counterparty"), render: (r) => r.counterparty_2_name ?? r.counterparty_2 ?? "—" },
    { key: "regimes", header: t("col.regimes"), render: (r) => (r.regimes ?? []).join(", ") || "—" },
    { key: "executed", header: t("col.executed"), render: (r) => <Time value={r.executed_at} /> },
    { key: "updated", header: t("col.updated"), render: (r) => <Time value={r.updated_at} /> },
  ];
  return <DataTable caption={t("trades.title")} columns={columns} rows={rows} rowKey={(r) => r.uti} onOpen={onOpen} />;
}
