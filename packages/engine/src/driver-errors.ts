/**
 * How a failure of a database or Redis driver is told: the error as one line, and the URL without its
 * password. The store, the queue and `sluice status` use them.
 *
 * @internal
 * @module
 */

/**
 * The URL with its password replaced by `***`, in the user-info part and in a `password=` query
 * parameter; nothing else is changed.
 */
export function maskUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^/?#]*@/i, '$1***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** A driver error's message, or its code (Node's `AggregateError` for a refused connect has none). */
export function describe(err: unknown): string {
  if (err instanceof AggregateError && err.message === '') {
    return err.errors.map(describe).join('; ') || 'unknown error';
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return err.message || (typeof code === 'string' ? code : err.name);
  }
  return String(err);
}
