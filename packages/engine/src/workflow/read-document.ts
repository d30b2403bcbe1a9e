/**
 * Turns workflow text (YAML or JSON) into a value and a {@link SourceMap}, or into syntax problems with
 * their line and column. JSON is parsed with `JSON.parse`, so its syntax errors are JSON's; it is also
 * read by the YAML parser, which gives the positions (and catches duplicate keys, which JSON.parse
 * silently lets win).
 *
 * @internal
 * @module
 */
import { validJsonPrefixLength } from '@sluice/sdk/internal';
import { type Document, isAlias, LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { WorkflowProblem } from '../errors.js';
import { cappedFailure } from './capped-failure.js';
import { duplicateKeyOffsets } from './duplicate-keys.js';
import { createSourceMap, type SourceMap } from './source-map.js';
import { WORKFLOW_LIMITS } from './workflow-limits.js';
import { yamlNodes } from './yaml-nodes.js';

/** The text formats a workflow can be written in. */
export type WorkflowFormat = 'yaml' | 'json';

/** A parsed document, or why it does not parse (`omitted`: problems found beyond those listed). */
export type ReadResult =
  | { ok: true; value: unknown; sourceMap: SourceMap }
  | { ok: false; problems: WorkflowProblem[]; omitted?: number };

/** How much of a duplicate key is read to name it (YAML implicit keys are at most 1024 characters). */
const MAX_KEY_SHOWN = 1100;

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

/**
 * Parses `text` as `format`. Never throws. Linear in the size of the text; lists at most
 * {@link WORKFLOW_LIMITS}`.maxProblems` syntax problems (`omitted` counts the rest).
 */
export function readDocument(text: string, format: WorkflowFormat): ReadResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (source.trim() === '') {
    return { ok: false, problems: [{ path: '', message: 'the document is empty', line: 1 }] };
  }
  const lineCounter = new LineCounter();
  // `uniqueKeys: false`: the parser's check is quadratic; duplicate-keys.ts finds them in one pass.
  const doc = parseDocument(source, {
    lineCounter,
    merge: format === 'yaml',
    prettyErrors: false,
    uniqueKeys: false,
  });
  const at = (offset: number, message: string): WorkflowProblem => {
    const pos = lineCounter.linePos(offset);
    return { path: '', message, line: pos.line, column: pos.col };
  };
  const duplicates = duplicateKeyOffsets(doc).map((offset) => at(offset, duplicateKey(source, offset)));
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (err) {
      return { ok: false, problems: [jsonProblem(source, err)] };
    }
    if (duplicates.length > 0) return failed(duplicates);
    return { ok: true, value, sourceMap: createSourceMap(doc, lineCounter) };
  }
  // A stack overflow inside the parser leaves a broken tree behind: its other errors are noise.
  const errors = doc.errors.filter((e) => e.code === 'RESOURCE_EXHAUSTION').slice(0, 1);
  const found = errors.length > 0 ? errors : [...doc.errors, ...doc.warnings];
  const syntax = found.map((error) => at(error.pos[0], yamlMessage(error)));
  if (syntax.length + duplicates.length > 0) return failed([...syntax, ...duplicates]);
  // The parser resolves each alias by scanning the anchors before it: too many aliases is quadratic.
  const tooMany = nthAlias(doc, WORKFLOW_LIMITS.maxAliases + 1);
  if (tooMany !== undefined) return failed([at(tooMany, TOO_MANY_ALIASES)]);
  try {
    return {
      ok: true,
      value: doc.toJS({ maxAliasCount: WORKFLOW_LIMITS.maxAliases }),
      sourceMap: createSourceMap(doc, lineCounter),
    };
  } catch (err) {
    // An alias to an unknown anchor, too many aliases (a "billion laughs" document), or too deep.
    return { ok: false, problems: [{ path: '', message: toJsMessage(err) }] };
  }
}

/** The problems in text order, at most `maxProblems` of them. */
function failed(problems: WorkflowProblem[]): ReadResult {
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return cappedFailure(problems);
}

const TOO_DEEP = `the document nests lists and objects too deeply (at most ${WORKFLOW_LIMITS.maxDepth} levels)`;

function yamlMessage(error: YAMLError): string {
  // The parser catches its own stack overflow on a deeply nested document and reports it as this.
  if (error.code === 'RESOURCE_EXHAUSTION') return TOO_DEEP;
  return firstLine(error.message);
}

function toJsMessage(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return TOO_DEEP;
  const message = err instanceof Error ? err.message : String(err);
  if (/^Excessive alias count/.test(message)) {
    return (
      `the YAML aliases (*name) expand to too much data (more than ${WORKFLOW_LIMITS.maxAliases} ` +
      'expansions, counting the aliases inside each aliased value); write the repeated parts out, or alias less'
    );
  }
  return firstLine(message);
}

const TOO_MANY_ALIASES = `more than ${WORKFLOW_LIMITS.maxAliases} YAML aliases (*name); write the repeated parts out, or alias less`;

/** The offset of the `n`th alias of the document, if it has that many. */
function nthAlias(doc: Document, n: number): number | undefined {
  let count = 0;
  for (const node of yamlNodes(doc)) {
    if (isAlias(node) && ++count === n) return node.range?.[0] ?? 0;
  }
  return undefined;
}

/** `duplicate key "name"`: the YAML parser's message does not say which key. */
function duplicateKey(text: string, offset: number): string {
  // A bounded slice: a copy of the rest of the text for each duplicate would be quadratic.
  const rest = text.slice(offset, offset + MAX_KEY_SHOWN);
  const key = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^:\n]+?)\s*:/.exec(rest)?.[1];
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
  // The offending character is the one just past the valid start; skip the blanks before it.
  let offset = validJsonPrefixLength(text);
  while (offset < text.length && /\s/.test(text[offset] as string)) offset += 1;
  return Math.min(offset, text.length);
}
