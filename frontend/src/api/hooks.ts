import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, type ApiClient } from "./client";
import { useApi } from "./context";

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

function asApiError(exc: unknown): ApiError {
  return exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null);
}

/** Loads `load(api)` when `key` changes; a stale answer (key changed meanwhile) is dropped. */
export function useLoad<T>(key: string, load: (api: ApiClient) => Promise<T>): Loaded<T> {
  const api = useApi();
  const [state, setState] = useState<{ key: string; data: T | null; error: ApiError | null; loading: boolean }>({
    key,
    data: null,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    let live = true;
    setState((s) => ({ key, data: s.key === key ? s.data : null, error: null, loading: true }));
    loader
      .current(api)
      .then((data) => live && setState({ key, data, error: null, loading: false }))
      .catch((exc) => live && setState({ key, data: null, error: asApiError(exc), loading: false }));
    return () => {
      live = false;
    };
  }, [api, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Polls a GET every `intervalMs` with If-None-Match: unchanged data costs a 304, no body.
 * Polling pauses while the tab is hidden. */
export function usePolled<T>(path: string, intervalMs: number): Loaded<T> & { updatedAt: Date | null } {
  const api = useApi();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const etag = useRef<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    etag.current = null;
    const poll = async () => {
      if (typeof document === "undefined" || document.visibilityState !== "hidden") {
        try {
          const answer = await api.getIfChanged<T>(path, etag.current);
          if (!live) return;
          if (!answer.notModified) {
            etag.current = answer.etag;
            setData(answer.data);
          }
          setError(null);
          setUpdatedAt(new Date());
        } catch (exc) {
          if (live) setError(asApiError(exc));
        } finally {
          if (live) setLoading(false);
        }
      }
      if (live) timer = setTimeout(poll, intervalMs);
    };
    setLoading(true);
    poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, path, intervalMs, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, updatedAt };
}
