import {
  type HttpStep,
  isHttpStep,
  parseWorkflow,
  type Workflow,
  WorkflowParseError,
  type WorkflowProblem,
} from '@sluice/engine';
import { describe, expect, it } from 'vitest';

async function failure(
  text: string,
  options: { format?: 'yaml' | 'json'; file?: string } = {},
): Promise<WorkflowParseError> {
  try {
    await parseWorkflow(text, options);
  } catch (err) {
    if (err instanceof WorkflowParseError) return err;
    throw err;
  }
  throw new Error('the document parsed');
}

/** The example of DESIGN §4, as written there. */
const DESIGN_EXAMPLE = `uid: 7d1c...            # optional on create
name: sync-new-customers
scope: workspace        # workspace | global
default_retry: { total: 3, backoff_factor: 0.5, status_forcelist: [429, 502, 503] }
steps:
  - name: customers     # unique within the workflow
    apispec:
      url: "{{ SYSTEM_APIS.my_app }}/v1/customers.json"
      method: get
      params: { created_since: "{{ INPUT.since }}" }
      headers: { Authorization: "Bearer {{ USER.token }}" }
      timeout: 10
    output: "{{ CURRENT_STEP.response.body.customers }}"
  - name: notify
    input: "{{ STEPS.customers.output }}"   # a list: one call per item
    concurrency: 4                           # at most 4 calls of this step at once, engine-wide
    apispec: { url: https://hooks.example/notify, method: post, json_body: { id: "{{ CURRENT_STEP.input.id }}" } }
    retry: { total: 5, status_forcelist: [429, 503], respect_retry_after_header: true }
`;

/** Every field, every retry option, anchors and merge keys, stored fields, odd methods. */
const BIG_YAML = `# yaml-language-server: $schema=../schema/workflow.schema.json
uid: 0b5f6c1e-4a47-4b0e-9a86-2f8f0c1a2b3c
name: Everything at once
scope: global
workspace_id: ws_1
user_id: ann@example.com
created: 2024-05-01T12:00:00Z
updated: 2024-05-02T08:30:00.123+02:00
deleted: false
version: 3
default_retry:
  total: 10
  connect: 2
  read: false
  redirect: true
  status: null
  other: 0
  allowed_methods: [get, PUT]
  status_forcelist: [429, 502, 503]
  backoff_factor: 0.5
  backoff_max: 30
  backoff_jitter: 0.25
  raise_on_redirect: false
  raise_on_status: false
  respect_retry_after_header: true
  remove_headers_on_redirect: [Cookie, X-Secret]
  retry_after_max: 600
steps:
  - name: auth
    apispec:
      url: "{{ SYSTEM_APIS.credentials }}/token"
      method: post
      data: { grant_type: client_credentials }
      headers: &auth
        Authorization: "Bearer {{ USER.token }}"
      timeout: 2.5
    output: "{{ CURRENT_STEP.response.body.access_token }}"
  - name: list_customers
    apispec:
      url: https://api.example.com/v1/customers
      params: "{{ INPUT.query }}"
      headers:
        <<: *auth
        X-Count: 3
        X-Debug: true
    retry: { total: false }
  - name: _notify_2
    input: "{{ STEPS.list_customers.output | selectattr('active') | list }}"
    concurrency: 8
    apispec:
      url: "https://hooks.example/{{ CURRENT_STEP.input.id }}"
      method: Propfind
      json_body:
        - id: "{{ CURRENT_STEP.input.id }}"
        - tags: [a, b]
    output:
      status: "{{ CURRENT_STEP.response.status }}"
      seen: true
    retry: { status_forcelist: null, allowed_methods: null, redirect: false }
  - name: raw
    apispec:
      url: https://hooks.example/raw
      method: put
      data: |
        line one {{ RUN.id }}
        {% for s in STEPS.list_customers.output %}{{ s.id }},{% endfor %}
`;

