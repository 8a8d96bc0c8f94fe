import { useEffect, useRef, useState, type FormEvent } from "react";
import { nameOf } from "../api/client";
import { canMutate, useApi, useMe } from "../api/context";
import { usePolled } from "../api/hooks";
import { enumOf, type Schemas } from "../api/types/spec";
import { isRepairable } from "../api/types/trades";
import { useRules } from "../api/rules";
import type { PendingApproval } from "../api/types/approvals";
import { BulkOutcomes, type BulkOutcome, type ItemOutcome } from "../components/BulkOutcomes";
import { BulkRepair, Progress, SelectAllMatching } from "../components/errors/BulkRepair";
import { useBulkRun, type BulkSource } from "../components/errors/useBulkRun";
import { DataTable, type Column } from "../components/DataTable";
import { Id } from "../components/Id";
import { IssueStatus } from "../components/IssueStatus";
import { codeLabel, regimeLabel } from "../components/lists/labels";
import { GroupList } from "../components/errors/GroupList";
import { HeldNotice } from "../components/HeldNotice";
import { RepairDrawer } from "../components/errors/RepairDrawer";
import { RuleCard } from "../components/RuleExplanation";
import { resolvePairs } from "../i18n/particles";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { ListPager } from "../components/lists/Pager";
import { usePagedList } from "../components/lists/usePagedList";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { href, navigate } from "../router";

// GET /api/errors and /api/errors/{kind}/{key}
type Group = Schemas["ErrorGroup"];
type Item = Schemas["ErrorItem"];
type Kind = Group["kind"];
type IssueStatus = Schemas["EventIssue"]["status"];
const ISSUE_STATUSES = enumOf<IssueStatus>()(["open", "assigned", "resolved"]);

const POLL_MS = 20_000;
const ITEMS_PAGE = 100;

/** An item the repair can still act on: its event is invalid or NACKed (not superseded by a
 * repair, resubmitted or cancelled), and for an issue, it is not resolved. */
export function repairable(kind: Kind, i: Item): boolean {
  if (kind === "rule" && i.status === "resolved") return false;
  return isRepairable(i.event_state);
}

/** The URL that opens the repair drawer on an item (the Errors screen's URL contract). */
const repairHref = (kind: Kind, key: string, status: IssueStatus | null, i: Item) =>
  href("/errors", { kind, key, status: status ?? undefined, event: i.event_id, field: i.field ?? undefined, value: i.value ?? undefined });

/** Replaces the URL without a history entry (a redirect the back button must not return to). */
const replace = (to: string) => window.location.replace(to);

/** A group's rows, newest first, keyset-paged ("load more"); `reload` starts over. */
function useItemPages(kind: Kind, groupKey: string, status: IssueStatus | null) {
  const list = usePagedList<Item>(`/api/errors/${kind}/${encodeURIComponent(groupKey)}`,
    { status: kind === "rule" ? status ?? undefined : undefined }, ITEMS_PAGE);
  return { ...list, reload: list.refresh, more: list.loadMore };
}

function IssueTriage({ count, busy, onAssign, onResolve }: {
  count: number;
  busy: boolean;
  onAssign: (assignee: string) => void;
  onResolve: (note: string | null) => void;
}) {
  const { t } = useI18n();
  const { user } = useMe();
  const [assignee, setAssignee] = useState(nameOf(user));
  const [note, setNote] = useState("");
  const assign = (e: FormEvent) => {
    e.preventDefault();
    if (assignee.trim()) onAssign(assignee.trim());
  };
  const resolve = (e: FormEvent) => {
    e.preventDefault();
    onResolve(note.trim() || null); // the API refuses a blank note: none then
  };
  return (
    <div className="bulk-actions">
      <form onSubmit={assign} aria-label={t("triage.assign_form")}>
        <div className="field">
          <label htmlFor="triage-assignee">{t("triage.assignee")}</label>
          <input id="triage-assignee" value={assignee} maxLength={200} required onChange={(e) => setAssignee(e.target.value)} />
        </div>
        <button type="submit" disabled={count === 0 || busy || !assignee.trim()}>
          {t("triage.assign", { n: count })}
        </button>
      </form>
      <form onSubmit={resolve} aria-label={t("triage.resolve_form")}>
        <div className="field">
          <label htmlFor="triage-note">{t("triage.note")}</label>
          <input id="triage-note" value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />
        </div>
        <button type="submit" disabled={count === 0 || busy}>
          {t("triage.resolve", { n: count })}
        </button>
      </form>
    </div>
  );
}

