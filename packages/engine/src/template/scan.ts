/**
 * A light lexer over Jinja source: it finds the tags of a template, tells whether the string is exactly
 * one `{{ expression }}`, and lists the state paths the template references (`STEPS.customers.output`),
 * so that only those sub-trees are handed to minijinja. It never decides whether a template is valid;
 * minijinja does that. When in doubt it references more, never less.
 *
 * @internal
 * @module
 */

/** A key on a reference path: an attribute or item name, or an integer index. */
export type PathKey = string | number;

/** What the scanner learned about one template string. */
export interface TemplateScan {
  /**
   * `text`: no template syntax at all, the string is used as is. `expression`: exactly one
   * `{{ ... }}` with only whitespace (and comments) around it. `template`: anything else.
   */
  kind: 'text' | 'expression' | 'template';
  /** For `expression`: the source between the delimiters (whitespace control stripped) and its offset. */
  expression?: { text: string; start: number };
  /** For `expression`: the path when the expression is a plain reference such as `STEPS.a.output`. */
  chain?: readonly PathKey[];
  /**
   * For `template`: the template as text and plain references in order, when it is nothing else
   * (`{{ SYSTEM_APIS.crm }}/v1/people/{{ CURRENT_STEP.input.id }}`): no filters, blocks, comments or
   * whitespace control, and no trailing newline (minijinja drops one).
   */
  interpolation?: readonly (string | readonly PathKey[])[];
  /**
   * The paths the template reads from the state, each ending where the template stops naming static
   * keys (the value at the end is used whole). `undefined` means the whole state.
   */
  references: readonly (readonly PathKey[])[] | undefined;
}

interface Token {
  type: 'name' | 'string' | 'number' | 'punct';
  value: string;
  /** Offset of the token in the source. */
  start: number;
  /** The decoded value of a string without escapes; `undefined` when it had escapes. */
  literal?: string | undefined;
}

interface Tag {
  kind: 'var' | 'block' | 'comment' | 'raw';
  start: number;
  end: number;
  innerStart: number;
  innerEnd: number;
  tokens: Token[];
}

