/**
 * The logger behind `sluice exec --verbose`: one line per log call on stderr, with every secret masked.
 *
 * @module
 */
import type { LogFn, Logger } from '@sluice/sdk';
import { maskText } from './mask-text.js';

/** Options of {@link createStderrLogger}. */
export interface StderrLoggerOptions {
  /** Writes one line (it ends with a newline). */
  write: (line: string) => void;
  /** The values to mask, read at each line (tokens may be acquired during the run). */
  secrets: () => readonly string[];
}

/**
 * Creates a {@link Logger} that prints `level message {"bindings":...}` lines, secrets masked.
 * Child bindings are merged into each line.
 */
export function createStderrLogger(
  options: StderrLoggerOptions,
  bindings: Record<string, unknown> = {},
): Logger {
  const line =
    (level: string): LogFn =>
    (first: Record<string, unknown> | string, message?: string) => {
      const fields = typeof first === 'string' ? { ...bindings } : { ...bindings, ...first };
      const text = typeof first === 'string' ? first : (message ?? '');
      options.write(`${maskText(formatLine(level, text, fields), options.secrets())}\n`);
    };
  return {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    child: (more) => createStderrLogger(options, { ...bindings, ...more }),
  };
}

/**
 * The HTTP client's `request` and `response` lines as `> GET url` / `< 200 GET url (12 ms)`, each followed
 * by its headers and body, indented; any other line as `level message {fields}`.
 */
export function formatLine(level: string, message: string, fields: Record<string, unknown>): string {
  const { method, url, headers, body, status, durationMs, attempts } = fields;
  if (
    typeof method === 'string' &&
    typeof url === 'string' &&
    (message === 'request' || message === 'response')
  ) {
    const lines: string[] = [];
    if (message === 'request') {
      lines.push(`> ${method} ${url}`);
      for (const [name, value] of Object.entries(isRecord(headers) ? headers : {}))
        lines.push(`>   ${name}: ${value}`);
      if (body !== undefined) lines.push(`>   ${String(body)}`);
      return lines.join('\n');
    }
    const took = typeof durationMs === 'number' ? `${durationMs} ms` : undefined;
    const tries = typeof attempts === 'number' && attempts > 1 ? `${attempts} attempts` : undefined;
    const extra = [took, tries].filter((part) => part !== undefined).join(', ');
    lines.push(`< ${String(status)} ${method} ${url}${extra === '' ? '' : ` (${extra})`}`);
    if (body !== undefined && body !== '') lines.push(`<   ${String(body)}`);
    return lines.join('\n');
  }
  const keys = Object.keys(fields);
  return `${level} ${message}${keys.length === 0 ? '' : ` ${JSON.stringify(fields, jsonSafe)}`}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps lines printable: errors as their message, bytes as their size, bigints as strings. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}
