import { useState } from "react";
import { usePolled, useLoad } from "../api/hooks";
import type { Alert } from "../api/types/alerts";
import { AlertMessage } from "../components/AlertMessage";
import type { Schemas } from "../api/types/spec";
import { ruleTitle, useRules } from "../api/rules";
import { BarChart, type Bar } from "../components/BarChart";
import { codeLabel } from "../components/lists/labels";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { number, percent, userZone } from "../format";
import { useI18n, useT, type Lang } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { fillBuckets, periodFor, UNITS, type Period, type Unit } from "../periods";
import { href } from "../router";

// GET /api/stats, /api/alerts, /api/stats/volumes, /acceptance and /rejections
type Summary = Schemas["DashboardStats"];
type Volumes = Schemas["Volumes"];
type Acceptance = Schemas["Acceptance"];
type Rejections = Schemas["Rejections"];

const POLL_MS = 15_000;
const TOP = 10;
/** A tile: the figure's key in GET /api/stats, its label, its tone, and the screen that shows
 * the same number (same definition, same scope: #14 "one truth"). */
type Tile = { key: keyof Summary; label: MessageKey; tone?: string; link?: string };
// Today: what was received on the local day (the chart's and acceptance panel's today bar).
const TODAY_TILES: Tile[] = [
  { key: "received", label: "dash.received" },
  { key: "valid", label: "dash.valid" },
  { key: "invalid", label: "dash.invalid", tone: "warn" },
  { key: "submitted", label: "dash.submitted" },
  { key: "acked", label: "dash.acked", tone: "good" },
  { key: "nacked", label: "dash.nacked", tone: "bad" },
  // today's files with their parse errors, each linking to its error group
  { key: "parse_errors", label: "dash.parse_errors", tone: "warn", link: href("/files", { received: "today" }) },
];
// Open now: trades late or at risk, as the monitor's deadline alerts and the trades list count them.
const OPEN_TILES: Tile[] = [
  { key: "late", label: "dash.late", tone: "bad", link: href("/trades", { due: "late" }) },
  { key: "at_risk", label: "dash.at_risk", tone: "warn", link: href("/trades", { due: "at_risk" }) },
];
const UNIT_LABEL: Record<Unit, MessageKey> = { day: "dash.unit.day", week: "dash.unit.week", month: "dash.unit.month" };
const TREND_TITLE: Record<Unit, MessageKey> = { day: "dash.trend_recv", week: "dash.trend_recv_week", month: "dash.trend_recv_month" };
const TREND_SUMMARY: Record<Unit, MessageKey> = { day: "dash.sum.day", week: "dash.sum.week", month: "dash.sum.month" };

/** Under a bar and in the table: a day's number, a week's Monday (M/D), a month's name. */
function bucketLabels(unit: Unit, start: string, lang: Lang): { axis: string; label: string } {
  if (unit === "day") return { axis: start.slice(8, 10), label: start };
  if (unit === "week") return { axis: `${Number(start.slice(5, 7))}/${Number(start.slice(8, 10))}`, label: start };
  const month = new Date(Number(start.slice(0, 4)), Number(start.slice(5, 7)) - 1, 1);
  const axis = new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", { month: "short" }).format(month);
  return { axis, label: start.slice(0, 7) };
}

const noRates = { acked: 0, nacked: 0, acceptance_rate: null };

function PeriodSwitch({ unit, onChange }: { unit: Unit; onChange: (u: Unit) => void }) {
  const t = useT();
  return (
    <fieldset className="switch">
      <legend>{t("dash.period")}</legend>
      {UNITS.map((u) => (
        <label key={u} className={u === unit ? "on" : undefined}>
          <input type="radio" name="trend-unit" value={u} checked={u === unit} onChange={() => onChange(u)} />
          {t(UNIT_LABEL[u])}
        </label>
      ))}
    </fieldset>
  );
}