describe('parseWorkflow on valid documents', () => {
  it('parses the example of DESIGN §4, upper-casing methods', async () => {
    const workflow = await parseWorkflow(DESIGN_EXAMPLE);
    expect(workflow).toEqual({
      uid: '7d1c...',
      name: 'sync-new-customers',
      scope: 'workspace',
      default_retry: { total: 3, backoff_factor: 0.5, status_forcelist: [429, 502, 503] },
      steps: [
        {
          name: 'customers',
          apispec: {
            url: '{{ SYSTEM_APIS.my_app }}/v1/customers.json',
            method: 'GET',
            params: { created_since: '{{ INPUT.since }}' },
            headers: { Authorization: 'Bearer {{ USER.token }}' },
            timeout: 10,
          },
          output: '{{ CURRENT_STEP.response.body.customers }}',
        },
        {
          name: 'notify',
          input: '{{ STEPS.customers.output }}',
          concurrency: 4,
          apispec: {
            url: 'https://hooks.example/notify',
            method: 'POST',
            json_body: { id: '{{ CURRENT_STEP.input.id }}' },
          },
          retry: { total: 5, status_forcelist: [429, 503], respect_retry_after_header: true },
        },
      ],
    } satisfies Workflow);
  });

  it('fills in scope workspace and method GET', async () => {
    const workflow = await parseWorkflow(
      'name: w\nsteps:\n  - name: a\n    apispec: { url: "https://api.test" }\n',
    );
    expect(workflow.scope).toBe('workspace');
    expect((workflow.steps[0] as HttpStep | undefined)?.apispec.method).toBe('GET');
  });

  it('parses a document that uses every field, anchors and merge keys', async () => {
    const expected = bigDocumentValue();
    for (const step of expected.steps) {
      if (isHttpStep(step)) step.apispec.method = step.apispec.method.toUpperCase();
    }
    expect(await parseWorkflow(BIG_YAML)).toEqual(expected);
  });

  it('reports the line of a merged key where its anchor defines it', async () => {
    const text = BIG_YAML.replace(
      'Authorization: "Bearer {{ USER.token }}"',
      'Authorization: "Bearer {{ USER.token }"',
    );
    const lines = (await failure(text)).problems.map((p) => `${p.path} (line ${p.line})`);
    expect(lines).toEqual([
      'steps[0].apispec.headers.Authorization (line 35)',
      'steps[1].apispec.headers.Authorization (line 35)',
    ]);
  });

  it('accepts the same big document as JSON, with a $schema key for editors', async () => {
    const value = bigDocumentValue();
    const json = JSON.stringify({ $schema: './workflow.schema.json', ...value }, null, 2);
    const workflow = await parseWorkflow(json, { file: 'big.json' });
    expect(workflow).not.toHaveProperty('$schema');
    expect(workflow.steps.map((s) => (s as HttpStep).apispec.method)).toEqual([
      'POST',
      'GET',
      'PROPFIND',
      'PUT',
    ]);
    expect(workflow.default_retry).toEqual(value.default_retry);
  });
});

/** BIG_YAML without its anchor holder, as a plain value. */
function bigDocumentValue(): Workflow {
  const auth = { Authorization: 'Bearer {{ USER.token }}' };
  return {
    uid: '0b5f6c1e-4a47-4b0e-9a86-2f8f0c1a2b3c',
    name: 'Everything at once',
    scope: 'global',
    workspace_id: 'ws_1',
    user_id: 'ann@example.com',
    created: '2024-05-01T12:00:00Z',
    updated: '2024-05-02T08:30:00.123+02:00',
    deleted: false,
    version: 3,
    default_retry: {
      total: 10,
      connect: 2,
      read: false,
      redirect: true,
      status: null,
      other: 0,
      allowed_methods: ['get', 'PUT'],
      status_forcelist: [429, 502, 503],
      backoff_factor: 0.5,
      backoff_max: 30,
      backoff_jitter: 0.25,
      raise_on_redirect: false,
      raise_on_status: false,
      respect_retry_after_header: true,
      remove_headers_on_redirect: ['Cookie', 'X-Secret'],
      retry_after_max: 600,
    },
    steps: [
      {
        name: 'auth',
        apispec: {
          url: '{{ SYSTEM_APIS.credentials }}/token',
          method: 'post',
          data: { grant_type: 'client_credentials' },
          headers: auth,
          timeout: 2.5,
        },
        output: '{{ CURRENT_STEP.response.body.access_token }}',
      },
      {
        name: 'list_customers',
        apispec: {
          url: 'https://api.example.com/v1/customers',
          method: 'GET',
          params: '{{ INPUT.query }}',
          headers: { ...auth, 'X-Count': 3, 'X-Debug': true },
        },
        retry: { total: false },
      },
      {
        name: '_notify_2',
        input: "{{ STEPS.list_customers.output | selectattr('active') | list }}",
        concurrency: 8,
        apispec: {
          url: 'https://hooks.example/{{ CURRENT_STEP.input.id }}',
          method: 'Propfind',
          json_body: [{ id: '{{ CURRENT_STEP.input.id }}' }, { tags: ['a', 'b'] }],
        },
        output: { status: '{{ CURRENT_STEP.response.status }}', seen: true },
        retry: { status_forcelist: null, allowed_methods: null, redirect: false },
      },
      {
        name: 'raw',
        apispec: {
          url: 'https://hooks.example/raw',
          method: 'put',
          data: 'line one {{ RUN.id }}\n{% for s in STEPS.list_customers.output %}{{ s.id }},{% endfor %}\n',
        },
      },
    ],
  };
}

