import { useState } from "react";
import { ApiError } from "../api/client";
import { canMutate, useApi, useMe } from "../api/context";
import { useLoad, usePolled } from "../api/hooks";
import { RepairForm } from "../components/RepairForm";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { href, navigate } from "../router";

type Kind = "rule" | "tr_code" | "queue";

interface Group {
  kind: Kind;
  key: string | null;
  count: number;
  severity?: string;
  by_status?: { open: number; assigned: number; resolved: number };
  sample?: { message: string | null; uti?: string };
  sample_error?: string;
}

interface Item {
  id: number;
  event_id?: string;
  uti?: string;
  field?: string | null;
  value?: string | null;
  message?: string;
  message_ko?: string | null;
  status?: string;
  tr_code?: string | null;
  tr_message?: string | null;
  queue?: string;
  last_error?: string | null;
  created_at?: string;
  dead_at?: string;
}

const POLL_MS = 20_000;

function Items({ kind, groupKey, canAct }: { kind: Kind; groupKey: string; canAct: boolean }) {
  const api = useApi();
  const { t, lang } = useI18n();
  const items = useLoad<{ items: Item[]; next_cursor: string | null }>(`items:${kind}:${groupKey}`, (a) =>
    a.get(`/api/errors/${kind}/${encodeURIComponent(groupKey)}`, { limit: 100 }),
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const resubmit = async () => {
    try {
      const answer = await api.post<{ ok: number; refused: number }>("/api/events/resubmit", { event_ids: [...selected] });
      setResult(t("errors.resubmitted", { ok: answer.ok, refused: answer.refused }));
      setError(null);
      setSelected(new Set());
      items.reload();
    } catch (exc) {
      setError(exc instanceof ApiError ? exc : null);
    }
  };
  if (items.error) return <ProblemBox error={items.error} onRetry={items.reload} />;
  if (!items.data) return <Loading />;
  if (items.data.items.length === 0) return <Empty />;
  const resubmittable = kind === "tr_code" && canAct;
  return (
    <>
      <ul className="items">
        {items.data.items.map((i) => (
          <li key={i.id}>
            {resubmittable && i.event_id && (
              <input type="checkbox" aria-label={t("errors.select", { uti: i.uti ?? i.event_id })}
                checked={selected.has(i.event_id)} onChange={() => toggle(i.event_id!)} />
            )}{" "}
            {i.uti && <a href={href(`/trades/${encodeURIComponent(i.uti)}`)}><code>{i.uti}</code></a>}{" "}
            {kind === "rule" && <>{i.field && <code>{i.field}</code>} {lang === "ko" && i.message_ko ? i.message_ko : i.message} <span className="muted">({i.status})</span></>}
            {kind === "tr_code" && <>{i.tr_message}</>}
            {kind === "queue" && <>{i.last_error} <Time value={i.dead_at} /></>}
            {i.event_id && (
              <>
                {" "}
                <a className="button" href={href("/errors", { kind, key: groupKey, event: i.event_id, field: i.field ?? undefined, value: i.value ?? undefined })}>
                  {t("detail.repair")}
                </a>
              </>
            )}
          </li>
        ))}
      </ul>
      {resubmittable && (
        <button type="button" disabled={selected.size === 0} onClick={resubmit}>
          {t("errors.resubmit", { n: selected.size })}
        </button>
      )}
      {result && <p role="status">{result}</p>}
      {error && <ProblemBox error={error} />}
    </>
  );
}

export default function Errors({ params }: { params: URLSearchParams }) {
  const { t } = useI18n();
  const { user } = useMe();
  const groups = usePolled<{ items: Group[] }>("/api/errors", POLL_MS);
  const kind = params.get("kind") as Kind | null;
  const key = params.get("key");
  const eventId = params.get("event");
  const canAct = canMutate(user);
  return (
    <section aria-labelledby="errors-title">
      <h1 id="errors-title">{t("errors.title")}</h1>
      <div className="cols">
        <section aria-labelledby="groups-title">
          <h2 id="groups-title">{t("errors.groups")}</h2>
          {groups.error && <ProblemBox error={groups.error} onRetry={groups.reload} />}
          {!groups.data ? !groups.error && <Loading />
            : groups.data.items.length === 0 ? <Empty />
            : (
              <ul className="groups">
                {groups.data.items.map((g) => (
                  <li key={`${g.kind}:${g.key}`}>
                    <a href={href("/errors", { kind: g.kind, key: g.key ?? "" })}
                      aria-current={g.kind === kind && g.key === key ? "true" : undefined}>
                      <span className="badge">{t(`errors.kind.${g.kind}` as MessageKey)}</span>{" "}
                      <strong>{g.key ?? "—"}</strong> · {t("errors.count", { n: g.count })}
                      {g.by_status && <> · {t("errors.open", { n: g.by_status.open })}</>}
                      <br />
                      <span className="muted">{g.sample?.message ?? g.sample_error ?? ""}</span>
                    </a>
                  </li>
                ))}
              </ul>
            )}
        </section>
        <section aria-labelledby="items-title">
          <h2 id="items-title">{kind && key ? t("errors.items", { key }) : t("errors.pick")}</h2>
          {kind && key && <Items key={`${kind}:${key}`} kind={kind} groupKey={key} canAct={canAct} />}
          {eventId && (
            <RepairForm key={eventId} eventId={eventId} canApply={canAct}
              initial={params.get("field") ? [{ field: params.get("field")!, value: params.get("value") ?? "" }] : []}
              onApplied={() => groups.reload()} />
          )}
          {eventId && <p><button type="button" onClick={() => navigate(href("/errors", { kind: kind ?? undefined, key: key ?? undefined }))}>{t("repair.close")}</button></p>}
        </section>
      </div>
    </section>
  );
}
