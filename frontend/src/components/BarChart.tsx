import { useT } from "../i18n";

export interface Bar {
  key: string;
  /** Under the bar (short: "20", "11/16", "2026-11"). */
  axis: string;
  /** In the tooltip and the table ("2026-11-20"). */
  label: string;
  value: number;
  /** The value as shown (a count, a percentage). */
  shown: string;
  /** Extra words for the tooltip and the table's last column ("ACK 3, NACK 1"). */
  detail?: string;
}

const BAR_WIDTH = 28;
const HEIGHT = 120;
/** At most this many axis labels: 12 weeks' "11/16" or 14 days side by side overlapped on a
 * narrow panel. Every bar keeps its tooltip and its row in the table. */
export const MAX_AXIS_LABELS = 7;

/** Which bars carry an axis label: every `step`-th counted back from the newest (the last
 * bar, usually today, is always labelled). */
export function labelledBars(count: number, max = MAX_AXIS_LABELS): Set<number> {
  const step = Math.max(1, Math.ceil(count / max));
  const shown = new Set<number>();
  for (let i = count - 1; i >= 0; i -= step) shown.add(i);
  return shown;
}

/** A hand-drawn SVG bar chart (no chart library: the dashboard chunk stays small). Screen
 * readers get `summary` as the image's name, and everyone can open the numbers as a table. */
export function BarChart({ bars, summary, labelHeader, valueHeader, detailHeader }: {
  bars: Bar[];
  summary: string;
  labelHeader: string;
  valueHeader: string;
  detailHeader?: string;
}) {
  const t = useT();
  const max = Math.max(1, ...bars.map((b) => b.value));
  const labelled = labelledBars(bars.length);
  return (
    <figure className="trend">
      <svg role="img" aria-label={summary} viewBox={`0 0 ${Math.max(1, bars.length) * BAR_WIDTH} ${HEIGHT + 20}`}
        width="100%" height={HEIGHT + 20}>
        {bars.map((b, i) => {
          const h = Math.round((b.value / max) * HEIGHT);
          return (
            <g key={b.key}>
              <title>{`${b.label}: ${b.shown}${b.detail ? ` (${b.detail})` : ""}`}</title>
              <rect x={i * BAR_WIDTH + 4} y={HEIGHT - h} width={BAR_WIDTH - 8} height={h} className="bar" />
              {labelled.has(i) && (
                <text x={i * BAR_WIDTH + BAR_WIDTH / 2} y={HEIGHT + 14} textAnchor="middle" className="axis">
                  {b.axis}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>{summary}</figcaption>
      <details className="as-table">
        <summary>{t("chart.as_table")}</summary>
        <table>
          <caption className="sr-only">{summary}</caption>
          <thead>
            <tr>
              <th scope="col">{labelHeader}</th>
              <th scope="col">{valueHeader}</th>
              {detailHeader && <th scope="col">{detailHeader}</th>}
            </tr>
          </thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.key}>
                <th scope="row">{b.label}</th>
                <td>{b.shown}</td>
                {detailHeader && <td>{b.detail ?? ""}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
