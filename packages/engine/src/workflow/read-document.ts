/**
 * Turns workflow text (YAML or JSON) into a value and a {@link SourceMap}, or into syntax problems with
 * their line and column. JSON is parsed with `JSON.parse`, so its syntax errors are JSON's; it is also
 * read by the YAML parser, which gives the positions (and catches duplicate keys, which JSON.parse
 * silently lets win).
 *
 * @internal
 * @module
 */
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { WorkflowProblem } from '../errors.js';
import { createSourceMap, type SourceMap } from './source-map.js';

/** The text formats a workflow can be written in. */
export type WorkflowFormat = 'yaml' | 'json';

/** A parsed document, or why it does not parse. */
export type ReadResult =
  | { ok: true; value: unknown; sourceMap: SourceMap }
  | { ok: false; problems: WorkflowProblem[] };

/**
 * The format to parse `text` as: `format` when given, else the file extension (`.json`, `.yaml`,
 * `.yml`), else JSON when the text starts with `{`, else YAML.
 */
export function pickFormat(text: string, format?: WorkflowFormat, file?: string): WorkflowFormat {
  if (format !== undefined) return format;
  const ext = /\.([^./\\]+)$/.exec(file ?? '')?.[1]?.toLowerCase();
  if (ext === 'json') return 'json';
  if (ext === 'yaml' || ext === 'yml') return 'yaml';
  return /^\s*\{/.test(text) ? 'json' : 'yaml';
}

/** Parses `text` as `format`. Never throws. */
export function readDocument(text: string, format: WorkflowFormat): ReadResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (source.trim() === '') {
    return { ok: false, problems: [{ path: '', message: 'the document is empty', line: 1 }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, merge: format === 'yaml', prettyErrors: false });
  const problem = (error: YAMLError): WorkflowProblem => {
    const pos = lineCounter.linePos(error.pos[0]);
    const message =
      error.code === 'DUPLICATE_KEY' ? duplicateKey(source, error.pos[0]) : firstLine(error.message);
    return { path: '', message, line: pos.line, column: pos.col };
  };
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (err) {
      return { ok: false, problems: [jsonProblem(source, err)] };
    }
    const duplicates = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    if (duplicates.length > 0) return { ok: false, problems: duplicates.map(problem) };
    return { ok: true, value, sourceMap: createSourceMap(doc, lineCounter) };
  }
  const problems = [...doc.errors, ...doc.warnings].map(problem);
  if (problems.length > 0) return { ok: false, problems };
  try {
    return {
      ok: true,
      value: doc.toJS({ maxAliasCount: 1000 }),
      sourceMap: createSourceMap(doc, lineCounter),
    };
  } catch (err) {
    // An alias to an unknown anchor, or too many aliases (a "billion laughs" document).
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, problems: [{ path: '', message: firstLine(message) }] };
  }
}

/** `duplicate key "name"`: the YAML parser's message does not say which key. */
function duplicateKey(text: string, offset: number): string {
  const key = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^:\n]+?)\s*:/.exec(text.slice(offset))?.[1];
  const name =
    key === undefined ? '' : ` ${key.startsWith('"') || key.startsWith("'") ? key : JSON.stringify(key)}`;
  return `duplicate key${name}: keys must be unique within an object`;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function jsonProblem(text: string, err: unknown): WorkflowProblem {
  const raw = err instanceof Error ? err.message : String(err);
  const message = raw
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '');
  const offset = jsonErrorOffset(text, raw);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { path: '', message: `invalid JSON: ${message}`, line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Where JSON parsing stopped. V8 names the position in most messages; otherwise it is the end of the
 * longest prefix that is still the start of a valid JSON text, found by bisection.
 */
function jsonErrorOffset(text: string, message: string): number {
  const at = /at position (\d+)/.exec(message);
  if (at !== null) return Number(at[1]);
  const validStart = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (err) {
      const why = err instanceof Error ? err.message : '';
      const pos = /at position (\d+)/.exec(why);
      return /Unexpected end of JSON input/.test(why) || (pos !== null && Number(pos[1]) >= length);
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (validStart(mid)) low = mid;
    else high = mid - 1;
  }
  // The offending character is the one just past the valid start; skip the blanks before it.
  let offset = low;
  while (offset < text.length && /\s/.test(text[offset] as string)) offset += 1;
  return Math.min(offset, text.length);
}
