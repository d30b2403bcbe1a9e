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

/** The namespace, then the name: written in place for every key (a name of a run is short). */
const SCRATCH = Buffer.alloc(1024);
NAMESPACE.copy(SCRATCH);

/** The name-based UUID of `name` in Sluice's namespace. */
function uuidOf(name: string): string {
  // Every step item makes a key: one-shot `hash` of bytes written in place, its hex set to a UUID's.
  const data =
    name.length * 3 <= SCRATCH.length - NAMESPACE.length
      ? SCRATCH.subarray(0, NAMESPACE.length + SCRATCH.write(name, NAMESPACE.length, 'utf8'))
      : Buffer.concat([NAMESPACE, Buffer.from(name, 'utf8')]);
  const hex = hash('sha1', data, 'hex');
  // Version 5 (the high nibble of byte 6) and the RFC 4122 variant (the top two bits of byte 8).
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The key of page `page` of a paginated item whose key is `itemKey`: page 0 keeps the item's key, so a
 * step's first call is keyed the same with or without `paginate`; every later page has its own.
 */
export function pageIdempotencyKey(itemKey: string, page: number): string {
  return page === 0 ? itemKey : uuidOf(`${itemKey}/page/${page}`);
}
