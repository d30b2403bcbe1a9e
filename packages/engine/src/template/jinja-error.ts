/**
 * Reads what a minijinja-js error says: its kind, its detail, and where it points (line, column and
 * the text under the `^^^` marker of the debug display). The debug display also dumps the referenced
 * variables, which may hold secrets; nothing of it is kept but the position.
 *
 * @internal
 * @module
 */

/** What a minijinja error reports. */
export interface JinjaErrorInfo {
  kind: 'syntax' | 'fuel' | 'undefined' | 'other';
  /** The first line without the `(in name:line)` suffix, e.g. `invalid operation: ...`. */
  detail: string;
  /** 1-based line in the compiled source. */
  line?: number | undefined;
  /** 0-based offset of the marked span in the compiled source. */
  offset?: number | undefined;
  /** The marked text, when the marker sits on one line. */
  span?: string | undefined;
}

const HEAD = /^(.*?)(?: \(in [^\n]*?:(\d+)\))?$/;

/** Parses a minijinja-js error thrown while compiling or rendering `source`. */
export function parseJinjaError(error: unknown, source: string): JinjaErrorInfo {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n');
  const head = HEAD.exec(lines[0] ?? '') ?? [];
  const detail = (head[1] ?? '').trim() || 'template error';
  const line = head[2] === undefined ? undefined : Number(head[2]);
  const kind = detail.startsWith('syntax error')
    ? 'syntax'
    : detail.includes('ran out of fuel')
      ? 'fuel'
      : detail.startsWith('undefined value')
        ? 'undefined'
        : 'other';
  const info: JinjaErrorInfo = { kind, detail, line };
  if (line === undefined) return info;
  const at = lines.findIndex((l) => new RegExp(`^\\s*${line} > `).test(l));
  const marker = lines[at + 1];
  if (at < 0 || marker === undefined || !/^\s*i /.test(marker)) return info;
  const prefix = (lines[at] as string).indexOf(' > ') + 3;
  const caret = marker.indexOf('^');
  if (caret < prefix) return info;
  const column = caret - prefix;
  const width = /\^+/.exec(marker.slice(caret))?.[0].length ?? 1;
  const lineStart = nthLineStart(source, line);
  if (lineStart === undefined) return info;
  info.offset = lineStart + column;
  info.span = source.slice(info.offset, info.offset + width);
  return info;
}

function nthLineStart(source: string, line: number): number | undefined {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = source.indexOf('\n', start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  return start;
}

/** 1-based line and column of an offset. */
export function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = source.indexOf('\n'); i >= 0 && i < offset; i = source.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}
