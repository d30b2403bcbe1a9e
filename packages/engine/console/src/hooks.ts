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
  const keepPolling = poll?.while;
  useEffect(() => {
    if (pollMs === undefined) return;
    const timer = setInterval(() => {
      if (document.hidden) return;
      const data = dataRef.current;
      if (data !== undefined && keepPolling !== undefined && !keepPolling(data)) return;
      void reload();
    }, pollMs);
    return () => clearInterval(timer);
  }, [reload, pollMs, keepPolling]);

  return { data: state.data, error: state.error, loading: state.loading, reload };
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
