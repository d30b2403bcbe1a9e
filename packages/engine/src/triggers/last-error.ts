/**
 * How a trigger's `last_error` shows an error: its message, with its code first when it is one of ours
 * (`SLUICE_CONNECTION_TEST: ...`), so `GET /v1/workflows/{uid}/trigger` says which failure it was.
 *
 * @module
 */

/** The text of `err` for `last_error`. */
export function lastErrorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && code.startsWith('SLUICE_') ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
