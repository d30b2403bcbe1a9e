/**
 * Finds the static references of a template string, for validation: the steps it reads
 * (`STEPS.customers`, `STEPS['customers']`), the `SYSTEM_APIS` keys (`SYSTEM_APIS.my_app`) and the filters
 * it applies (`| upper`, `{% filter upper %}`), each with its position in the template. Only what sits
 * inside `{{ }}` and `{% %}` counts: text, comments (`{# #}`), `{% raw %}` blocks and string literals do
 * not. A dynamic reference (`STEPS[name]`, `STEPS.get(name)`) names nothing, and a template that assigns
 * `STEPS` or `SYSTEM_APIS` itself (`{% set STEPS = ... %}`, `{% for STEPS in ... %}`) has no references to
 * them. minijinja-js exposes no syntax tree, so this is a small lexer of its own; it never decides whether
 * a template is valid (minijinja does) and stops where it loses track (an unclosed tag). One pass, linear
 * in the length of the template.
 *
 * @internal
 * @module
 */

/** The state roots whose keys are checked. */
export type ReferenceRoot = 'STEPS' | 'SYSTEM_APIS';

/** One static reference found in a template. */
export interface TemplateReference {
  /** `step` (`STEPS.<name>`), `system_api` (`SYSTEM_APIS.<name>`) or `filter`. */
  kind: 'step' | 'system_api' | 'filter';
  /** The step name, the `SYSTEM_APIS` key or the filter name. */
  name: string;
  /** How it is written: `STEPS.customers`, `STEPS["a b"]`, `upper`. */
  text: string;
  /** Offset in the template of its first character (of `STEPS`, of the filter's name). */
  offset: number;
  /** 1-based line inside the template. */
  line: number;
  /** 1-based column inside the template. */
  column: number;
}

/** What {@link scanTemplateReferences} found in one template string. */
export interface TemplateReferenceScan {
  /** The references, in the order they appear. */
  references: TemplateReference[];
  /** The roots the template assigns itself; their references are left out of `references`. */
  shadowed: ReadonlySet<ReferenceRoot>;
  /** How many `{{ }}` tags it has. */
  expressions: number;
  /** How many `{% %}` tags it has (`{% raw %}` blocks included). */
  blocks: number;
  /** Whether it has text other than whitespace outside its tags. */
  text: boolean;
  /** False when the lexer lost track (an unclosed tag, comment or string): the rest was not scanned. */
  complete: boolean;
}

interface Token {
  type: 'name' | 'string' | 'number' | 'punct';
  value: string;
  /** Offset in the template. */
  at: number;
  /** A string literal's value, when it has no escapes. */
  literal?: string | undefined;
}

/** A name (group 1) or a number. */
const WORD = /([\p{ID_Start}_][\p{ID_Continue}]*)|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/uy;
const SPACE = /\s/;
const RAW_OPEN = /\{%[-+]?\s*raw\s*[-+]?%\}/y;
const RAW_CLOSE = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;
const ROOTS: Readonly<Record<string, 'step' | 'system_api'>> = { STEPS: 'step', SYSTEM_APIS: 'system_api' };
/** Block tags that bind names (a bare `STEPS` in their targets shadows the state's). */
const BINDING_TAGS = new Set(['set', 'for', 'with', 'macro', 'call', 'import', 'from']);

/** Scans `source` (a template string) for its static references. */
export function scanTemplateReferences(source: string): TemplateReferenceScan {
  const found: TemplateReference[] = [];
  const shadowed = new Set<ReferenceRoot>();
  let expressions = 0;
  let blocks = 0;
  let text = false;
  let complete = true;
  let at = 0;
  while (at < source.length) {
    const open = nextTagStart(source, at);
    if (!text && hasText(source, at, open < 0 ? source.length : open)) text = true;
    if (open < 0) break;
    const opener = source[open + 1];
    if (opener === '#') {
      const close = source.indexOf('#}', open + 2);
      if (close < 0) {
        complete = false;
        break;
      }
      at = close + 2;
      continue;
    }
    if (opener === '%') {
      blocks += 1;
      RAW_OPEN.lastIndex = open;
      if (RAW_OPEN.test(source)) {
        RAW_CLOSE.lastIndex = RAW_OPEN.lastIndex;
        const close = RAW_CLOSE.exec(source);
        if (close === null) {
          complete = false;
          break;
        }
        at = close.index + close[0].length;
        continue;
      }
    } else {
      expressions += 1;
    }
    const tag = lexTag(source, open + 2, opener === '{' ? '}}' : '%}');
    if (tag === undefined) {
      complete = false;
      break;
    }
    readTag(source, tag.tokens, opener === '%', found, shadowed);
    at = tag.end;
  }
  const references = placed(
    source,
    shadowed.size === 0 ? found : found.filter((r) => !shadowedBy(r, shadowed)),
  );
  return { references, shadowed, expressions, blocks, text, complete };
}

/** The offset of the next `{{`, `{%` or `{#` from `from`, or -1. */
function nextTagStart(source: string, from: number): number {
  for (let i = source.indexOf('{', from); i >= 0 && i < source.length - 1; i = source.indexOf('{', i + 1)) {
    const next = source[i + 1];
    if (next === '{' || next === '%' || next === '#') return i;
  }
  return -1;
}

function hasText(source: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) if (!SPACE.test(source[i] as string)) return true;
  return false;
}

