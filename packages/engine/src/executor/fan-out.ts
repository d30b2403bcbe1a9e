/**
 * Fan-out (DESIGN §4 "Step execution"): a step whose rendered `input` is a list runs once per item;
 * anything else runs once. Items start in order, at most `limit` at a time; after a failure no new
 * item starts (those in flight finish). Pure scheduling: no I/O of its own.
 *
 * @module
 */

/** The items a rendered input runs: the list itself, or the one value. */
export function fanOutItems(input: unknown): { fannedOut: boolean; items: unknown[] } {
  return Array.isArray(input) ? { fannedOut: true, items: input } : { fannedOut: false, items: [input] };
}

/**
 * Runs `run(item, index)` for each item, at most `limit` at once, in index order. Resolves to the
 * results in item order; `undefined` marks an item that never started because `failed(result)` was
 * true for an earlier one or `signal` was aborted. Rejections from `run` are not caught: the first one
 * rejects the whole fan-out once the items in flight have settled.
 */
export async function fanOut<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<R>,
  failed: (result: R) => boolean,
  signal?: AbortSignal,
): Promise<(R | undefined)[]> {
  // One item (every step that does not fan out): the same outcome without workers to share the list.
  if (items.length === 1) {
    const result = signal?.aborted ? undefined : await run(items[0] as T, 0);
    signal?.throwIfAborted();
    return [result];
  }
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  let stop = false;
  let error: { reason: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!stop && next < items.length && !signal?.aborted) {
      const index = next++;
      try {
        const result = await run(items[index] as T, index);
        results[index] = result;
        if (failed(result)) stop = true;
      } catch (reason) {
        stop = true;
        error ??= { reason };
      }
    }
  };
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (error !== undefined) throw error.reason;
  signal?.throwIfAborted();
  return results;
}
