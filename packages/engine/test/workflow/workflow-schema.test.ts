import { readFileSync } from 'node:fs';
import { validateWorkflow, WORKFLOW_DEFAULTS, workflowJsonSchema } from '@sluice/engine';
import { RETRY_DEFAULTS, RetryPolicy } from '@sluice/sdk';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const SCHEMA_FILE = new URL('../../schema/workflow.schema.json', import.meta.url);
const REGENERATE =
  'node --conditions=development --import tsx packages/cli/src/main.ts schema workflow ' +
  '--output packages/engine/schema/workflow.schema.json && ' +
  'npx biome format --write packages/engine/schema/workflow.schema.json';

type Node = Record<string, unknown>;

/** Every schema node with `properties`, with its path, and each property node. */
function* propertiesOf(node: unknown, path: string): Generator<[string, Node]> {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* propertiesOf(item, `${path}[${i}]`);
    return;
  }
  const n = node as Node;
  if (typeof n.properties === 'object' && n.properties !== null) {
    for (const [key, child] of Object.entries(n.properties as Node)) yield [`${path}.${key}`, child as Node];
  }
  for (const [key, child] of Object.entries(n)) {
    if (key !== 'defaultSnippets') yield* propertiesOf(child, `${path}/${key}`);
  }
}

describe('workflowJsonSchema', () => {
  it('matches the committed packages/engine/schema/workflow.schema.json', () => {
    const committed: unknown = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(committed, `the schema file is stale; regenerate it with:\n${REGENERATE}`).toEqual(
      workflowJsonSchema(),
    );
  });

  it('is a valid draft-07 schema', () => {
    const schema = workflowJsonSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
  });

  it('describes every property, so that editors can document and complete them', () => {
    const undocumented = [...propertiesOf(workflowJsonSchema(), '#')]
      .filter(([, node]) => typeof node.description !== 'string' || node.description === '')
      .map(([path]) => path);
    expect(undocumented).toEqual([]);
  });

  it('lists exactly the retry options the SDK knows, with its defaults', () => {
    const schema = workflowJsonSchema() as {
      properties: Record<string, { properties: Record<string, Node> }>;
    };
    const retry = schema.properties.default_retry?.properties ?? {};
    expect(Object.keys(retry).sort()).toEqual(Object.keys(RETRY_DEFAULTS).sort());
    expect(retry.backoff_max?.default).toBe(RETRY_DEFAULTS.backoff_max);
    expect(retry.retry_after_max?.default).toBe(RETRY_DEFAULTS.retry_after_max);
  });

  it('gives the defaults the parser fills in', () => {
    const schema = workflowJsonSchema() as { properties: Record<string, Node> };
    expect(schema.properties.scope?.default).toBe(WORKFLOW_DEFAULTS.scope);
    const steps = schema.properties.steps as { items: { properties: { apispec: { properties: Node } } } };
    expect((steps.items.properties.apispec.properties.method as Node).default).toBe(WORKFLOW_DEFAULTS.method);
  });

  it('returns a fresh copy on each call', () => {
    const a = workflowJsonSchema();
    a.title = 'changed';
    expect(workflowJsonSchema().title).toBe('Sluice workflow');
  });
});

/** Retry blocks; the validator must accept exactly those the SDK accepts. */
const RETRY_BLOCKS: [block: Record<string, unknown>][] = [
  [{}],
  [{ total: 0 }],
  [{ total: null, connect: null, read: null, redirect: null, status: null, other: null }],
  [{ total: false, connect: false, read: false, redirect: false }],
  [{ redirect: true }],
  [{ status: false }],
  [{ other: false }],
  [{ total: -1 }],
  [{ total: 2.5 }],
  [{ total: 'three' }],
  [{ total: true }],
  [{ allowed_methods: [] }],
  [{ allowed_methods: false }],
  [{ allowed_methods: null }],
  [{ allowed_methods: ['get', 'MKCOL'] }],
  [{ allowed_methods: [''] }],
  [{ allowed_methods: 'GET' }],
  [{ status_forcelist: [100, 599] }],
  [{ status_forcelist: [99] }],
  [{ status_forcelist: [600] }],
  [{ status_forcelist: [429.5] }],
  [{ status_forcelist: null }],
  [{ backoff_factor: 0, backoff_max: 0, backoff_jitter: 0, retry_after_max: 0 }],
  [{ backoff_factor: 0.1 }],
  [{ backoff_factor: -0.1 }],
  [{ backoff_factor: Number.POSITIVE_INFINITY }],
  [{ backoff_jitter: 'one' }],
  [{ raise_on_redirect: false, raise_on_status: false, respect_retry_after_header: false }],
  [{ raise_on_status: 2 }],
  [{ remove_headers_on_redirect: [] }],
  [{ remove_headers_on_redirect: ['X-A'] }],
  [{ remove_headers_on_redirect: [''] }],
  [{ remove_headers_on_redirect: null }],
  [{ totl: 1 }],
];

describe('retry validation', () => {
  it.each(RETRY_BLOCKS)('agrees with RetryPolicy.from on %j', async (block) => {
    let sdkAccepts = true;
    try {
      RetryPolicy.from(block);
    } catch {
      sdkAccepts = false;
    }
    const doc = { name: 'w', steps: [{ name: 'a', apispec: { url: 'https://x.test' }, retry: block }] };
    const result = await validateWorkflow(doc);
    expect(result.ok, JSON.stringify(result.problems)).toBe(sdkAccepts);
  });

  it('rejects status_forcelist: false, which the SDK tolerates but its RetryOptions type does not allow', async () => {
    const doc = {
      name: 'w',
      steps: [{ name: 'a', apispec: { url: 'https://x.test' }, retry: { status_forcelist: false } }],
    };
    expect((await validateWorkflow(doc)).problems).toEqual([
      {
        path: 'steps[0].retry.status_forcelist',
        message: 'must be a list of HTTP statuses, or null (got false)',
      },
    ]);
  });
});