function Items({ kind, groupKey, status, total, canAct, onChanged, changes, currentEvent }: {
  kind: Kind;
  groupKey: string;
  status: IssueStatus | null;
  /** How many items match (the group's count under the status filter): "select all matching". */
  total: number;
  canAct: boolean;
  onChanged: () => void;
  /** Bumped after an act elsewhere (the repair drawer): the rows are read again. */
  changes: number;
  currentEvent: string | null;
}) {
  const api = useApi();
  const { t, lang } = useI18n();
  const rules = useRules();
  const list = useItemPages(kind, groupKey, status);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [selectedAll, setSelectedAll] = useState(false);
  const runner = useBulkRun<ItemOutcome>();
  const labels = useRef(new Map<string, string>());

  const { refresh } = list;
  useEffect(() => {
    if (changes > 0) refresh();
  }, [changes, refresh]);

  const selectable = canAct && kind !== "queue" && kind !== "parse";
  const selectableRow = (i: Item) => (kind === "rule" ? i.status !== "resolved" : !!i.event_id);
  const chosen = list.rows.filter((r) => selected.has(String(r.id)));
  const count = selectedAll ? total : chosen.length;
  const allLoadedSelected = list.rows.length > 0 && list.rows.filter(selectableRow).every((r) => selected.has(String(r.id)));
  // A selection of the loaded rows, or every matching row of the group, walked page by page.
  const source: BulkSource = selectedAll ? { kind, groupKey, status } : { items: chosen };
  const clearSelection = () => {
    setSelected(new Set());
    setSelectedAll(false);
  };
  // The bulk repair stays open with its outcomes after it applied (its rows are then replaced,
  // so the table's selection is cleared); a new selection opens a new one, clearing closes it.
  const [bulkFor, setBulkFor] = useState<string[] | "all" | null>(null);
  const keepBulk = useRef(false);
  useEffect(() => {
    if (selectedAll) setBulkFor("all");
    else if (selected.size > 0) setBulkFor([...selected]);
    else if (keepBulk.current) keepBulk.current = false;
    else setBulkFor(null);
  }, [selected, selectedAll]);
  const act = async (keyOf: (i: Item) => string | null | undefined, labelOf: (i: Item) => string,
    send: (keys: string[]) => Promise<BulkOutcome | PendingApproval>) => {
    labels.current = new Map();
    await runner.run({
      source, total: count, keyOf,
      act: (keys, rows) => {
        rows.forEach((r) => {
          const k = keyOf(r);
          if (k) labels.current.set(k, labelOf(r));
        });
        return send(keys);
      },
    });
    clearSelection();
    list.reload();
    onChanged();
  };
  const busy = runner.running;
  const issueLabel = (r: Item) => `${r.uti ?? r.id}${r.field ? ` · ${r.field}` : ""}`;
  const issueKey = (r: Item) => String(r.id);
  const resubmit = () => void act((r) => r.event_id, (r) => r.uti ?? r.event_id ?? "",
    (ids) => api.call("post", "/api/events/resubmit", {}, { event_ids: ids }));
  const assign = (assignee: string) => void act(issueKey, issueLabel,
    (ids) => api.call("post", "/api/issues/assign", {}, { issue_ids: ids.map(Number), assignee }));
  const resolve = (note: string | null) => void act(issueKey, issueLabel,
    (ids) => api.call("post", "/api/issues/resolve", {}, { issue_ids: ids.map(Number), ...(note ? { note } : {}) }));

  const repairLink = (i: Item) =>
    i.event_id && repairable(kind, i) ? (
      <a className="button" href={repairHref(kind, groupKey, status, i)}
        aria-current={i.event_id === currentEvent ? "true" : undefined}>
        {t("detail.repair")}
        <span className="sr-only"> ({i.uti ?? i.event_id})</span>
      </a>
    ) : "—";
  // a NACK is open while its event is still nacked; after a repair or resubmission, its state
  const nackStatus = (i: Item) =>
    i.event_state === "nacked" || !i.event_state ? <IssueStatus status="open" />
      : <span className="badge">{codeLabel(t, "state", i.event_state)}</span>;
  const utiLink = (i: Item) => (i.uti ? <Id value={i.uti} href={href(`/trades/${encodeURIComponent(i.uti)}`)} /> : "—");
  const columns: Column<Item>[] =
    kind === "rule"
      ? [
          { key: "uti", header: t("col.uti"), render: utiLink, className: "col-id" },
          { key: "field", header: t("detail.field"), render: (i) => (i.field ? <code>{i.field}</code> : "—") },
          { key: "message", header: t("errors.message"), render: (i) => (lang === "ko" && i.message_ko ? resolvePairs(i.message_ko) : i.message) ?? "—" },
          { key: "status", header: t("errors.status_col"), render: (i) => <IssueStatus status={i.status} /> },
          { key: "assignee", header: t("triage.assignee"), render: (i) => i.assignee ?? "—" },
          { key: "created", header: t("errors.raised"), render: (i) => <Time value={i.created_at} /> },
          { key: "repair", header: t("errors.repair_col"), render: repairLink },
        ]
      : kind === "tr_code"
        ? [
            { key: "uti", header: t("col.uti"), render: utiLink, className: "col-id" },
            { key: "message", header: t("errors.tr_message"), render: (i) => (i.tr_message ? <span className="tr-said" translate="no">{i.tr_message}</span> : "—") },
            { key: "regime", header: t("trades.regime"), render: (i) => (i.regime ? regimeLabel(t, i.regime) : "—") },
            { key: "msg_id", header: t("errors.tr_message_id"), render: (i) => (i.tr_message_id ? <code>{i.tr_message_id}</code> : "—") },
            { key: "status", header: t("errors.status_col"), render: nackStatus },
            { key: "repair", header: t("errors.repair_col"), render: repairLink },
          ]
        : kind === "parse"
          ? [
              { key: "row", header: t("errors.row"), render: (i) => i.row_no ?? i.id },
              { key: "error", header: t("errors.parse_error"), render: (i) => i.error ?? "—" },
              { key: "content", header: t("errors.content"), render: (i) => (i.content ? <code className="row-content">{i.content}</code> : "—") },
              { key: "file", header: t("files.title"), render: (i) => (
                <a href={href("/files", { file: i.file_id ?? groupKey })}>
                  {t("errors.open_file")}<span className="sr-only"> ({i.object_key ?? groupKey})</span>
                </a>
              ) },
            ]
        : [
            { key: "message_id", header: t("errors.message_id"), render: (i) => <code>{i.message_id}</code> },
            { key: "receives", header: t("errors.receives"), render: (i) => i.receive_count ?? "—" },
            { key: "error", header: t("errors.last_error"), render: (i) => i.last_error ?? "—" },
            { key: "dead", header: t("errors.dead_at"), render: (i) => <Time value={i.dead_at} /> },
          ];

  return (
    <>
      {kind === "rule" && <RuleCard rule={rules?.get(groupKey)} />}
      {kind === "rule" && (
        <div className="field inline">
          <label htmlFor="items-status">{t("errors.status_filter")}</label>
          <select id="items-status" value={status ?? ""}
            onChange={(e) => navigate(href("/errors", { kind, key: groupKey, status: e.target.value || undefined }))}>
            <option value="">{t("errors.status_all")}</option>
            {ISSUE_STATUSES.map((s) => (
              <option key={s} value={s}>{codeLabel(t, "issue_status", s)}</option>
            ))}
          </select>
        </div>
      )}
      {list.error && <ProblemBox error={list.error} onRetry={list.reload} />}
      {list.rows.length > 0 && (
        <DataTable caption={t("errors.items", { key: kind === "parse" ? list.rows[0]?.object_key ?? groupKey : groupKey })}
          className="items" columns={columns} rows={list.rows}
          rowKey={(i) => String(i.id)}
          selection={selectable ? {
            selected,
            onChange: (next) => {
              setSelected(next);
              setSelectedAll(false);
            },
            rowLabel: (i) => t("errors.select", { uti: i.uti ?? String(i.id) }),
            allLabel: t("errors.select_all"),
            selectable: selectableRow,
          } : undefined} />
      )}
      {selectable && (
        <SelectAllMatching total={total} loaded={list.rows.length} allLoadedSelected={allLoadedSelected}
          selectedAll={selectedAll} onSelectAll={() => setSelectedAll(true)} onClear={clearSelection} />
      )}
      {list.loading ? <Loading /> : !list.error && list.rows.length === 0 && <Empty />}
      <ListPager list={list} />
      {selectable && kind === "tr_code" && (
        <div className="bulk-actions">
          <button type="button" disabled={count === 0 || busy} onClick={resubmit}>
            {t("errors.resubmit", { n: count })}
          </button>
        </div>
      )}
      {selectable && kind === "rule" && <IssueTriage count={count} busy={busy} onAssign={assign} onResolve={resolve} />}
      {runner.progress && runner.running && <Progress progress={runner.progress} label={t("bulkrepair.applying")} />}
      {busy && <button type="button" onClick={runner.cancel}>{t("bulkrepair.cancel")}</button>}
      {runner.error && <ProblemBox error={runner.error} />}
      {runner.held && <HeldNotice approval={runner.held.approval} notSent={runner.held.notSent} />}
      {runner.progress && !runner.running && runner.outcomes.length > 0 && (
        <BulkOutcomes outcome={{ items: runner.outcomes, ok: runner.outcomes.filter((o) => o.ok).length,
          refused: runner.outcomes.filter((o) => !o.ok).length }} labelFor={(id) => labels.current.get(id) ?? id} />
      )}
      {(kind === "rule" || kind === "tr_code") && bulkFor && (
        <BulkRepair key={bulkFor === "all" ? "all" : bulkFor.join(",")} kind={kind} groupKey={groupKey} status={status}
          selectedIds={bulkFor} items={list.rows} total={total} canAct={canAct} onDone={() => {
            keepBulk.current = true;
            clearSelection();
            list.reload();
            onChanged();
          }} />
      )}
    </>
  );
}

