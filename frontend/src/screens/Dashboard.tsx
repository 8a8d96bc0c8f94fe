import { usePolled, useLoad } from "../api/hooks";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { localDate, number, percent, userZone } from "../format";
import { useT } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { href } from "../router";

interface Summary {
  day: string;
  tz: string;
  received: number;
  valid: number;
  invalid: number;
  submitted: number;
  acked: number;
  nacked: number;
  late: number;
  at_risk: number;
  acceptance_rate: number | null;
}

interface Alert {
  id: string;
  kind: string;
  severity: string;
  status: string;
  summary: string;
  occurrences: number;
  last_seen_at: string;
}

interface Volumes {
  buckets: { start: string; total: number; acked: number; nacked: number }[];
  totals: { total: number };
}

const POLL_MS = 15_000;
const TILES: [keyof Summary, MessageKey, string?][] = [
  ["received", "dash.received"],
  ["valid", "dash.valid"],
  ["invalid", "dash.invalid", "warn"],
  ["submitted", "dash.submitted"],
  ["acked", "dash.acked", "good"],
  ["nacked", "dash.nacked", "bad"],
  ["late", "dash.late", "bad"],
  ["at_risk", "dash.at_risk", "warn"],
];

function Trend({ data }: { data: Volumes }) {
  const t = useT();
  const max = Math.max(1, ...data.buckets.map((b) => b.total));
  const width = 28;
  const height = 120;
  return (
    <figure className="trend">
      <svg role="img" aria-label={t("dash.trend_summary", { days: data.buckets.length, total: number(data.totals.total) })}
        viewBox={`0 0 ${Math.max(1, data.buckets.length) * width} ${height + 20}`} width="100%" height={height + 20}>
        {data.buckets.map((b, i) => {
          const h = Math.round((b.total / max) * height);
          return (
            <g key={b.start}>
              <title>{`${b.start.slice(0, 10)}: ${b.total} (ACK ${b.acked}, NACK ${b.nacked})`}</title>
              <rect x={i * width + 4} y={height - h} width={width - 8} height={h} className="bar" />
              <text x={i * width + width / 2} y={height + 14} textAnchor="middle" className="axis">
                {b.start.slice(8, 10)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{t("dash.trend_summary", { days: data.buckets.length, total: number(data.totals.total) })}</figcaption>
    </figure>
  );
}

export default function Dashboard() {
  const t = useT();
  const tz = userZone();
  const summary = usePolled<Summary>(`/api/stats?tz=${encodeURIComponent(tz)}`, POLL_MS);
  const alerts = usePolled<{ items: Alert[] }>("/api/alerts?status=open&limit=20", POLL_MS);
  const from = localDate(13);
  const to = localDate(0);
  const volumes = useLoad<Volumes>(`vol:${from}:${to}:${tz}`, (api) =>
    api.get("/api/stats/volumes", { date_from: from, date_to: to, tz, unit: "day" }),
  );
  const s = summary.data;
  return (
    <section aria-labelledby="dash-title">
      <h1 id="dash-title">
        {t("dash.title")} {s && <small>{t("dash.day", { day: s.day, tz: s.tz })}</small>}
      </h1>
      {summary.error && <ProblemBox error={summary.error} onRetry={summary.reload} />}
      {summary.loading && !s ? (
        <Loading />
      ) : (
        s && (
          <>
            <ul className="tiles" aria-label={t("dash.title")}>
              {TILES.map(([key, label, tone]) => (
                <li key={key} className={`tile ${tone ?? ""}`} data-testid={`tile-${key}`}>
                  <span className="label">{t(label)}</span>
                  <span className="value">{number(s[key] as number)}</span>
                </li>
              ))}
              <li className="tile">
                <span className="label">{t("dash.acceptance")}</span>
                <span className="value">{percent(s.acceptance_rate)}</span>
              </li>
            </ul>
            {summary.updatedAt && (
              <p className="muted" aria-live="off">
                {t("dash.updated", { time: summary.updatedAt.toLocaleTimeString() })}
              </p>
            )}
          </>
        )
      )}
      <div className="cols">
        <section aria-labelledby="trend-title">
          <h2 id="trend-title">{t("dash.trend")}</h2>
          {volumes.error ? <ProblemBox error={volumes.error} onRetry={volumes.reload} />
            : !volumes.data ? <Loading />
            : volumes.data.buckets.length === 0 ? <Empty /> : <Trend data={volumes.data} />}
        </section>
        <section aria-labelledby="alerts-title">
          <h2 id="alerts-title">{t("dash.alerts")}</h2>
          {alerts.error ? <ProblemBox error={alerts.error} onRetry={alerts.reload} />
            : !alerts.data ? <Loading />
            : alerts.data.items.length === 0 ? <Empty>{t("dash.no_alerts")}</Empty>
            : (
              <ul className="alerts">
                {alerts.data.items.map((a) => (
                  <li key={a.id} className={`alert ${a.severity}`}>
                    <span className="badge">{a.severity}</span> <code>{a.kind}</code> {a.summary}{" "}
                    <Time value={a.last_seen_at} />
                  </li>
                ))}
              </ul>
            )}
          <p><a href={href("/errors")}>{t("nav.errors")} →</a></p>
        </section>
      </div>
    </section>
  );
}
