/**
 * The `Idempotency-Key` of a step item: a name-based UUID (version 5 layout, SHA-1) of the run id, the
 * step index and the item index, so it is the same across retries and across re-executions of the
 * item after a crash, and differs between items, steps and runs.
 *
 * @module
 */
import { hash } from 'node:crypto';

/** The header every step call carries. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** A fixed namespace for Sluice step items (a random UUID, chosen once). */
const NAMESPACE = Buffer.from('5c0b2f4e9a1d4c7b8e2f3a6d1b9c0e57', 'hex');

/**
 * The idempotency key of item `itemIndex` of step `stepIndex` in run `runId`, as a UUID string.
 *
 * @example
 * idempotencyKey('run-1', 0, 0); // always the same UUID for this item
 */
export function idempotencyKey(runId: string, stepIndex: number, itemIndex: number): string {
  return uuidOf(`${runId}/${stepIndex}/${itemIndex}`);
}

/** The name-based UUID of `name` in Sluice's namespace. */
function uuidOf(name: string): string {
  // One-shot `hash` (a third of what a createHash chain costs): every step item makes a key.
  const digest = hash('sha1', Buffer.concat([NAMESPACE, Buffer.from(name, 'utf8')]), 'buffer');
  digest[6] = ((digest[6] as number) & 0x0f) | 0x50;
  digest[8] = ((digest[8] as number) & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The key of page `page` of a paginated item whose key is `itemKey`: page 0 keeps the item's key, so a
 * step's first call is keyed the same with or without `paginate`; every later page has its own.
 */
export function pageIdempotencyKey(itemKey: string, page: number): string {
  return page === 0 ? itemKey : uuidOf(`${itemKey}/page/${page}`);
}