export default function Errors({ params }: { params: URLSearchParams }) {
  const { t } = useI18n();
  const api = useApi();
  const { user } = useMe();
  const groups = usePolled<{ items: Group[] }>("/api/errors", POLL_MS);
  const [changes, setChanges] = useState(0);
  const [noGroup, setNoGroup] = useState(false);
  const kind = params.get("kind") as Kind | null;
  const key = params.get("key");
  const eventId = params.get("event");
  const field = params.get("field");
  const value = params.get("value");
  const wanted = params.get("status");
  const status = ISSUE_STATUSES.find((s) => s === wanted) ?? null;
  const canAct = canMutate(user);
  const reloadGroups = groups.reload;

  // Opened on an event without a group (Trade detail links so): its own most urgent group.
  useEffect(() => {
    if (!eventId || (kind && key)) return;
    let live = true;
    setNoGroup(false);
    api.read("/api/errors", {}, { event: eventId })
      .then((page) => {
        if (!live) return;
        const [first] = page.items;
        if (!first || first.open === 0 || !first.key) return setNoGroup(true);
        const sample = first.kind === "rule" && !field ? first.sample : undefined;
        replace(href("/errors", { kind: first.kind, key: first.key, event: eventId,
          field: field ?? sample?.field ?? undefined, value: field ? value ?? undefined : sample?.value ?? undefined }));
      })
      .catch(() => live && setNoGroup(true));
    return () => {
      live = false;
    };
  }, [api, eventId, kind, key, field, value]);

  const acted = () => {
    setChanges((c) => c + 1);
    reloadGroups();
  };
  const close = () => navigate(href("/errors", { kind: kind ?? undefined, key: key ?? undefined, status: status ?? undefined }));
  // "Apply and next": the group's first open item other than this one
  const openNext = async (): Promise<boolean> => {
    if (!kind || !key || !eventId) return false;
    try {
      const page = await api.read("/api/errors/{kind}/{key}", { kind, key },
        { limit: ITEMS_PAGE, ...(kind === "rule" ? { status: ["open", "assigned"] } : {}) });
      const next = page.items.find((i) => i.event_id && i.event_id !== eventId && repairable(kind, i));
      if (!next) return false;
      navigate(repairHref(kind, key, status, next));
      return true;
    } catch {
      return false;
    }
  };

  const drawer = eventId && (!kind || !key) ? null : eventId;
  const group = groups.data?.items.find((g) => g.kind === kind && g.key === key);
  const title = kind === "parse" ? group?.object_key ?? key : key; // a file by its name, not its id
  return (
    <section aria-labelledby="errors-title">
      <h1 id="errors-title">{t("errors.title")}</h1>
      <div className={`cols errors-cols${drawer ? " with-drawer" : ""}`}>
        <section aria-labelledby="groups-title">
          <h2 id="groups-title">{t("errors.groups")}</h2>
          {groups.error && <ProblemBox error={groups.error} onRetry={groups.reload} />}
          {!groups.data ? !groups.error && <Loading />
            : groups.data.items.length === 0 ? <Empty />
            : <GroupList groups={groups.data.items} kind={kind} groupKey={key} />}
        </section>
        <section aria-labelledby="items-title">
          <h2 id="items-title">{kind && key ? t("errors.items", { key: title ?? key }) : t("errors.pick")}</h2>
          {eventId && !(kind && key) && <p className="muted" role="status">{noGroup ? t("errors.no_group") : t("errors.choosing")}</p>}
          {kind && key && (
            <Items key={`${kind}:${key}:${status}`} kind={kind} groupKey={key} status={status} canAct={canAct}
              total={(status ? group?.by_status?.[status] : group?.count) ?? 0}
              onChanged={groups.reload} changes={changes} currentEvent={eventId} />
          )}
        </section>
        {drawer && (
          <RepairDrawer key={drawer} eventId={drawer} canApply={canAct}
            context={kind && key ? `${t(`errors.kind.${kind}` as MessageKey)} ${key}` : undefined}
            initial={field ? [{ field, value: value ?? "" }] : []}
            onActed={acted} onNext={openNext} onClose={close} />
        )}
      </div>
    </section>
  );
}
