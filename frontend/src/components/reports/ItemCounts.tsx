import { useT } from "../../i18n";

/** A report file's items by TR outcome: "ACK 3 · NACK 1 · pending 0". */
export function ItemCounts({ counts }: { counts: { acked: number; nacked: number; pending: number } }) {
  const t = useT();
  return (
    <span className="counts">
      <span className="ok">{t("reports.acked", { n: counts.acked })}</span>{" · "}
      <span className={counts.nacked ? "bad" : undefined}>{t("reports.nacked", { n: counts.nacked })}</span>{" · "}
      <span className="muted">{t("reports.pending", { n: counts.pending })}</span>
    </span>
  );
}