type SyntaxRow = [
  what: string,
  text: string,
  format: 'yaml' | 'json' | undefined,
  problems: WorkflowProblem[],
];

const SYNTAX: SyntaxRow[] = [
  ['an empty document', '  \n', undefined, [{ path: '', message: 'the document is empty', line: 1 }]],
  [
    'a YAML syntax error',
    'name: w\nsteps:\n  - name: a\n    apispec: { url: x\n',
    'yaml',
    [expect.objectContaining({ path: '', line: 5 }) as WorkflowProblem],
  ],
  [
    'a duplicate YAML key',
    'name: w\nsteps: []\nname: v\n',
    'yaml',
    [{ path: '', message: 'duplicate key "name": keys must be unique within an object', line: 3, column: 1 }],
  ],
  [
    'an unresolved YAML tag',
    'name: !secret w\nsteps: []\n',
    'yaml',
    [{ path: '', message: 'Unresolved tag: !secret', line: 1, column: 7 }],
  ],
  [
    'an alias to an unknown anchor',
    'name: *nope\nsteps: []\n',
    'yaml',
    [expect.objectContaining({ path: '', message: expect.stringMatching(/nope/) }) as WorkflowProblem],
  ],
  [
    'a JSON syntax error, named by its line and column',
    '{\n  "name": "w",\n  "steps": [}\n}',
    'json',
    [{ path: '', message: "invalid JSON: Unexpected token '}'", line: 3, column: 13 }],
  ],
  [
    'a JSON trailing comma',
    '{\n  "name": "w",\n}',
    'json',
    [{ path: '', message: 'invalid JSON: Expected double-quoted property name', line: 3, column: 1 }],
  ],
  [
    'a duplicate JSON key, which JSON.parse would let pass',
    '{\n  "name": "w",\n  "name": "v",\n  "steps": []\n}',
    'json',
    [{ path: '', message: 'duplicate key "name": keys must be unique within an object', line: 3, column: 3 }],
  ],
];

describe('parseWorkflow on text that does not parse', () => {
  it.each(SYNTAX)('reports %s as SLUICE_WORKFLOW_PARSE', async (_what, text, format, problems) => {
    const err = await failure(text, format === undefined ? {} : { format });
    expect(err.code).toBe('SLUICE_WORKFLOW_PARSE');
    expect(err.problems).toEqual(problems);
  });

  it('picks JSON by the file extension, and by a leading brace', async () => {
    expect((await failure('{"name": }', { file: 'w.json' })).problems[0]?.message).toMatch(/^invalid JSON/);
    expect((await failure('{"name": }')).problems[0]?.message).toMatch(/^invalid JSON/);
    expect((await failure('{"name": }', { file: 'w.yaml' })).problems[0]?.message).not.toMatch(/JSON/);
  });

  it('gives JSON documents their lines for format problems too', async () => {
    const text =
      '{\n  "name": "w",\n  "steps": [\n    {"name": "a", "apispec": {"url": "https://x.test", "timeout": -2}}\n  ]\n}';
    expect((await failure(text)).problems).toEqual([
      { path: 'steps[0].apispec.timeout', message: 'must be a positive number of seconds (got -2)', line: 4 },
    ]);
  });

  it('strips a byte order mark', async () => {
    const workflow = await parseWorkflow(
      '\uFEFF{"name": "w", "steps": [{"name": "a", "apispec": {"url": "https://x.test"}}]}',
    );
    expect(workflow.name).toBe('w');
  });
});