function Trend({ data, period }: { data: Volumes; period: Period }) {
  const { t, lang } = useI18n();
  const buckets = fillBuckets(period, data.buckets, (start) => ({
    start, total: 0, by_asset_class: {}, by_action_type: {}, by_regime: {}, by_state: {}, ...noRates,
  }));
  const bars: Bar[] = buckets.map((b) => ({
    key: b.start,
    ...bucketLabels(period.unit, b.start.slice(0, 10), lang),
    value: b.total,
    shown: number(b.total),
    detail: `ACK ${number(b.acked)}, NACK ${number(b.nacked)}`,
  }));
  const summary = t(TREND_SUMMARY[period.unit], { n: bars.length, total: number(data.totals.total) });
  return <BarChart bars={bars} summary={summary} labelHeader={t("dash.bucket")} valueHeader={t("dash.events")} detailHeader={t("dash.verdicts")} />;
}

function AcceptancePanel({ data, period }: { data: Acceptance; period: Period }) {
  const { t, lang } = useI18n();
  const buckets = fillBuckets(period, data.buckets, (start) => ({ start, ...noRates }));
  const bars: Bar[] = buckets.map((b) => ({
    key: b.start,
    ...bucketLabels(period.unit, b.start.slice(0, 10), lang),
    value: b.acceptance_rate ?? 0,
    shown: percent(b.acceptance_rate),
    detail: `ACK ${number(b.acked)}, NACK ${number(b.nacked)}`,
  }));
  const { acked, nacked, acceptance_rate } = data.totals;
  return (
    <>
      <dl className="figures">
        <div>
          <dt>{t("dash.acceptance")}</dt>
          <dd className="big" data-testid="acceptance-rate">{percent(acceptance_rate)}</dd>
        </div>
        <div>
          <dt>{t("dash.acked")}</dt>
          <dd>{number(acked)}</dd>
        </div>
        <div>
          <dt>{t("dash.nacked")}</dt>
          <dd>{number(nacked)}</dd>
        </div>
      </dl>
      {acked + nacked === 0 ? (
        <Empty>{t("dash.no_verdicts")}</Empty>
      ) : (
        <BarChart bars={bars} summary={t("dash.acceptance_summary", { rate: percent(acceptance_rate), acked: number(acked), nacked: number(nacked) })}
          labelHeader={t("dash.bucket")} valueHeader={t("dash.acceptance")} detailHeader={t("dash.verdicts")} />
      )}
    </>
  );
}