const NAME = /[\p{ID_Start}_][\p{ID_Continue}]*/uy;
const NUMBER = /\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/y;
const RAW_START = /\{%[-+]?\s*raw\s*[-+]?%\}/y;
const RAW_END = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;
const TAG_START = /\{[{%#]/g;
const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/** Whether a string holds any template syntax (`{{`, `{%` or `{#`). */
export function isTemplate(source: string): boolean {
  return source.includes('{{') || source.includes('{%') || source.includes('{#');
}

/** Scans one template string. */
export function scanTemplate(source: string): TemplateScan {
  if (!isTemplate(source)) return { kind: 'text', references: [] };
  const tags = lexTags(source);
  if (tags === undefined) return { kind: 'template', references: undefined };
  const references: PathKey[][] = [];
  let everything = false;
  for (const tag of tags) {
    if (collectReferences(tag.tokens, references)) everything = true;
  }
  const result: TemplateScan = { kind: 'template', references: everything ? undefined : references };
  const single = singleExpression(source, tags);
  if (single !== undefined) {
    result.kind = 'expression';
    result.expression = { text: source.slice(single.innerStart, single.innerEnd), start: single.innerStart };
    const chain = plainChain(single.tokens);
    if (chain !== undefined) result.chain = chain;
  } else {
    const parts = interpolation(source, tags);
    if (parts !== undefined) result.interpolation = parts;
  }
  return result;
}

/** The text and plain references of a template made of nothing else, in order. */
function interpolation(source: string, tags: Tag[]): (string | PathKey[])[] | undefined {
  if (source.endsWith('\n') || source.endsWith('\r')) return undefined;
  const parts: (string | PathKey[])[] = [];
  let at = 0;
  for (const tag of tags) {
    if (tag.kind !== 'var' || '-+'.includes(source[tag.start + 2] as string)) return undefined;
    if ('-+'.includes(source[tag.end - 3] as string)) return undefined;
    const chain = plainChain(tag.tokens);
    if (chain === undefined) return undefined;
    if (tag.start > at) parts.push(source.slice(at, tag.start));
    parts.push(chain);
    at = tag.end;
  }
  if (at < source.length) parts.push(source.slice(at));
  return parts;
}

/** The only `{{ }}` tag when everything else is whitespace or comments. */
function singleExpression(source: string, tags: Tag[]): Tag | undefined {
  let found: Tag | undefined;
  let at = 0;
  for (const tag of tags) {
    if (source.slice(at, tag.start).trim() !== '') return undefined;
    at = tag.end;
    if (tag.kind === 'comment') continue;
    if (tag.kind !== 'var' || found !== undefined) return undefined;
    found = tag;
  }
  if (source.slice(at).trim() !== '') return undefined;
  return found;
}

/** The tags of a template; `undefined` when the lexer loses track (minijinja will report it). */
function lexTags(source: string): Tag[] | undefined {
  const tags: Tag[] = [];
  TAG_START.lastIndex = 0;
  for (let m = TAG_START.exec(source); m !== null; m = TAG_START.exec(source)) {
    const start = m.index;
    const opener = source[start + 1];
    if (opener === '#') {
      const close = source.indexOf('#}', start + 2);
      if (close < 0) return undefined;
      tags.push({
        kind: 'comment',
        start,
        end: close + 2,
        innerStart: start + 2,
        innerEnd: close,
        tokens: [],
      });
      TAG_START.lastIndex = close + 2;
      continue;
    }
    if (opener === '%') {
      RAW_START.lastIndex = start;
      if (RAW_START.test(source)) {
        RAW_END.lastIndex = RAW_START.lastIndex;
        const end = RAW_END.exec(source);
        if (end === null) return undefined;
        const after = end.index + end[0].length;
        tags.push({ kind: 'raw', start, end: after, innerStart: start, innerEnd: after, tokens: [] });
        TAG_START.lastIndex = after;
        continue;
      }
    }
    const tag = lexTag(source, start, opener === '{' ? 'var' : 'block');
    if (tag === undefined) return undefined;
    tags.push(tag);
    TAG_START.lastIndex = tag.end;
  }
  return tags;
}

/** Lexes one `{{ }}` or `{% %}` tag from its opening delimiter. */
function lexTag(source: string, start: number, kind: 'var' | 'block'): Tag | undefined {
  const closer = kind === 'var' ? '}}' : '%}';
  let i = start + 2;
  if (source[i] === '-' || source[i] === '+') i++;
  const innerStart = i;
  const tokens: Token[] = [];
  let depth = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (depth === 0) {
      if (source.startsWith(closer, i)) {
        return { kind, start, end: i + 2, innerStart, innerEnd: i, tokens };
      }
      if ((c === '-' || c === '+') && source.startsWith(closer, i + 1)) {
        return { kind, start, end: i + 3, innerStart, innerEnd: i, tokens };
      }
    }
    if (c === '"' || c === "'") {
      const end = stringEnd(source, i);
      if (end < 0) return undefined;
      const body = source.slice(i + 1, end - 1);
      const literal = body.includes('\\') ? undefined : body;
      tokens.push({ type: 'string', value: source.slice(i, end), start: i, literal });
      i = end;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(source);
    if (name !== null) {
      tokens.push({ type: 'name', value: name[0], start: i });
      i += name[0].length;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(source);
    if (number !== null) {
      tokens.push({ type: 'number', value: number[0], start: i });
      i += number[0].length;
      continue;
    }
    if (OPEN.has(c)) depth++;
    else if (CLOSE.has(c)) depth = Math.max(0, depth - 1);
    tokens.push({ type: 'punct', value: c, start: i });
    i++;
  }
  return undefined;
}

/** The offset just past the closing quote of the string literal at `i`, or -1. */
function stringEnd(source: string, i: number): number {
  const quote = source[i];
  for (let j = i + 1; j < source.length; j++) {
    if (source[j] === '\\') j++;
    else if (source[j] === quote) return j + 1;
  }
  return -1;
}

/**
 * Adds the reference paths of one tag's tokens. A path starts at a name that is not an attribute
 * (`x.name`) and goes on through `.name`, `['key']` and `[0]` until anything else follows; a `.name`
 * followed by `(` is a method call, so the path stops before it. Returns true when the tag calls
 * `debug()`, which shows the whole state.
 */
function collectReferences(tokens: Token[], into: PathKey[][]): boolean {
  let everything = false;
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k] as Token;
    if (token.type !== 'name' || tokens[k - 1]?.value === '.') continue;
    if (token.value === 'debug' && tokens[k + 1]?.value === '(') everything = true;
    const { path } = readChain(tokens, k);
    into.push(path);
  }
  return everything;
}

/** The static path starting at the name at `k`, and the index of the first token after it. */
function readChain(tokens: Token[], k: number): { path: PathKey[]; next: number } {
  const path: PathKey[] = [(tokens[k] as Token).value];
  let j = k + 1;
  for (;;) {
    const a = tokens[j];
    const b = tokens[j + 1];
    if (a?.value === '.' && b?.type === 'name' && tokens[j + 2]?.value !== '(') {
      path.push(b.value);
      j += 2;
      continue;
    }
    if (a?.value === '[' && tokens[j + 2]?.value === ']' && tokens[j + 3]?.value !== '(') {
      const key = staticKey(b);
      if (key === undefined) break;
      path.push(key);
      j += 3;
      continue;
    }
    break;
  }
  return { path, next: j };
}

function staticKey(token: Token | undefined): PathKey | undefined {
  if (token?.type === 'string') return token.literal;
  if (token?.type === 'number' && /^\d+$/.test(token.value)) return Number(token.value);
  return undefined;
}

const LITERALS = new Set(['true', 'false', 'none', 'True', 'False', 'None']);

/** The path when the tokens are exactly one static reference, such as `STEPS.a.output` or `X['k'][0]`. */
function plainChain(tokens: Token[]): PathKey[] | undefined {
  const first = tokens[0];
  if (first?.type !== 'name' || LITERALS.has(first.value)) return undefined;
  const { path, next } = readChain(tokens, 0);
  return next === tokens.length ? path : undefined;
}

/**
 * The reference (a name and its static keys) whose source text covers `offset`, with that text; used to
 * name what is undefined when minijinja marks only part of an expression.
 */
export function referenceAt(
  source: string,
  offset: number,
): { path: PathKey[]; text: string; start: number } | undefined {
  for (const tag of lexTags(source) ?? []) {
    if (offset < tag.start || offset >= tag.end) continue;
    const { tokens } = tag;
    let found: { path: PathKey[]; text: string; start: number } | undefined;
    for (let k = 0; k < tokens.length; k++) {
      const token = tokens[k] as Token;
      if (token.type !== 'name' || tokens[k - 1]?.value === '.') continue;
      const { path, next } = readChain(tokens, k);
      const last = tokens[next - 1] as Token;
      const end = last.start + last.value.length;
      if (offset >= token.start && offset < end)
        found = { path, text: source.slice(token.start, end), start: token.start };
    }
    return found;
  }
  return undefined;
}
