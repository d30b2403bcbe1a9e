/**
 * Differential test: every case of `cases.ts` rendered by Sluice's `TemplateRenderer` and by real
 * Jinja2 (Debian's `python3-jinja2`, run by `render_jinja2.py` with StrictUndefined, NativeEnvironment
 * for a single expression), compared value for value. A difference that is on purpose, or that
 * minijinja imposes, is in `ALLOWED` with its reason (and in docs/templates.md); any other fails, and so
 * does an allowed case that no longer differs.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isSluiceError, TemplateRenderer } from '@sluice/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { CASES, CONTEXT } from './cases.js';

const HELPER = fileURLToPath(new URL('./render_jinja2.py', import.meta.url));

type Answer = { value: unknown; native?: unknown } | { error: string; message: string };
interface Report {
  version: string;
  python: string;
  filters: string[];
  tests: string[];
  results: Answer[];
}

const PRINTING = 'minijinja prints none/true/false, lists and dicts in its own way (docs/templates.md)';
const WHOLE_FLOAT = 'JavaScript has one number type: a whole float prints as an integer (2.0 -> 2)';
const LEAKY = 'minijinja lets an undefined value through this operation; StrictUndefined raises';
const WHITESPACE = 'whitespace around a single expression is allowed; NativeEnvironment concatenates it';
const DICT_ORDER = 'minijinja keeps dicts sorted by key; Jinja2 keeps insertion order';
const ARGS = "minijinja's own filter does not take this argument form (a keyword or an extra argument)";
const DEFAULT_KEYWORD =
  'minijinja `default` takes no keyword: `default(default_value=x)` returns the keyword map itself';

/** Cases whose difference from Jinja2 is known and documented, with the reason. */
const ALLOWED: Record<string, string> = {
  '  {{ INPUT.n }}  ': WHITESPACE,
  'x{{ 2.5|round }}': WHOLE_FLOAT,
  "{% for k, v in ['B','a','b']|groupby(0, case_sensitive=false) %}{{ k }}={{ v|length }};{% endfor %}":
    'minijinja `groupby` does not take `case_sensitive` with an index',
  '{{ "a" ~ INPUT.nope }}': LEAKY,
  "{{ '--a-'|trim(chars='-') }}": ARGS,
  "{{ 'a\\n\\nb'|indent(width=3, blank=true) }}": ARGS,
  "{{ 'a\\nb'|indent('> ') }}": ARGS,
  "{{ 'a\\nb\\n\\nc'|indent }}": ARGS,
  "{{ 'aaa'|replace('a', 'b', 2) }}": ARGS,
  "{{ 'aaa'|replace('a', 'b', count=1) }}": ARGS,
  "{{ 'hello wORLD-x y_z'|title }}":
    'minijinja `title` capitalizes after `_`; Jinja2 treats `_` as part of the word',
  '{{ 3000000000|filesizeformat(binary=true) }}': ARGS,
  "{{ 'a\\nb'|indent(2, first=true) }}": ARGS,
  "{{ 'a\\nb'|indent(width=2) }}": ARGS,
  "{{ 'aaa'|replace(old='a', new='c') }}": ARGS,
  '{{ INPUT.strs|min(case_sensitive=true) }}': ARGS,
  '{{ 9 is divisibleby(num=3) }}':
    'minijinja tests take no keyword arguments: `divisibleby(num=3)` gets the keywords as a map and answers false',
  "{{ INPUT.nope|d(default_value='k') }}": DEFAULT_KEYWORD,
  "{{ INPUT.nope|default(default_value='k') }}": DEFAULT_KEYWORD,
  "{{ INPUT.s|attr(name='upper') is defined }}":
    'minijinja `attr` finds no Python methods (a string has no `upper` attribute there) and takes no keyword',
  '{{ INPUT.d is sequence }}':
    'minijinja tests by its own value kinds: a string and a dict are no `sequence`, a boolean is no `number`',
  "{{ INPUT.d|attr('a') }}": 'minijinja `attr` also reads dict items; Jinja2 reads only Python attributes',
  '{{ INPUT.d|pprint }}': 'minijinja `pprint` prints JSON-like, indented; Jinja2 uses Python `pprint`',
  '{{ INPUT.html|e }}x': 'minijinja escapes `/` as `&#x2f;`; Jinja2 (MarkupSafe) leaves it',
  '{{ INPUT.html|escape }}': 'minijinja escapes `/` as `&#x2f;`; Jinja2 (MarkupSafe) leaves it',
  "{{ INPUT.none|default('x', boolean=true) }}": ARGS,
  '{{ INPUT.none|string }}': PRINTING,
  '{{ INPUT.nope + 1 }}': LEAKY,
  '{{ INPUT.nope == 1 }}': LEAKY,
  '{{ INPUT.nope|length }}': LEAKY,
  '{{ INPUT.nope|tojson }}': LEAKY,
  '{{ INPUT.nope|upper }}': LEAKY,
  '{{ INPUT.s is callable }}': 'the `callable` test does not exist in minijinja',
  '{{ INPUT.s is sequence }}':
    'minijinja tests by its own value kinds: a string and a dict are no `sequence`, a boolean is no `number`',
  '{{ INPUT.strs|max(case_sensitive=true) }}': ARGS,
  '{{ INPUT.s|pprint }}': 'minijinja `pprint` prints JSON-like, indented; Jinja2 uses Python `pprint`',
  '{{ INPUT.t is number }}':
    'minijinja tests by its own value kinds: a string and a dict are no `sequence`, a boolean is no `number`',
  '{{ INPUT.t|string }}': PRINTING,
  "{{ INPUT.users|join(', ', attribute='name') }}": ARGS,
  "{{ INPUT.users|max(attribute='age') }}": ARGS,
  "{{ INPUT.users|min(attribute='age') }}": ARGS,
  "{{ INPUT.users|sort(attribute='age,name')|map(attribute='name')|list }}":
    'minijinja `sort` takes no comma-separated list of attributes',
  "{{ INPUT.xs|join(d='-') }}": ARGS,
  '{{ INPUT.xs|sort(true) }}': ARGS,
  '{{ [INPUT.nope] }}': LEAKY,
  '{{ range is callable }}': 'the `callable` test does not exist in minijinja',
  '{{ {"z": 1, "y": [true, none]} }}': DICT_ORDER,
  "{{ {'b': 1, 'A': 3, 'a': 2}|dictsort(true) }}": ARGS,
};

