import { useCallback, useRef, useState } from "react";
import { ApiError, type ApiClient } from "../../api/client";
import { useApi } from "../../api/context";
import { approvalsChanged, isHeld, type ApprovalRequest, type PendingApproval } from "../../api/types/approvals";
import type { Schemas } from "../../api/types/spec";

type Item = Schemas["ErrorItem"];
type Kind = Schemas["ErrorGroup"]["kind"];
type IssueStatus = Schemas["EventIssue"]["status"];

/** The API's bulk acts answer one outcome per id, each saying whether it went through. */
export interface ChunkAnswer<O extends { id: string; ok: boolean }> {
  items: O[];
}

/** Which rows a run goes over: the rows given (a selection of the loaded page), or every row of
 * an error group, walked page by page from the API ("all matching", not only the loaded rows). */
export type BulkSource =
  | { items: Item[] }
  | { kind: Kind; groupKey: string; status?: IssueStatus | null };

export interface BulkProgress {
  done: number; // rows walked so far
  total: number; // rows expected (the group's count, or what was given)
  ok: number;
  refused: number;
}

/** A chunk the tenant's four-eyes policy held (202): the request waiting for another user, and
 * the rows of the run that were not sent after it. */
export interface BulkHeld {
  approval: ApprovalRequest;
  notSent: number;
}

export interface BulkRunOptions<O extends { id: string; ok: boolean }> {
  source: BulkSource;
  /** The act for one chunk (≤ chunkSize distinct keys): resubmit, assign, resolve, repair. A
   * `PendingApproval` answer (held for approval) ends the run. */
  act: (keys: string[], rows: Item[]) => Promise<ChunkAnswer<O> | PendingApproval>;
  /** What the act takes of a row: the issue id (assign, resolve) or the event id (resubmit,
   * repair). A key is sent once per run: a rule can raise one issue per regime of an event. */
  keyOf?: (item: Item) => string | null | undefined;
  total?: number; // the group's count, when known (progress before the last page)
  chunkSize?: number;
}

export const PAGE = 500; // the API's largest page, and the bulk acts' largest list
const issueId = (i: Item) => String(i.id);

async function* pages(api: ApiClient, source: BulkSource, chunkSize: number): AsyncGenerator<Item[]> {
  if ("items" in source) {
    for (let n = 0; n < source.items.length; n += chunkSize) yield source.items.slice(n, n + chunkSize);
    return;
  }
  let cursor: string | undefined;
  do {
    const page = await api.read("/api/errors/{kind}/{key}", { kind: source.kind, key: source.groupKey }, {
      // only issues have a status: the API refuses it for the other kinds
      ...(source.kind === "rule" && source.status ? { status: [source.status] } : {}),
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    yield page.items;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
}

/** Runs a bulk act over many rows in chunks, with progress, cancellable between chunks; the
 * outcomes of every chunk are collected. A refused request (403, 422, network) stops the run
 * and is kept in `error`; what was done before it stays done and listed. A chunk held for
 * four-eyes approval also stops it (`held`): the API counts events per request, so sending the
 * rest would let a small last chunk through without the second pair of eyes the policy wants. */
export function useBulkRun<O extends { id: string; ok: boolean }>() {
  const api = useApi();
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<BulkProgress | null>(null);
  const [outcomes, setOutcomes] = useState<O[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const [held, setHeld] = useState<BulkHeld | null>(null);
  const stop = useRef(false);

  const run = useCallback(async (options: BulkRunOptions<O>): Promise<O[]> => {
    const { source, act, keyOf = issueId, chunkSize = PAGE } = options;
    const size = Math.min(Math.max(chunkSize, 1), PAGE);
    const expected = options.total ?? ("items" in source ? source.items.length : 0);
    const all: O[] = [];
    const sent = new Set<string>();
    let done = 0;
    stop.current = false;
    setRunning(true);
    setCancelled(false);
    setError(null);
    setHeld(null);
    setOutcomes([]);
    setProgress({ done: 0, total: expected, ok: 0, refused: 0 });
    try {
      for await (const rows of pages(api, source, size)) {
        const keys = [...new Set(rows.map(keyOf).filter((k): k is string => !!k && !sent.has(k)))];
        if (keys.length > 0) {
          const answer = await act(keys, rows);
          keys.forEach((k) => sent.add(k));
          if (isHeld(answer)) {
            done += rows.length;
            setHeld({ approval: answer.approval, notSent: Math.max(expected - done, 0) });
            const ok = all.filter((o) => o.ok).length; // chunks before it ran
            setProgress({ done, total: Math.max(expected, done), ok, refused: all.length - ok });
            approvalsChanged();
            break;
          }
          all.push(...answer.items);
        }
        done += rows.length;
        const ok = all.filter((o) => o.ok).length;
        setOutcomes([...all]);
        setProgress({ done, total: Math.max(expected, done), ok, refused: all.length - ok });
        if (stop.current) {
          setCancelled(true);
          break;
        }
      }
    } catch (exc) {
      setError(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
    } finally {
      setRunning(false);
    }
    return all;
  }, [api]);

  /** Stop after the chunk in flight (it is not taken back: the server has done it). */
  const cancel = useCallback(() => {
    stop.current = true;
  }, []);

  const reset = useCallback(() => {
    setProgress(null);
    setOutcomes([]);
    setError(null);
    setCancelled(false);
    setHeld(null);
  }, []);

  return { run, cancel, reset, running, progress, outcomes, error, cancelled, held };
}
