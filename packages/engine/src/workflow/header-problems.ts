/**
 * The header values a workflow writes that HTTP could not carry: a CR or LF (header injection), a NUL,
 * another control character or a character beyond Latin-1. A literal value is checked whole; a template
 * is checked in its literal text (outside `{{ }}`, `{% %}` and `{# #}`), since what its expressions
 * render is known only at run time, where `executor/build-request.ts` checks it before sending.
 * Header names are checked by the schema (`propertyNames`): they are never templates.
 *
 * @internal
 * @module
 */
import { isTemplate } from '../template/scan.js';
import { badHeaderValueChar } from './header-rules.js';
import type { RawProblem } from './schema-problems.js';

/** The closer of each tag opener: `{{ }}`, `{% %}`, `{# #}`. */
const CLOSERS: Readonly<Record<string, string>> = { '{{': '}}', '{%': '%}', '{#': '#}' };

/** Problems of the literal parts of `steps[].apispec.headers` values. */
export function headerProblems(doc: Record<string, unknown>): RawProblem[] {
  const out: RawProblem[] = [];
  if (!Array.isArray(doc.steps)) return out;
  doc.steps.forEach((step: unknown, index: number) => {
    const apispec = isObject(step) ? step.apispec : undefined;
    const headers = isObject(apispec) ? apispec.headers : undefined;
    if (!isObject(headers)) return;
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string') continue;
      const template = isTemplate(value);
      const bad = badHeaderValueChar(template ? literalText(value) : value);
      if (bad === undefined) continue;
      out.push({
        path: ['steps', index, 'apispec', 'headers', name],
        message: `contains ${bad}${template ? ' outside {{ }}' : ''}, which an HTTP header value cannot hold`,
      });
    }
  });
  return out;
}

/**
 * The text of a template outside its tags, as it reaches the rendered value: without the whitespace
 * the engine may trim (at either end of the template, and next to a `-` whitespace-control mark), so
 * that a trailing newline of a YAML block scalar is not reported.
 */
export function literalText(source: string): string {
  const parts: string[] = [];
  const opener = /\{[{%#]/g;
  let start = 0;
  let trimStart = true;
  // indexOf, not one regular expression: a lazy match per unclosed `{{` would make this quadratic.
  for (let open = opener.exec(source); open !== null; open = opener.exec(source)) {
    const closer = CLOSERS[open[0]] as string;
    const close = source.indexOf(closer, open.index + 2);
    if (close === -1) break;
    parts.push(trimmed(source.slice(start, open.index), trimStart, source[open.index + 2] === '-'));
    trimStart = source[close - 1] === '-';
    start = close + 2;
    opener.lastIndex = start;
  }
  parts.push(trimmed(source.slice(start), trimStart, true));
  return parts.join(' ');
}

function trimmed(text: string, start: boolean, end: boolean): string {
  const head = start ? text.trimStart() : text;
  return end ? head.trimEnd() : head;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