/** A single `{{ expression }}`, with only whitespace around it: rendered as a typed value. */
function isExpression(template: string): boolean {
  return /^\s*\{\{(?:(?!\{\{|\}\}|\{%|\{#).)*\}\}\s*$/s.test(template);
}

/** The first python3 that can import jinja2: $SLUICE_PYTHON3, Debian's, then the one on PATH. */
function findPython(): string | undefined {
  const candidates = [process.env.SLUICE_PYTHON3, '/usr/bin/python3', 'python3'];
  return candidates.find(
    (python) => python !== undefined && spawnSync(python, ['-c', 'import jinja2']).status === 0,
  );
}

function runJinja2(python: string, cases: { template: string; native: boolean }[]): Report {
  const input = JSON.stringify({ cases: cases.map((c) => ({ ...c, context: CONTEXT })) });
  const run = spawnSync(python, [HELPER], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`render_jinja2.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Report;
}

const python = findPython();
const MISSING =
  'python3 with Jinja2 is missing: install Debian python3-jinja2 (.ci/run does), or set SLUICE_PYTHON3';

describe.skipIf(python === undefined && !process.env.CI)('templates against real Jinja2', () => {
  const renderer = new TemplateRenderer();
  afterAll(() => renderer.close());
  const cases = Object.entries(CASES).flatMap(([group, templates]) =>
    templates.map((template) => ({ group, template, native: isExpression(template) })),
  );

  async function renderSluice(template: string): Promise<Answer> {
    try {
      const value = await renderer.render(template, CONTEXT, { field: 'case' });
      return { value: JSON.parse(JSON.stringify(value ?? null)) };
    } catch (error) {
      if (!isSluiceError(error)) throw error;
      const message = (error as Error).message;
      return { error: /undefined value/.test(message) ? 'UndefinedError' : 'Error', message };
    }
  }

  it('renders every case as Jinja2 does, apart from the documented differences', async () => {
    if (python === undefined) throw new Error(MISSING);
    const report = runJinja2(python, cases);
    const differences: Record<string, string> = {};
    for (const [i, c] of cases.entries()) {
      const jinja2 = report.results[i] as Answer;
      const sluice = await renderSluice(c.template);
      if (!same(jinja2, sluice)) {
        differences[c.template] =
          `${c.group}: Jinja2 ${JSON.stringify(jinja2)} / Sluice ${JSON.stringify(sluice)}`;
      }
    }
    const unexpected = Object.fromEntries(Object.entries(differences).filter(([t]) => !(t in ALLOWED)));
    expect(unexpected, `Jinja2 ${report.version} on Python ${report.python}`).toEqual({});
    const stale = Object.keys(ALLOWED).filter((t) => !(t in differences));
    expect(stale, 'allowed differences that no longer differ').toEqual([]);
  });

  it('covers every built-in filter and test of the installed Jinja2', () => {
    if (python === undefined) throw new Error(MISSING);
    const report = runJinja2(python, []);
    const names = [...report.filters.map((f) => `filter:${f}`), ...report.tests.map((t) => `test:${t}`)];
    expect(names.filter((name) => !(name in CASES))).toEqual([]);
    expect(Object.keys(ALLOWED).filter((t) => !cases.some((c) => c.template === t))).toEqual([]);
  });
});

/** Whether Sluice's answer is Jinja2's: the same value (a typed string as the expression's own string), or both an error (an undefined one where Jinja2's is). */
function same(jinja2: Answer, sluice: Answer): boolean {
  if ('error' in jinja2 || 'error' in sluice) {
    if (!('error' in jinja2 && 'error' in sluice)) return false;
    return jinja2.error !== 'UndefinedError' || sluice.error === 'UndefinedError';
  }
  const expected = 'native' in jinja2 ? jinja2.native : jinja2.value;
  if (JSON.stringify(expected) === JSON.stringify(sluice.value)) return true;
  // A typed string stays a string where NativeEnvironment would `literal_eval` it (docs/templates.md).
  return 'native' in jinja2 && typeof sluice.value === 'string' && sluice.value === jinja2.value;
}
