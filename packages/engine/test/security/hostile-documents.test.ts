/**
 * Hostile workflow documents (issue 12): ONE table, each row a document (YAML or JSON, generated when
 * large) and what validating it must give. Validation is linear, so the large rows finish well inside
 * the test timeout (the 50,000-key documents took about a minute when it was quadratic); no row measures
 * time. Past 100 problems, the answer lists the first 100 in document order and one last problem that
 * counts the rest. Rows marked `api` are also sent to `POST /v1/workflows/validate`, which must answer
 * 400 with those problems in `details` (and `details.omitted`), never a 500. To add an attack, add a row.
 */
import { parseWorkflow, WorkflowParseError, type WorkflowProblem } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { codeOf, useApiHarness } from '../api/harness.js';

/** The problems listed at most; past them, one more problem counts the rest. */
const CAP = 100;

type Expected =
  | { valid: true; steps: number }
  | {
      code: 'SLUICE_WORKFLOW_PARSE' | 'SLUICE_WORKFLOW_INVALID';
      /** The first problems, in order; a RegExp message matches the message. */
      first: { path: string; message: string | RegExp; line?: number; column?: number }[];
      /** How many problems there are in all. @default first.length */
      total?: number;
    };

interface HostileDocument {
  name: string;
  format: 'yaml' | 'json';
  /** The document; generated on use. */
  text: () => string;
  expect: Expected;
  /** Also send it to the API. */
  api?: true;
  /** For the rows of megabytes: still far below what a quadratic pass would take. */
  timeoutMs?: number;
}

const URL_YAML = '    apispec: { url: "https://api.test/v1" }';

/** A YAML workflow whose one step `a` is followed by `lines`. */
const stepYaml = (lines: string[]) => ['name: w', 'steps:', '  - name: a', URL_YAML, ...lines, ''].join('\n');

const times = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i));

function stepKeysJson(n: number): string {
  const step: Record<string, unknown> = { name: 'a', apispec: { url: 'https://api.test/v1' } };
  for (let i = 0; i < n; i += 1) step[`k${i}`] = i;
  return JSON.stringify({ name: 'w', steps: [step] }, null, 1);
}

const unknownStepKey = /^unknown key; expected one of: name, action, connection, apispec/;
const TOO_DEEP = 'nests lists and objects more than 100 levels deep; flatten it';
const headerName = (name: string) =>
  `is not an HTTP header name: letters, digits and !#$%&'*+-.^_\`|~ only, e.g. X-Api-Key (got ${JSON.stringify(name)})`;
const CRLF_IN_TEMPLATE =
  'contains a line break (CR or LF) outside {{ }}, which an HTTP header value cannot hold';

