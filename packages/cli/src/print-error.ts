/**
 * Turns any error into what the CLI prints on stderr: one line `error CODE: message`, a `hint:` line
 * when there is a hint, and the stack (with its causes) only under `--debug`. Pure.
 *
 * @module
 */
import { isSluiceError } from '@sluice/sdk';

/** Options of {@link formatError}. */
export interface FormatErrorOptions {
  /** Append the stack trace and the chain of causes. @default false */
  debug?: boolean;
}

/**
 * Formats `err` for stderr. Sluice errors print their code; other errors print their class name
 * (`error TypeError: ...`) and a hint to rerun with `--debug`. The message is kept on one line.
 */
export function formatError(err: unknown, options: FormatErrorOptions = {}): string {
  const lines: string[] = [];
  if (isSluiceError(err)) {
    lines.push(`error ${err.code}: ${oneLine(err.message)}`);
    if (err.hint !== undefined && err.hint !== '') lines.push(`hint: ${oneLine(err.hint)}`);
  } else if (err instanceof Error) {
    lines.push(`error ${err.name}: ${oneLine(err.message)}`);
    if (!options.debug) lines.push('hint: run again with --debug to see where it was thrown');
  } else {
    lines.push(`error: ${oneLine(String(err))}`);
  }
  if (options.debug) lines.push(...stackLines(err));
  return `${lines.join('\n')}\n`;
}

/** The stack of `err` and of each `cause` below it. */
function stackLines(err: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  let depth = 0;
  while (current instanceof Error && !seen.has(current) && depth < 10) {
    seen.add(current);
    out.push(`${depth === 0 ? '' : 'caused by: '}${current.stack ?? `${current.name}: ${current.message}`}`);
    current = current.cause;
    depth += 1;
  }
  return out;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
