/**
 * What validation says about what templates name (issue 15): steps that do not exist or run later,
 * unknown filters, `SYSTEM_APIS` keys that are not configured (when known), and a `when` or `wait` that
 * cannot mean what it says; each with its path, line and column in the template.
 */
import {
  type ItemContext,
  type ItemTask,
  type ParseWorkflowOptions,
  parseWorkflow,
  STEP_KINDS,
  type StepKind,
  WorkflowParseError,
  type WorkflowProblem,
} from '@sluice/engine';
import { describe, expect, it } from 'vitest';

/** The problems `parseWorkflow` reports for the YAML `text`; `[]` when it parses. */
async function problemsOf(text: string, options: ParseWorkflowOptions = {}): Promise<WorkflowProblem[]> {
  try {
    await parseWorkflow(text, { format: 'yaml', ...options });
    return [];
  } catch (err) {
    if (err instanceof WorkflowParseError) return [...err.problems];
    throw err;
  }
}

/** A YAML workflow of the given step lines. */
const doc = (...lines: string[]) => ['name: w', 'steps:', ...lines, ''].join('\n');
const CALL = '    apispec: { url: "https://api.test/v1" }';

describe('validation of what templates name', () => {
  describe('steps', () => {
    it('reports a step that does not exist, with a did-you-mean, its line and its column', async () => {
      const text = doc(
        '  - name: customers',
        CALL,
        '  - name: notify',
        CALL,
        '    input:',
        '      id: "{{ STEPS.custmers.output[0].id }}"',
        `      other: "x {{ STEPS['custmers'].output }}"`,
      );
      expect(await problemsOf(text)).toEqual([
        {
          path: 'steps[1].input.id',
          message: 'STEPS.custmers names no step; did you mean "customers"? (at column 4 of the template)',
          line: 8,
        },
        {
          path: 'steps[1].input.other',
          message: `STEPS['custmers'] names no step; did you mean "customers"? (at column 6 of the template)`,
          line: 9,
        },
      ]);
    });

    it('lists the steps before when no name is close', async () => {
      const text = doc(
        '  - name: a',
        '    apispec: { url: "https://api.test/{{ STEPS.zzz }}" }',
        '  - name: b',
        CALL,
        '  - name: c',
        '    apispec: { url: "https://api.test/{{ STEPS.zzz }}" }',
      );
      expect((await problemsOf(text)).map((p) => [p.line, p.message])).toEqual([
        [4, 'STEPS.zzz names no step (no step runs before this one) (at column 21 of the template)'],
        [8, 'STEPS.zzz names no step (the steps before this one: a, b) (at column 21 of the template)'],
      ]);
    });

    it('reports a step that runs later, and the step itself', async () => {
      const text = doc(
        '  - name: fetch',
        CALL,
        '    when: "{{ STEPS.notify.output | length > 0 }}"',
        '    output: "{{ STEPS.fetch.output }}"',
        '  - name: notify',
        CALL,
      );
      expect(await problemsOf(text)).toEqual([
        {
          path: 'steps[0].when',
          message:
            'STEPS.notify names step "notify", which runs after step "fetch": its output is not known yet (at column 4 of the template)',
          line: 5,
        },
        {
          path: 'steps[0].output',
          message:
            'STEPS.fetch names this step itself: its output is not known while it runs; use CURRENT_STEP (CURRENT_STEP.response in output) (at column 4 of the template)',
          line: 6,
        },
      ]);
    });

    it('reads every templated field: apispec, input lists and objects, output, wait.until', async () => {
      const text = doc(
        '  - name: a',
        '    apispec:',
        '      url: "https://api.test/v1"',
        '      headers: { X-Id: "{{ STEPS.nope1 }}" }',
        '      json_body: { list: [1, "{{ STEPS.nope2 }}"] }',
        '    input: ["{{ STEPS.nope3 }}"]',
        '  - name: b',
        '    wait: { until: "{{ STEPS.nope4.output }}" }',
      );
      expect((await problemsOf(text)).map((p) => `${p.line} ${p.path}`)).toEqual([
        '6 steps[0].apispec.headers.X-Id',
        '7 steps[0].apispec.json_body.list[1]',
        '8 steps[0].input[0]',
        '10 steps[1].wait.until',
      ]);
    });

    it('reads the templated fields a kind declares', async () => {
      const echo = {
        name: 'echo',
        key: 'echo',
        summary: 'echoes',
        keyHint: 'an echo',
        properties: { echo: { type: 'object', properties: { text: {} }, additionalProperties: false } },
        snippets: [],
        templatedFields: [['echo', 'text']],
        async runItem(_ctx: ItemContext, _task: ItemTask) {
          throw new Error('not run');
        },
      } as unknown as StepKind;
      const text = doc('  - name: a', '    echo: { text: "{{ STEPS.nope | uper }}" }');
      expect(await problemsOf(text, { stepKinds: STEP_KINDS.with(echo) })).toEqual([
        {
          path: 'steps[0].echo.text',
          message: 'STEPS.nope names no step (no step runs before this one) (at column 4 of the template)',
          line: 4,
        },
        {
          path: 'steps[0].echo.text',
          message: 'unknown filter "uper"; did you mean "upper"? (at column 17 of the template)',
          line: 4,
        },
      ]);
    });

    it('gives the line and column inside a multi-line template', async () => {
      const text = doc(
        '  - name: a',
        CALL,
        '    output: |',
        '      {% for c in INPUT.list %}',
        '        {{ STEPS.missing }}',
        '      {% endfor %}',
      );
      expect(await problemsOf(text)).toEqual([
        {
          path: 'steps[0].output',
          message:
            'STEPS.missing names no step (no step runs before this one) (at line 2, column 6 of the template)',
          line: 5,
        },
      ]);
    });

    it('reports a name once per template, counting where it repeats', async () => {
      const text = doc('  - name: a', CALL, '    output: "{{ STEPS.x }} {{ STEPS.x }} {{ STEPS.x | uper }}"');
      expect((await problemsOf(text)).map((p) => p.message)).toEqual([
        'STEPS.x names no step (no step runs before this one) (at column 4 of the template) (3 times in this template)',
        'unknown filter "uper"; did you mean "upper"? (at column 42 of the template)',
      ]);
    });

    it.each<[what: string, template: string]>([
      ['an earlier step, by attribute and by key', `{{ STEPS.a.output ~ STEPS['a'].errors }}`],
      ['a dynamic reference', '{{ STEPS[INPUT.step].output }}'],
      ['a method on STEPS', '{{ STEPS.get(INPUT.step) }} {{ STEPS.items() | list }}'],
      ['a loop variable named like a step', '{% for b in STEPS.a.output %}{{ b.id }}{% endfor %}'],
      ['CURRENT_STEP', '{{ CURRENT_STEP.name }} {{ CURRENT_STEP.input }}'],
      ['a STEPS the template sets itself', '{% set STEPS = {"b": 1} %}{{ STEPS.b }}'],
      [
        'string literals, comments and raw blocks',
        `{{ "STEPS.b" }}{# STEPS.b | x #}{% raw %}{{ STEPS.b }}{% endraw %}`,
      ],
      ['the whole STEPS', '{{ STEPS | tojson }}'],
      ['filters the engine adds', '{{ "a b" | urlencode | wordwrap(5) | center(9) }}'],
      [
        'filter names of minijinja-contrib',
        '{{ 3 | filesizeformat }}{{ "x" | truncate(3) }}{{ 2 | pluralize }}',
      ],
    ])('accepts %s', async (_what, template) => {
      const text = doc('  - name: a', CALL, '  - name: b', CALL, `    output: ${JSON.stringify(template)}`);
      expect(await problemsOf(text)).toEqual([]);
    });

    it('leaves a template that does not parse to its syntax problem', async () => {
      const text = doc(
        '  - name: a',
        CALL,
        '    when: "{{ INPUT.a }} > {{ STEPS.nope | }}"',
        '    output: "{{ STEPS.nope | uper }"',
      );
      const problems = await problemsOf(text);
      expect(problems.map((p) => p.path)).toEqual(['steps[0].when', 'steps[0].output']);
      expect(problems.map((p) => p.message)).toEqual([
        expect.stringMatching(/^syntax error/),
        expect.stringMatching(/^syntax error/),
      ]);
    });
  });

  describe('filters', () => {
    it('reports an unknown filter in an expression and in a filter block, with a did-you-mean', async () => {
      const text = doc(
        '  - name: a',
        CALL,
        '    input:',
        '      a: "{{ INPUT.x | lenght }}"',
        '      b: "{% filter uppr %}x{% endfilter %}"',
        '      c: "{{ INPUT.x | frobnicate }}"',
      );
      expect(await problemsOf(text)).toEqual([
        {
          path: 'steps[0].input.a',
          message: 'unknown filter "lenght"; did you mean "length"? (at column 14 of the template)',
          line: 6,
        },
        {
          path: 'steps[0].input.b',
          message: 'unknown filter "uppr"; did you mean "upper"? (at column 11 of the template)',
          line: 7,
        },
        {
          path: 'steps[0].input.c',
          message:
            'unknown filter "frobnicate" (the filters are listed in docs/templates.md) (at column 14 of the template)',
          line: 8,
        },
      ]);
    });
  });

  describe('SYSTEM_APIS', () => {
    const text = doc(
      '  - name: a',
      '    apispec: { url: "{{ SYSTEM_APIS.my_ap }}/v1" }',
      '  - name: b',
      '    apispec: { url: "{{ SYSTEM_APIS.credentials }}/crm {{ SYSTEM_APIS.billing }}" }',
    );

    it('is not checked when the configuration is not known', async () => {
      expect(await problemsOf(text)).toEqual([]);
    });

    it('reports keys that are not configured, with a did-you-mean; the service own keys are allowed', async () => {
      expect(await problemsOf(text, { systemApis: { my_app: 'http://127.0.0.1:4010' } })).toEqual([
        {
          path: 'steps[0].apispec.url',
          message:
            'SYSTEM_APIS.my_ap names no configured SYSTEM_APIS key; did you mean "my_app"? (at column 4 of the template)',
          line: 4,
        },
        {
          path: 'steps[1].apispec.url',
          message:
            'SYSTEM_APIS.billing names no configured SYSTEM_APIS key (configured: credentials, my_app, runs, sluice, workflows) (at column 38 of the template)',
          line: 6,
        },
      ]);
    });
  });

  describe('when and wait', () => {
    it.each<[when: string, message: string]>([
      [
        '"yes"',
        'is plain text, not a condition: any non-empty text is true, so the step always runs; write the condition inside {{ }} (e.g. "{{ INPUT.notify }}"), or true or false',
      ],
      [
        '"false"',
        'is the text "false", which is true (any non-empty text is), so the step always runs; write false without quotes, or a condition inside {{ }}',
      ],
      ['""', 'is empty text, which is false, so the step never runs; leave when out, or write true or false'],
      [
        '"{{ INPUT.count }} > 0"',
        'mixes text with {{ }}: it renders as text, which is true unless empty, so the step always runs; write the whole condition inside one {{ }} (e.g. "{{ INPUT.count > 0 }}")',
      ],
      [
        '"{{ INPUT.a }}{{ INPUT.b }}"',
        'joins several {{ }} into text, which is true unless empty; write the whole condition inside one {{ }} (e.g. "{{ INPUT.a and INPUT.b }}")',
      ],
    ])('reports when: %s', async (when, message) => {
      const text = doc('  - name: a', CALL, `    when: ${when}`);
      expect(await problemsOf(text)).toEqual([{ path: 'steps[0].when', message, line: 5 }]);
    });

    it.each(['true', 'false', '"{{ INPUT.go }}"', '" {{ INPUT.go }} "', '"{% if INPUT.go %}yes{% endif %}"'])(
      'accepts when: %s',
      async (when) => {
        expect(await problemsOf(doc('  - name: a', CALL, `    when: ${when}`))).toEqual([]);
      },
    );

    it.each<[until: string, problems: WorkflowProblem[]]>([
      [
        'tomorrow',
        [
          {
            path: 'steps[0].wait.until',
            message:
              'must be an RFC 3339 time, e.g. 2026-12-31T09:00:00Z, or a template of one (got "tomorrow")',
            line: 4,
          },
        ],
      ],
      [
        '"2026-13-45T09:00:00Z"',
        [
          {
            path: 'steps[0].wait.until',
            message:
              'must be an RFC 3339 time, e.g. 2026-12-31T09:00:00Z, or a template of one (got "2026-13-45T09:00:00Z")',
            line: 4,
          },
        ],
      ],
      ['"2026-12-31T09:00:00+01:00"', []],
      ['"{{ INPUT.not_before }}"', []],
      ['"{{ INPUT.day }}T09:00:00Z"', []],
    ])('checks wait.until: %s', async (until, problems) => {
      expect(await problemsOf(doc('  - name: a', `    wait: { until: ${until} }`))).toEqual(problems);
    });

    it('reports wait.seconds as a template, with its line (the schema wants a number)', async () => {
      const problems = await problemsOf(doc('  - name: a', '    wait:', '      seconds: "{{ INPUT.s }}"'));
      expect(problems).toEqual([
        {
          path: 'steps[0].wait.seconds',
          message: 'must be a number of seconds from 0 to 31622400 (366 days) (got "{{ INPUT.s }}")',
          line: 5,
        },
      ]);
    });
  });

  describe('hostile documents', () => {
    it('lists 100 names of a template of 10,000 distinct unknown references, then counts the rest', async () => {
      const refs = Array.from({ length: 10_000 }, (_, i) => `{{ STEPS.s${i} | f${i} }}`).join('\n');
      const template = refs.padEnd(1_048_576, ' ');
      const text = JSON.stringify({
        name: 'w',
        steps: [{ name: 'a', apispec: { url: 'https://api.test/' }, output: template }],
      });
      let error: WorkflowParseError | undefined;
      try {
        await parseWorkflow(text, { format: 'json' });
      } catch (err) {
        if (err instanceof WorkflowParseError) error = err;
        else throw err;
      }
      expect(error?.problems[0]?.message).toBe(
        'STEPS.s0 names no step (no step runs before this one) (at column 4 of the template)',
      );
      expect(error?.problems[1]?.message).toMatch(/^unknown filter "f0"/);
      expect(error?.problems[99]?.path).toBe('steps[0].output');
      // 100 listed, one that counts the 19,900 not listed, and the cap's own last line.
      expect(error?.problems.at(-1)?.message).toMatch(/^1 more problem/);
      expect(error?.omitted).toBe(1);
    });

    it('stays bounded with 20,000 steps each naming a step that does not exist', async () => {
      const steps = Array.from({ length: 20_000 }, (_, i) => ({
        name: `step_${i}`,
        apispec: { url: 'https://api.test/' },
        output: `{{ STEPS.step_${i + 1}x | lenght }}`,
      }));
      let error: WorkflowParseError | undefined;
      try {
        await parseWorkflow(JSON.stringify({ name: 'w', steps }), { format: 'json' });
      } catch (err) {
        if (err instanceof WorkflowParseError) error = err;
        else throw err;
      }
      expect(error?.problems).toHaveLength(101);
      expect(error?.omitted).toBe(39_900);
      expect(error?.problems[0]?.message).toMatch(/^STEPS\.step_1x names no step; did you mean "step_1"\?/);
    }, 60_000);
  });
});
