/**
 * The header values a workflow writes that HTTP could not carry: a CR or LF (header injection), a NUL,
 * another control character or a character beyond Latin-1. A literal value is checked whole; a template
 * is checked in its literal text (outside `{{ }}`, `{% %}` and `{# #}`), since what its expressions
 * render is known only at run time, where `steps/http/build-request.ts` checks it before sending.
 * Header names are checked by the schema (`propertyNames`): they are never templates.
 *
 * @internal
 * @module
 */
import { isTemplate } from '../../template/scan.js';
import type { StepProblem } from '../step-kind.js';
import { badHeaderValueChar } from './header-rules.js';

/** The closer of each tag opener: `{{ }}`, `{% %}`, `{# #}`. */
const CLOSERS: Readonly<Record<string, string>> = { '{{': '}}', '{%': '%}', '{#': '#}' };

/** Problems of the literal parts of the `apispec.headers` values of one step, with paths below the step. */
export function headerProblems(step: Readonly<Record<string, unknown>>): StepProblem[] {
  const out: StepProblem[] = [];
  const apispec = step.apispec;
  const headers = isObject(apispec) ? apispec.headers : undefined;
  if (!isObject(headers)) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    const template = isTemplate(value);
    const bad = badHeaderValueChar(template ? literalText(value) : value);
    if (bad === undefined) continue;
    out.push({
      path: ['apispec', 'headers', name],
      message: `contains ${bad}${template ? ' outside {{ }}' : ''}, which an HTTP header value cannot hold`,
    });
  }
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
