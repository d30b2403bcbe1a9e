/**
 * Workflow documents that never change: a published version's document (`workflows/workflow-queries.ts`
 * parses it once per process) and what runs execute of it (`run/admit-run.ts`). They are frozen all the
 * way down, so every run of a version can share one copy and its JSON text: a run row stores the
 * document it pinned, and stringifying it again for every run was a measurable part of starting one
 * (issue 14).
 *
 * @internal
 * @module
 */

const FROZEN = new WeakMap<object, { json: string | undefined }>();

/** `value` frozen all the way down and remembered as such; returns it. */
export function freezeDocument<T extends object>(value: T): T {
  deepFreeze(value);
  if (!FROZEN.has(value)) FROZEN.set(value, { json: undefined });
  return value;
}

/** Whether `value` was frozen by {@link freezeDocument} (its copies, and anything else, were not). */
export function isFrozenDocument(value: unknown): boolean {
  return typeof value === 'object' && value !== null && FROZEN.has(value);
}

/** The JSON text of a document frozen by {@link freezeDocument}, made once; `undefined` for any other value. */
export function frozenDocumentJson(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = FROZEN.get(value);
  if (entry === undefined) return undefined;
  entry.json ??= JSON.stringify(value);
  return entry.json;
}

function deepFreeze(value: unknown): void {
  // A stack, not recursion: a document's depth is the publisher's choice.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null || Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const member of Object.values(next)) pending.push(member);
  }
}
