import { useLoad } from "../api/hooks";
import type { Schemas } from "../api/types/spec";
import { Empty, Loading, ProblemBox } from "../components/States";
import { ZoneNote } from "../components/Time";
import { Timeline } from "../components/trade/Timeline";
import { TrView } from "../components/trade/TrView";
import { TradeSummary } from "../components/trade/TradeSummary";
import { useI18n } from "../i18n";
import { lastTradesHref } from "../components/lists/tradesState";

// GET /api/trades/{uti}
type Detail = Schemas["TradeDetail"];

/** One trade as the place to fix it: where it stands on top, then its events newest first. */
export default function TradeDetail({ uti }: { uti: string }) {
  const { t } = useI18n();
  const detail = useLoad<Detail>(`trade:${uti}`, (api) => api.read("/api/trades/{uti}", { uti }));
  const back = <p><a href={lastTradesHref()}>← {t("detail.back")}</a></p>;
  // No such trade is an answer, not a failure: trying again cannot help.
  if (detail.error?.status === 404) {
    return (
      <section aria-labelledby="detail-title" className="not-found">
        <h1 id="detail-title">{t("trade.missing", { uti })}</h1>
        <p>{t("trade.missing_hint")}</p>
        {back}
      </section>
    );
  }
  return (
    <section aria-labelledby="detail-title">
      {back}
      <h1 id="detail-title">{t("detail.title", { uti })}</h1>
      {detail.error && <ProblemBox error={detail.error} onRetry={detail.reload} />}
      {detail.loading && !detail.data && <Loading />}
      {detail.data && (
        <>
          <ZoneNote />
          <TradeSummary detail={detail.data} />
          <TrView uti={uti} />
          <h2>{t("detail.timeline")}</h2>
          {detail.data.events.length === 0 ? <Empty /> : <Timeline detail={detail.data} />}
        </>
      )}
    </section>
  );
}