const HOSTILE_DOCUMENTS: readonly HostileDocument[] = [
  // Many problems: each was found by scanning all the others (yaml's duplicate-key check, the source
  // map's key lookup, the anyOf grouping, the retry-block check), so the time grew with their square.
  {
    name: '50,000 unknown keys in a step (YAML, 673 KB; took 64 s)',
    format: 'yaml',
    text: () => stepYaml(times(50_000, (i) => `    k${i}: ${i}`)),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [
        { path: 'steps[0].k0', message: unknownStepKey, line: 5 },
        { path: 'steps[0].k1', message: unknownStepKey, line: 6 },
      ],
      total: 50_000,
    },
    api: true,
  },
  {
    name: '50,000 unknown keys in a step (JSON, 771 KB; took 45 s)',
    format: 'json',
    text: () => stepKeysJson(50_000),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [{ path: 'steps[0].k0', message: unknownStepKey, line: 9 }],
      total: 50_000,
    },
    api: true,
  },
  {
    name: '50,000 unknown keys at the document root',
    format: 'yaml',
    text: () => [...times(50_000, (i) => `k${i}: 1`), stepYaml([])].join('\n'),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [{ path: 'k0', message: /^unknown key; expected one of: uid, name, scope/, line: 1 }],
      total: 50_000,
    },
  },
  {
    name: '50,000 unknown keys in an apispec',
    format: 'yaml',
    text: () =>
      ['name: w', 'steps:', '  - name: a', '    apispec:', '      url: "https://api.test"']
        .concat(times(50_000, (i) => `      k${i}: 1`))
        .join('\n'),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [
        { path: 'steps[0].apispec.k0', message: /^unknown key; expected one of: url, method/, line: 6 },
      ],
      total: 50_000,
    },
  },
  {
    name: '50,000 unknown keys in a retry block',
    format: 'yaml',
    text: () => stepYaml(['    retry:', ...times(50_000, (i) => `      k${i}: 1`)]),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [
        { path: 'steps[0].retry.k0', message: /^unknown key; expected one of: total, connect/, line: 6 },
      ],
      total: 50_000,
    },
  },
  {
    name: '20,000 steps with neither apispec nor action (2,000 took 33 s)',
    format: 'yaml',
    text: () => ['name: w', 'steps:', ...times(20_000, (i) => `  - { name: s${i} }`)].join('\n'),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [
        {
          path: 'steps[0]',
          message:
            'needs apispec (an HTTP call), action (a connector action, <connector>.<action>), wait (a wait, { seconds: 30 } or { until: "{{ INPUT.not_before }}" }) or workflow (a workflow to run, by name or uid)',
          line: 3,
        },
      ],
      total: 20_000,
    },
  },
  {
    name: '20,000 steps of the same name',
    format: 'yaml',
    text: () =>
      [
        'name: w',
        'steps:',
        ...times(20_000, () => '  - { name: a, apispec: { url: "https://api.test" } }'),
      ].join('\n'),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [
        {
          path: 'steps[1].name',
          message: 'duplicate step name "a", first used by steps[0] (line 3); step names must be unique',
          line: 4,
        },
      ],
      total: 19_999,
    },
  },
  {
    name: '50,000 repeats of one key in a map',
    format: 'yaml',
    text: () => [stepYaml([]), 'junk:', ...times(50_000, () => '  dup: 1')].join('\n'),
    expect: {
      code: 'SLUICE_WORKFLOW_PARSE',
      first: [
        {
          path: '',
          message: 'duplicate key "dup": keys must be unique within an object',
          line: 8,
          column: 3,
        },
      ],
      total: 49_999,
    },
  },
  {
    name: '50,000 lines of YAML syntax errors',
    format: 'yaml',
    text: () => [stepYaml([]), 'junk:', ...times(50_000, () => '  - a: b: c')].join('\n'),
    expect: {
      code: 'SLUICE_WORKFLOW_PARSE',
      first: [
        { path: '', message: 'Nested mappings are not allowed in compact mappings', line: 7, column: 8 },
      ],
      total: 50_000,
    },
  },
  {
    name: '20,000 headers, each with a bad name and a CR LF in its value',
    format: 'yaml',
    text: () =>
      ['name: w', 'steps:', '  - name: a', '    apispec:', '      url: "https://api.test"', '      headers:']
        .concat(times(20_000, (i) => `        "X ${i}": "{{ INPUT.v }}\\r\\nX-Injected: 1"`))
        .join('\n'),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [
        { path: 'steps[0].apispec.headers["X 0"]', message: headerName('X 0'), line: 7 },
        { path: 'steps[0].apispec.headers["X 0"]', message: CRLF_IN_TEMPLATE, line: 7 },
      ],
      total: 40_000,
    },
  },

  // Size: a long document is linear work, and the request body limit bounds it.
  {
    name: '100,000 tiny steps (JSON, 5 MB)',
    format: 'json',
    text: () =>
      JSON.stringify({
        name: 'w',
        steps: times(100_000, (i) => ({ name: `s${i}`, apispec: { url: 'https://api.test' } }) as never),
      }),
    expect: { valid: true, steps: 100_000 },
    timeoutMs: 60_000,
  },
  {
    name: 'a 900 KB string',
    format: 'yaml',
    text: () => stepYaml([`    input: "${'a'.repeat(900_000)}"`]),
    expect: { valid: true, steps: 1 },
  },
  {
    name: 'twenty unknown keys of 10 KB each (JSON): no did-you-mean work on them',
    format: 'json',
    text: () => {
      const step: Record<string, unknown> = { name: 'a', apispec: { url: 'https://api.test' } };
      for (let i = 0; i < 20; i += 1) step[`${'k'.repeat(10_000)}${i}`] = 1;
      return JSON.stringify({ name: 'w', steps: [step] });
    },
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [{ path: `steps[0].${'k'.repeat(10_000)}0`, message: unknownStepKey, line: 1 }],
      total: 20,
    },
  },

  // Depth: refused before anything walks the document recursively.
  {
    name: 'a JSON document 10,000 levels deep',
    format: 'json',
    text: () =>
      `{"name":"w","steps":[{"name":"a","apispec":{"url":"https://api.test"},"input":${'['.repeat(10_000)}${']'.repeat(10_000)}}]}`,
    // The document is level 1, steps 2, the step 3, input 4: level 101 is 97 lists into input.
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [{ path: `steps[0].input${'[0]'.repeat(97)}`, message: TOO_DEEP, line: 1 }],
    },
  },
  {
    name: 'a YAML document 10,000 levels deep (flow lists): too deep to parse',
    format: 'yaml',
    text: () => stepYaml([`    input: ${'['.repeat(10_000)}${']'.repeat(10_000)}`]),
    expect: {
      code: 'SLUICE_WORKFLOW_PARSE',
      first: [
        {
          path: '',
          message: 'the document nests lists and objects too deeply (at most 100 levels)',
          line: 5,
        },
      ],
    },
    api: true,
  },
  {
    name: 'a YAML document 150 levels deep (block maps)',
    format: 'yaml',
    text: () =>
      stepYaml(['    input:', ...times(150, (i) => `${' '.repeat(6 + 2 * i)}k:${i === 149 ? ' 1' : ''}`)]),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [{ path: `steps[0].input${'.k'.repeat(97)}`, message: TOO_DEEP, line: 102 }],
    },
    api: true,
  },

  // Aliases: the expansion and the count of aliases are both bounded.
  {
    name: 'a billion laughs (aliases of aliases, 10 levels of 10)',
    format: 'yaml',
    text: () =>
      [
        'a0: &a0 [x, x, x, x, x, x, x, x, x, x]',
        ...times(9, (i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`),
        stepYaml([]),
      ].join('\n'),
    expect: {
      code: 'SLUICE_WORKFLOW_PARSE',
      first: [
        {
          path: '',
          message:
            'the YAML aliases (*name) expand to too much data (more than 1000 expansions, counting the aliases inside each aliased value); write the repeated parts out, or alias less',
        },
      ],
    },
    api: true,
  },
  {
    name: '1,001 aliases of small values (the parser resolves each by scanning the anchors before it)',
    format: 'yaml',
    text: () =>
      stepYaml([
        '    input:',
        ...times(2, (i) => `      - &v${i} ${i}`),
        ...times(1001, (i) => `      - *v${i % 2}`),
      ]),
    expect: {
      code: 'SLUICE_WORKFLOW_PARSE',
      first: [
        {
          path: '',
          message: 'more than 1000 YAML aliases (*name); write the repeated parts out, or alias less',
          line: 1008,
          column: 9,
        },
      ],
    },
  },

  // Names that are special to JavaScript objects, and headers HTTP cannot carry (issue 12, item 8).
  {
    name: 'a step named __proto__',
    format: 'yaml',
    text: () => ['name: w', 'steps:', '  - name: __proto__', URL_YAML, ''].join('\n'),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [
        {
          path: 'steps[0].name',
          message:
            'cannot be __proto__: JavaScript objects reserve that key, so STEPS.__proto__ could not hold the step; rename the step',
          line: 3,
        },
      ],
    },
    api: true,
  },
  {
    name: "steps named after Object.prototype's members (they work: test/e2e/step-names-and-headers)",
    format: 'yaml',
    text: () =>
      [
        'name: w',
        'steps:',
        ...['constructor', 'prototype', 'toString', 'hasOwnProperty'].flatMap((n) => [
          `  - name: ${n}`,
          URL_YAML,
        ]),
        '',
      ].join('\n'),
    expect: { valid: true, steps: 4 },
  },
  {
    name: 'a __proto__ key in a JSON document is an unknown key, not a prototype',
    format: 'json',
    text: () =>
      '{"name":"w","__proto__":{"steps":1},"steps":[{"name":"a","apispec":{"url":"https://api.test"}}]}',
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [{ path: '__proto__', message: /^unknown key; expected one of: uid, name/, line: 1 }],
    },
  },
  {
    name: 'a header name with CR LF (JSON)',
    format: 'json',
    text: () =>
      JSON.stringify({
        name: 'w',
        steps: [{ name: 'a', apispec: { url: 'https://api.test', headers: { 'X\r\nInjected': 'v' } } }],
      }),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [
        {
          path: 'steps[0].apispec.headers["X\\r\\nInjected"]',
          message: headerName('X\r\nInjected'),
          line: 1,
        },
      ],
    },
    api: true,
  },
  {
    name: "a CR LF in a header template's literal text",
    format: 'yaml',
    text: () =>
      stepYaml(['    input: { token: t }', '    output: "{{ CURRENT_STEP.response.body }}"']).replace(
        URL_YAML,
        '    apispec: { url: "https://api.test", headers: { X-T: "{{ INPUT.token }}\\r\\nX-Injected: 1" } }',
      ),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [{ path: 'steps[0].apispec.headers.X-T', message: CRLF_IN_TEMPLATE, line: 4 }],
    },
  },
  {
    name: 'a header template ending in the newline of a YAML block scalar (the newline is not sent)',
    format: 'yaml',
    text: () =>
      ['name: w', 'steps:', '  - name: a', '    apispec:', '      url: "https://api.test"', '      headers:']
        .concat(['        Authorization: |', '          Bearer {{ INPUT.token }}', ''])
        .join('\n'),
    expect: { valid: true, steps: 1 },
  },
  // Flow control (issue 15): the child workflow a step runs and the `on_failure` workflow are names,
  // never templates; pages are bounded.
  {
    name: 'a workflow step naming its workflow with a template',
    format: 'yaml',
    text: () => ['name: w', 'steps:', '  - name: a', '    workflow: "{{ INPUT.which }}"', ''].join('\n'),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [
        {
          path: 'steps[0].workflow',
          message: /^must be the name or uid of a workflow \(not a template\)/,
          line: 4,
        },
      ],
    },
    api: true,
  },
  {
    name: 'an on_failure workflow as a template, with an unknown key',
    format: 'yaml',
    text: () =>
      [
        'name: w',
        'on_failure: { workflow: "{{ x }}", chain: true }',
        stepYaml([]).slice('name: w\n'.length),
      ].join('\n'),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [
        { path: 'on_failure.chain', message: /^unknown key; expected one of: workflow/, line: 2 },
        {
          path: 'on_failure.workflow',
          message: /^must be the name or uid of a workflow \(not a template\)/,
          line: 2,
        },
      ],
    },
  },
  {
    name: 'paginate with a trillion pages, and on a step of another kind',
    format: 'yaml',
    text: () =>
      stepYaml(['    paginate: { next: "{{ 1 }}", max_pages: 1000000000000 }']).concat(
        ['  - name: b', '    wait: { seconds: 1 }', '    paginate: { next: "{{ 1 }}" }', ''].join('\n'),
      ),
    expect: {
      code: 'SLUICE_WORKFLOW_INVALID',
      first: [
        { path: 'steps[0].paginate.max_pages', message: /^must be an integer from 1 to 10000/, line: 5 },
        { path: 'steps[1].paginate', message: 'is only allowed on a step with apispec', line: 8 },
      ],
    },
  },
  {
    name: '10,000 workflow steps calling a 1 KB name each (YAML)',
    format: 'yaml',
    text: () =>
      [
        'name: w',
        'steps:',
        ...times(10_000, (i) => `  - { name: s${i}, workflow: ${'w'.repeat(1024)} }`),
        '',
      ].join('\n'),
    expect: { valid: true, steps: 10_000 },
  },
];

/** What `parseWorkflow` gives for a row: the workflow's step count, or the error. */
async function outcomeOf(doc: HostileDocument, text: string): Promise<number | WorkflowParseError> {
  try {
    return (await parseWorkflow(text, { format: doc.format })).steps.length;
  } catch (err) {
    if (err instanceof WorkflowParseError) return err;
    throw err;
  }
}

/** Checks a problem list (and its omitted count) against a row. */
function expectProblems(
  expected: Exclude<Expected, { valid: true }>,
  problems: readonly WorkflowProblem[],
  omitted: number,
): void {
  const total = expected.total ?? expected.first.length;
  expected.first.forEach((want, i) => {
    const got = problems[i];
    expect(got, `problem ${i}`).toBeDefined();
    const { message, ...rest } = want;
    expect(got).toMatchObject(rest);
    if (message instanceof RegExp) expect(got?.message).toMatch(message);
    else expect(got?.message).toBe(message);
  });
  if (total <= CAP) {
    expect(problems).toHaveLength(total);
    expect(omitted).toBe(0);
    return;
  }
  expect(problems).toHaveLength(CAP + 1);
  expect(problems[CAP]).toEqual({
    path: '',
    message: `${(total - CAP).toLocaleString('en-US')} more problems not listed (only the first 100 are); fix these and check again`,
  });
  expect(omitted).toBe(total - CAP);
}

describe('hostile workflow documents', () => {
  for (const doc of HOSTILE_DOCUMENTS) {
    it(
      doc.name,
      async () => {
        const outcome = await outcomeOf(doc, doc.text());
        if ('valid' in doc.expect) {
          expect(outcome, String(outcome instanceof Error ? outcome.message.slice(0, 500) : '')).toBe(
            doc.expect.steps,
          );
          return;
        }
        expect(outcome).toBeInstanceOf(WorkflowParseError);
        const err = outcome as WorkflowParseError;
        expect(err.code).toBe(doc.expect.code);
        expectProblems(doc.expect, err.problems, err.omitted);
      },
      doc.timeoutMs,
    );
  }
});

describe('hostile workflow documents through POST /v1/workflows/validate', () => {
  const h = useApiHarness();

  for (const doc of HOSTILE_DOCUMENTS.filter((d) => d.api === true)) {
    it(`answers 400 with its problems: ${doc.name}`, async () => {
      if ('valid' in doc.expect) throw new Error('the api rows are invalid documents');
      const text = doc.text();
      const type = doc.format === 'yaml' ? 'application/yaml' : 'application/json';
      const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows/validate', text, {
        'content-type': type,
      });
      expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(400);
      expect(codeOf(res)).toBe(doc.expect.code);
      const details = (res.body.error as { details: { problems: WorkflowProblem[]; omitted?: number } })
        .details;
      expectProblems(doc.expect, details.problems, details.omitted ?? 0);
    });
  }
});
