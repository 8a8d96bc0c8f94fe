import { ApiError } from "../../api/client";
import { useLoad } from "../../api/hooks";
import type { FieldDifference, TrView as View } from "../../api/types/reconciliation";
import { useT, type Translate } from "../../i18n";
import { href } from "../../router";
import { codeLabel, regimeLabel } from "../lists/labels";
import { Loading, ProblemBox } from "../States";
import { Time } from "../Time";

type Regime = View["regimes"][number];

/** A matching field by its name in the UI language (the API's English name when unknown). */
export const fieldLabel = (t: Translate, d: Pick<FieldDifference, "field" | "name">): string => {
  const label = codeLabel(t, "recon_field", d.field);
  return label === d.field ? d.name : label;
};

/** The differing fields: our value, the other side's. */
export function Differences({ items, caption }: { items: FieldDifference[]; caption: string }) {
  const t = useT();
  return (
    <table className="differences">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t("recon.field")}</th>
          <th scope="col">{t("recon.ours")}</th>
          <th scope="col">{t("recon.theirs")}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((d) => (
          <tr key={d.field}>
            <th scope="row">{fieldLabel(t, d)} <code className="muted">{d.field}</code></th>
            <td>{d.ours === null ? <span className="muted">{t("recon.not_reported")}</span> : <code>{d.ours}</code>}</td>
            <td>{d.theirs === null ? <span className="muted">{t("recon.not_reported")}</span> : <code>{d.theirs}</code>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RegimeView({ uti, view }: { uti: string; view: Regime }) {
  const t = useT();
  const recon = view.reconciliation;
  const state = view.state;
  const live = view.breaks.filter((b) => b.status === "open" || b.status === "assigned");
  return (
    <section className="tr-view-regime" aria-labelledby={`trv-${view.regime}`}>
      <h3 id={`trv-${view.regime}`}>{regimeLabel(t, view.regime)}</h3>
      <dl className="facts">
        <div>
          <dt>{t("trv.at_tr")}</dt>
          <dd>
            {state ? (
              <>
                <span className="badge trv-open">{t("trv.open")}</span>{" "}
                {state.last_action && <>{t("trv.last_action", { action: codeLabel(t, "action_type", state.last_action) })} </>}
                {state.received_at && <span className="muted">(<Time value={state.received_at} />)</span>}
              </>
            ) : <span className="badge trv-absent">{t("trv.not_open")}</span>}
          </dd>
        </div>
        <div>
          <dt>{t("trv.pairing")}</dt>
          <dd>{recon ? <span className={`badge pairing-${recon.pairing}`}>{codeLabel(t, "pairing", recon.pairing)}</span> : "—"}</dd>
        </div>
        <div>
          <dt>{t("trv.matching")}</dt>
          <dd>{recon ? <span className={`badge matching-${recon.matching}`}>{codeLabel(t, "matching", recon.matching)}</span> : "—"}</dd>
        </div>
        {state?.valuation_timestamp && (
          <div>
            <dt>{t("trv.valuation")}</dt>
            <dd><code>{state.valuation_amount} {state.valuation_currency}</code> <Time value={state.valuation_timestamp} /></dd>
          </div>
        )}
        <div>
          <dt>{t("trv.report_of")}</dt>
          <dd>{recon?.reference_date ?? state?.reference_date ?? "—"}</dd>
        </div>
      </dl>
      {recon && recon.differences.length > 0 && (
        <Differences items={recon.differences} caption={t("trv.differences", { regime: regimeLabel(t, view.regime) })} />
      )}
      {view.warnings.length > 0 && (
        <ul className="trv-warnings">
          {view.warnings.map((w) => (
            <li key={w.kind} className="warn-text">
              {codeLabel(t, "tr_warning", w.kind)}
              {w.valuation_timestamp && <> · <Time value={w.valuation_timestamp} /></>}
            </li>
          ))}
        </ul>
      )}
      {live.length > 0 && (
        <p>
          {live.map((b) => <span key={b.id} className={`badge break-${b.kind}`}>{codeLabel(t, "break_kind", b.kind)}</span>)}{" "}
          <a href={href("/reconciliation", { uti })}>{t("trv.see_breaks")}</a>
        </p>
      )}
    </section>
  );
}

/** The trade as the TRs' latest end-of-day reports show it (issue 17): open there or not, its
 * pairing and matching with the other side's report, the fields the other side reports
 * differently, the TR's warnings and the trade's live breaks. For trade detail. */
export function TrView({ uti }: { uti: string }) {
  const t = useT();
  const loaded = useLoad(`tr-view:${uti}`, (api) => api.read("/api/trades/{uti}/tr-view", { uti }));
  const missing = loaded.error instanceof ApiError && loaded.error.status === 404;
  return (
    <section className="tr-view" aria-labelledby="tr-view-title">
      <h2 id="tr-view-title">{t("trv.title")}</h2>
      {loaded.loading && !loaded.data ? <Loading /> : null}
      {missing && <p className="muted">{t("trv.none")}</p>}
      {loaded.error && !missing && <ProblemBox error={loaded.error} onRetry={loaded.reload} />}
      {loaded.data && loaded.data.regimes.length === 0 && <p className="muted">{t("trv.none")}</p>}
      {loaded.data?.regimes.map((r) => <RegimeView key={r.regime} uti={uti} view={r} />)}
    </section>
  );
}

export default TrView;