/** The tokens of one tag from just after its opening delimiter, and the offset past its closer. */
function lexTag(source: string, start: number, closer: string): { tokens: Token[]; end: number } | undefined {
  const tokens: Token[] = [];
  let i = start;
  if (source[i] === '-' || source[i] === '+') i += 1;
  let depth = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (SPACE.test(c)) {
      i += 1;
      continue;
    }
    if (depth === 0) {
      if (source.startsWith(closer, i)) return { tokens, end: i + 2 };
      if ((c === '-' || c === '+') && source.startsWith(closer, i + 1)) return { tokens, end: i + 3 };
    }
    if (c === '"' || c === "'") {
      const end = closingQuote(source, i);
      if (end < 0) return undefined;
      const body = source.slice(i + 1, end);
      tokens.push({
        type: 'string',
        value: source.slice(i, end + 1),
        at: i,
        literal: body.includes('\\') ? undefined : body,
      });
      i = end + 1;
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(source);
    if (word !== null) {
      tokens.push({ type: word[1] === undefined ? 'number' : 'name', value: word[0], at: i });
      i = WORD.lastIndex;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    tokens.push({ type: 'punct', value: c, at: i });
    i += 1;
  }
  return undefined;
}

/** The offset of the quote closing the string literal that opens at `i`, or -1. */
function closingQuote(source: string, i: number): number {
  const quote = source[i];
  for (let j = i + 1; j < source.length; j += 1) {
    const c = source[j];
    if (c === '\\') j += 1;
    else if (c === quote) return j;
  }
  return -1;
}

/** Adds the references of one tag's tokens to `found`, and the roots it binds to `shadowed`. */
function readTag(
  source: string,
  tokens: readonly Token[],
  block: boolean,
  found: TemplateReference[],
  shadowed: Set<ReferenceRoot>,
): void {
  const keyword = block && tokens[0]?.type === 'name' ? tokens[0].value : undefined;
  if (keyword === 'filter') {
    const name = tokens[1];
    if (name?.type === 'name') found.push(reference('filter', name.value, name.value, name.at));
  }
  const binding = keyword !== undefined && BINDING_TAGS.has(keyword);
  let targets = binding;
  for (let k = 0; k < tokens.length; k += 1) {
    const token = tokens[k] as Token;
    const previous = tokens[k - 1];
    if (targets && endsTargets(keyword as string, token)) targets = false;
    if (token.type === 'punct') {
      const next = tokens[k + 1];
      if (token.value === '|' && next?.type === 'name') {
        found.push(reference('filter', next.value, next.value, next.at));
      }
      continue;
    }
    if (token.type !== 'name' || previous?.value === '.') continue;
    const kind = ROOTS[token.value];
    if (kind === undefined) continue;
    const root = token.value as ReferenceRoot;
    const key = staticKey(tokens, k);
    if (key !== undefined) {
      const end = tokens[key.last] as Token;
      const text = source.slice(token.at, end.at + end.value.length);
      found.push(reference(kind, key.key, text, token.at));
    } else if (binding && bindsName(keyword as string, tokens, k, targets)) {
      shadowed.add(root);
    }
  }
}

/** Where the names a binding tag assigns end: `=` of a `set`, `in` of a `for`. */
function endsTargets(keyword: string, token: Token): boolean {
  if (keyword === 'set') return token.value === '=';
  if (keyword === 'for') return token.type === 'name' && token.value === 'in';
  return false;
}

/** Whether the bare root name at `k` of a binding tag is a name the tag assigns. */
function bindsName(keyword: string, tokens: readonly Token[], k: number, targets: boolean): boolean {
  const next = tokens[k + 1]?.value;
  const previous = tokens[k - 1]?.value;
  switch (keyword) {
    case 'set':
    case 'for':
      return targets;
    case 'with':
      return next === '=';
    case 'macro':
    case 'call':
      return next === ',' || next === ')' || next === '=';
    default:
      return previous === 'as' || previous === 'import' || previous === ',';
  }
}

/**
 * The key of `ROOT.key` or `ROOT['key']` at `k`, with the index of its last token; `undefined` when the
 * root is followed by anything else (a method call `STEPS.get(x)`, a variable `STEPS[name]`).
 */
function staticKey(tokens: readonly Token[], k: number): { key: string; last: number } | undefined {
  const a = tokens[k + 1];
  const b = tokens[k + 2];
  if (a?.value === '.' && b?.type === 'name' && tokens[k + 3]?.value !== '(')
    return { key: b.value, last: k + 2 };
  if (a?.value === '[' && b?.type === 'string' && b.literal !== undefined && tokens[k + 3]?.value === ']') {
    return { key: b.literal, last: k + 3 };
  }
  return undefined;
}

function shadowedBy(reference: TemplateReference, shadowed: ReadonlySet<ReferenceRoot>): boolean {
  if (reference.kind === 'step') return shadowed.has('STEPS');
  if (reference.kind === 'system_api') return shadowed.has('SYSTEM_APIS');
  return false;
}

/** A reference, placed later by {@link placed}. */
function reference(
  kind: TemplateReference['kind'],
  name: string,
  text: string,
  offset: number,
): TemplateReference {
  return { kind, name, text, offset, line: 0, column: 0 };
}

/** Sets the lines and columns of `found` (they come in order, so one pass over the source). */
function placed(source: string, found: TemplateReference[]): TemplateReference[] {
  let line = 1;
  let lineStart = 0;
  let newline = source.indexOf('\n');
  for (const reference of found) {
    while (newline >= 0 && newline < reference.offset) {
      line += 1;
      lineStart = newline + 1;
      newline = source.indexOf('\n', lineStart);
    }
    reference.line = line;
    reference.column = reference.offset - lineStart + 1;
  }
  return found;
}
