/**
 * Masks secret values in text the CLI prints (log lines, error messages, stack traces). Pure.
 *
 * @module
 */

/** What every secret is replaced with, as in the SDK's logs and cassettes. */
export const MASK = '[secret]';

/**
 * Replaces each secret in `text`, in its plain, URL-encoded, form-encoded and JSON-escaped spellings,
 * longest first. Empty strings are ignored.
 */
export function maskText(text: string, secrets: readonly string[]): string {
  const spellings = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    spellings.add(secret);
    spellings.add(encodeURIComponent(secret));
    spellings.add(encodeURIComponent(secret).replaceAll('%20', '+'));
    spellings.add(JSON.stringify(secret).slice(1, -1));
  }
  let out = text;
  for (const spelling of [...spellings].sort((a, b) => b.length - a.length))
    out = out.replaceAll(spelling, MASK);
  return out;
}