function RejectionsPanel({ data }: { data: Rejections }) {
  const { t, lang } = useI18n();
  const rules = useRules();
  if (data.rules.length === 0 && data.tr_codes.length === 0) return <Empty>{t("dash.no_rejections")}</Empty>;
  return (
    <div className="rejections">
      <h3 id="rej-rules">{t("dash.rejections_rules")}</h3>
      {data.rules.length === 0 ? <Empty /> : (
        <ol aria-labelledby="rej-rules">
          {data.rules.map((r) => {
            const rule = rules?.get(r.code);
            return (
              <li key={r.code}>
                <a href={href("/errors", { kind: "rule", key: r.code })}><code>{r.code}</code></a>{" "}
                <span className="count">{t("errors.count", { n: number(r.count) })}</span>
                {rule && <span className="muted"> · {ruleTitle(rule, lang)}</span>}
              </li>
            );
          })}
        </ol>
      )}
      <h3 id="rej-tr">{t("dash.rejections_tr")}</h3>
      {data.tr_codes.length === 0 ? <Empty /> : (
        <ol aria-labelledby="rej-tr">
          {data.tr_codes.map((r) => (
            <li key={r.code ?? "none"}>
              {/* a NACK without a code has no error group page of its own */}
              {r.code ? <a href={href("/errors", { kind: "tr_code", key: r.code })}><code>{r.code}</code></a> : t("dash.no_code")}{" "}
              <span className="count">{t("errors.count", { n: number(r.count) })}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function TileItem({ tile, value, scope }: { tile: Tile; value: string; scope: string }) {
  const t = useT();
  const body = (
    <>
      <span className="label">{t(tile.label)}</span>
      <span className="value">{value}</span>
      <span className="scope">{scope}</span>
    </>
  );
  return (
    <li className={`tile ${tile.tone ?? ""}`} data-testid={`tile-${tile.key}`}>
      {tile.link ? <a href={tile.link}>{body}</a> : body}
    </li>
  );
}

export default function Dashboard() {
  const t = useT();
  const tz = userZone();
  const summary = usePolled<Summary>(`/api/stats?tz=${encodeURIComponent(tz)}`, POLL_MS);
  const alerts = usePolled<{ items: Alert[] }>("/api/alerts?status=open&limit=20", POLL_MS);
  const [unit, setUnit] = useState<Unit>("day");
  const period = periodFor(unit);
  const range = { date_from: period.from, date_to: period.to, tz };
  const periodKey = `${period.from}:${period.to}:${tz}`;
  const volumes = useLoad<Volumes>(`vol:${unit}:${periodKey}`, (api) => api.read("/api/stats/volumes", {}, { ...range, unit }));
  const acceptance = useLoad<Acceptance>(`acc:${unit}:${periodKey}`, (api) => api.read("/api/stats/acceptance", {}, { ...range, unit }));
  const rejections = useLoad<Rejections>(`rej:${periodKey}`, (api) => api.read("/api/stats/rejections", {}, { ...range, top: TOP }));
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
            <h2 id="tiles-today" className="tiles-scope">{t("dash.group.today", { day: s.day, tz: s.tz })}</h2>
            <ul className="tiles" aria-labelledby="tiles-today">
              {TODAY_TILES.map((tile) => (
                <TileItem key={tile.key} tile={tile} value={number(s[tile.key] as number)} scope={t("dash.scope.today", { tz: s.tz })} />
              ))}
              <TileItem tile={{ key: "acceptance_rate", label: "dash.acceptance" }} value={percent(s.acceptance_rate)}
                scope={t("dash.scope.today", { tz: s.tz })} />
            </ul>
            <h2 id="tiles-open" className="tiles-scope">{t("dash.group.open")}</h2>
            <ul className="tiles" aria-labelledby="tiles-open">
              {OPEN_TILES.map((tile) => (
                <TileItem key={tile.key} tile={tile} value={number(s[tile.key] as number)}
                  scope={tile.key === "at_risk" ? t("dash.scope.at_risk", { hours: s.at_risk_window_s / 3600 }) : t("dash.scope.open")} />
              ))}
            </ul>
            {summary.updatedAt && (
              <p className="muted" aria-live="off">
                {t("dash.updated", { time: summary.updatedAt.toLocaleTimeString() })}
              </p>
            )}
          </>
        )
      )}
      <div className="period-bar">
        <PeriodSwitch unit={unit} onChange={setUnit} />
        <span className="muted">{t("dash.period_range", { from: period.from, to: period.to })}</span>
      </div>
      <div className="cols">
        <section aria-labelledby="trend-title">
          <h2 id="trend-title">{t(TREND_TITLE[unit])}</h2>
          <p className="scope">{t("dash.scope.period", { from: period.from, to: period.to, tz })}</p>
          {volumes.error ? <ProblemBox error={volumes.error} onRetry={volumes.reload} />
            : !volumes.data ? <Loading />
            : volumes.data.buckets.length === 0 ? <Empty /> : <Trend data={volumes.data} period={period} />}
        </section>
        <section aria-labelledby="acceptance-title">
          <h2 id="acceptance-title">{t("dash.acceptance_title")}</h2>
          <p className="scope">{t("dash.scope.period", { from: period.from, to: period.to, tz })}</p>
          {acceptance.error ? <ProblemBox error={acceptance.error} onRetry={acceptance.reload} />
            : !acceptance.data ? <Loading /> : <AcceptancePanel data={acceptance.data} period={period} />}
        </section>
        <section aria-labelledby="rejections-title">
          <h2 id="rejections-title">{t("dash.rejections_title", { n: TOP })}</h2>
          <p className="scope">{t("dash.period_range", { from: period.from, to: period.to })}</p>
          {rejections.error ? <ProblemBox error={rejections.error} onRetry={rejections.reload} />
            : !rejections.data ? <Loading /> : <RejectionsPanel data={rejections.data} />}
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
                    <span className="badge">{codeLabel(t, "severity", a.severity)}</span> <AlertMessage alert={a} />{" "}
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
