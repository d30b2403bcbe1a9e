/** Data loading for the pages: a load that can be re-run, and polling that pauses in a hidden tab. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Loads again (keeping the current data on screen until the answer comes). */
  reload: () => Promise<void>;
}

function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'CONSOLE', (err as Error).message ?? String(err));
}

/**
 * Runs `load` now and whenever `deps` change; with `pollMs`, again every `pollMs` while the tab is
 * visible and `keepPolling(data)` says so. An answer that arrives after a newer load started is dropped.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  poll?: { ms: number; while?: (data: T) => boolean },
): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const dataRef = useRef<T | undefined>(undefined);

  // `deps` are the caller's: what `load` reads.
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const data = await load();
      if (mine !== generation.current) return;
      dataRef.current = data;
      setState({ data, loading: false });
    } catch (err) {
      if (mine !== generation.current) return;
      setState({ data: dataRef.current, error: asApiError(err), loading: false });
    }
  }, deps);

  useEffect(() => {
    dataRef.current = undefined;
    setState({ loading: true });
    void reload();
  }, [reload]);

  const pollMs = poll?.ms;
  // The latest condition, read at each tick: a new function each render must not restart the timer.
  const keepPolling = useRef(poll?.while);
  keepPolling.current = poll?.while;
  useEffect(() => {
    if (pollMs === undefined) return;
    const timer = setInterval(() => {
      if (document.hidden) return;
      const data = dataRef.current;
      const condition = keepPolling.current;
      if (data !== undefined && condition !== undefined && !condition(data)) return;
      void reload();
    }, pollMs);
    return () => clearInterval(timer);
  }, [reload, pollMs]);

  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** A page of a list as the API answers it, its items under whichever name. */
export interface ListPage<T> {
  items: T[];
  next_cursor: string | null;
}

export interface PagedList<T> {
  /** The first page (read again while polling) then the older pages loaded, each item once. */
  items: T[];
  error: ApiError | undefined;
  loading: boolean;
  /** Whether there is a page after the last one loaded. */
  hasMore: boolean;
  loadMore: () => Promise<void>;
}

/**
 * A keyset-paginated list: `loadPage(undefined)` is the first page, kept fresh by `poll`; `loadMore`
 * appends the page after the last one loaded. Changing `deps` starts over from the first page.
 */
export function usePagedList<T>(
  loadPage: (cursor: string | undefined) => Promise<ListPage<T>>,
  keyOf: (item: T) => string,
  deps: readonly unknown[],
  poll?: { ms: number; while?: () => boolean },
): PagedList<T> {
  const [older, setOlder] = useState<ListPage<T> | undefined>(undefined);
  const first = useLoad(
    () => loadPage(undefined),
    deps,
    poll && { ms: poll.ms, while: () => poll.while?.() ?? true },
  );
  // Starting over is what a change of `deps` means.
  useEffect(() => setOlder(undefined), deps);
  const cursor = older === undefined ? first.data?.next_cursor : older.next_cursor;
  const loadMore = async () => {
    if (cursor === null || cursor === undefined) return;
    const page = await loadPage(cursor);
    setOlder({ items: [...(older?.items ?? []), ...page.items], next_cursor: page.next_cursor });
  };
  const seen = new Set<string>();
  const items = [...(first.data?.items ?? []), ...(older?.items ?? [])].filter((item) => {
    const key = keyOf(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    items,
    error: first.error,
    loading: first.loading,
    hasMore: cursor !== null && cursor !== undefined,
    loadMore,
  };
}

/** An action a button starts: `busy` while it runs, its error kept for the page to show. */
export function useAction<A extends unknown[]>(
  action: (...args: A) => Promise<unknown>,
): { run: (...args: A) => Promise<boolean>; busy: boolean; error: ApiError | undefined; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const run = async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      await action(...args);
      return true;
    } catch (err) {
      setError(asApiError(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, clear: () => setError(undefined) };
}
