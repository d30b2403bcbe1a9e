/**
 * Fidelity with the Mason workflow format (the seed document: Step, APISpec, Retry and Workflow models,
 * pydantic v2). The documents in `documents/` are written exactly as the format describes them; each is
 * validated with `parseWorkflow` and run with `runWorkflow` and through the service API, against a real
 * HTTP server on loopback that records what it is sent. `docs/fidelity.md` ("Mason workflow documents")
 * lists every behaviour and whether Sluice does the same.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createApi,
  createApiKey,
  createEngine,
  type Engine,
  getRunRecord,
  isSluiceError,
  MemoryRunStore,
  openStore,
  parseWorkflow,
  runWorkflow,
  TemplateRenderer,
  validateWorkflow,
  type Workflow,
  WorkflowParseError,
} from '@sluice/engine';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const DOCUMENTS = fileURLToPath(new URL('./documents/', import.meta.url));
const text = (name: string) => readFileSync(join(DOCUMENTS, name), 'utf8');
const parse = (name: string) => parseWorkflow(text(name), { file: name, renderer });

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let origin: string;
let seen: Seen[] = [];
let customerCalls = 0;
const renderer = new TemplateRenderer();

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ method: req.method ?? '', path: req.url ?? '/', headers: req.headers, body });
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (url.pathname === '/auth') return json(200, { token: 'tok-123' });
      if (url.pathname === '/customers') {
        customerCalls += 1;
        if (customerCalls === 1) return json(503, { error: 'busy' });
        return json(200, { customers: [{ name: 'Ada' }, { name: 'Bo' }] });
      }
      if (url.pathname === '/report') return json(200, JSON.parse(body === '' ? 'null' : body));
      if (url.pathname === '/down') return json(503, { error: 'down' });
      return json(200, { ok: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await renderer.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});
beforeEach(() => {
  seen = [];
  customerCalls = 0;
});

async function run(workflow: Workflow) {
  const store = new MemoryRunStore();
  const outcome = await runWorkflow(workflow, {
    store,
    renderer,
    systemApis: { mock: origin },
    sleep: async () => {},
  });
  return { outcome, record: await getRunRecord(store, outcome.id), store };
}

describe('a Mason document with every field, as pydantic dumps it', () => {
  it('validates: null Optional fields, naive datetimes as UTC, headers and params from JSON text', async () => {
    const workflow = await parse('customers.yaml');
    expect(workflow).toMatchObject({
      uid: '3f1c2a9e-8d4b-4c1e-9f0a-6b2d7e5c4a11',
      created: '2024-05-01T12:00:00.123456Z',
      updated: '2024-05-01T12:30:00.654321Z',
      deleted: false,
    });
    expect(workflow.steps.map((step) => step.name)).toEqual(['étape 1', 'get-customers', 'résumé']);
    const [auth, customers, report] = workflow.steps as unknown as Record<string, unknown>[];
    // null is the same as leaving the field out.
    for (const key of ['input', 'output', 'retry']) expect(auth).not.toHaveProperty(key);
    expect(auth?.apispec).toEqual({
      url: '{{ SYSTEM_APIS.mock }}/auth',
      method: 'POST',
      headers: { Accept: 'application/json' },
      json_body: { client: 'mason' },
      timeout: 10,
    });
    expect(customers?.apispec).toMatchObject({
      headers: { Authorization: "Bearer {{ STEPS['étape 1'].output.token }}" },
      params: { limit: 2 },
    });
    expect(report?.apispec).not.toHaveProperty('headers');
    expect(Date.parse(workflow.created as string)).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 123));
  });

  it('runs: STEPS["étape 1"] and STEPS["get-customers"] read the steps, the 503 is retried', async () => {
    const { record } = await run(await parse('customers.yaml'));
    expect(record.status).toBe('succeeded');
    expect(record.steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['étape 1', 'succeeded', 1],
      ['get-customers', 'succeeded', 2],
      ['résumé', 'succeeded', 1],
    ]);
    expect(record.steps[1]?.output).toEqual([{ name: 'Ada' }, { name: 'Bo' }]);
    expect(record.steps[2]?.output).toEqual({ count: 2, first: 'Ada' });
    const auth = seen.find((s) => s.path === '/auth');
    expect(auth).toMatchObject({ method: 'POST', body: '{"client":"mason"}' });
    expect(auth?.headers.accept).toBe('application/json');
    const customers = seen.filter((s) => s.path.startsWith('/customers'));
    expect(customers.map((s) => s.path)).toEqual(['/customers?limit=2', '/customers?limit=2']);
    expect(customers[1]?.headers.authorization).toBe('Bearer tok-123');
  });

  it('runs through the service API: published as YAML, run to its end', async () => {
    await withApi(async ({ call }) => {
      const published = await call('POST', '/v1/workflows', text('customers.yaml'));
      expect(published.status).toBe(201);
      const uid = published.body.uid as string;
      const ran = await call('POST', `/v1/workflows/${uid}/runs?wait=true`, { input: null });
      expect(ran.status).toBe(200);
      expect(ran.body).toMatchObject({ status: 'succeeded' });
    });
  });
});

describe('values pydantic coerces from strings', () => {
  it('takes "false", "False", "yes", "0", "2", " 10 ", "1_0", "0.0" and a datetime with a space', async () => {
    const workflow = await parse('pydantic-strings.yaml');
    expect(workflow).toMatchObject({
      created: '2024-05-01T12:00:00Z',
      updated: '2024-05-01T12:00:00Z',
      deleted: false,
      default_retry: {
        total: 1,
        status_forcelist: [503],
        backoff_factor: 0,
        raise_on_status: false,
        respect_retry_after_header: true,
        raise_on_redirect: false,
      },
    });
    expect(workflow.steps[0]).toMatchObject({
      concurrency: 2,
      apispec: { timeout: 10 },
      retry: { status: 10 },
    });
  });

  it.each([
    ['deleted', 'maybe', 'must be true or false (got "maybe")'],
    ['deleted', 'TRUE ', 'must be true or false (got "TRUE ")'],
    ['version', '1.5', 'must be a positive integer (got "1.5")'],
    ['version', '1e3', 'must be a positive integer (got "1e3")'],
    ['created', '2024-02-30T00:00:00', 'must be a date-time'],
  ])('refuses %s: %j, which pydantic refuses too', async (field, value, message) => {
    const result = await validateWorkflow({
      name: 'w',
      steps: [{ name: 'a', apispec: { url: 'https://x.test' } }],
      [field]: value,
    });
    expect(result.ok).toBe(false);
    expect(result.problems[0]?.path).toBe(field);
    expect(result.problems[0]?.message).toContain(message);
  });

  it('accepts what pydantic accepts: "TRUE", "off", "n", 1, "+0012", "3.000", "2024-05-01"', async () => {
    const result = await validateWorkflow({
      name: 'w',
      steps: [
        { name: 'a', apispec: { url: 'https://x.test' }, concurrency: '+0012', retry: { total: '3.000' } },
      ],
      deleted: 'TRUE',
      created: '2024-05-01',
      default_retry: { raise_on_status: 'off', raise_on_redirect: 'n', respect_retry_after_header: 1 },
    });
    expect(result.ok && result.workflow).toMatchObject({
      deleted: true,
      created: '2024-05-01T00:00:00Z',
      default_retry: { raise_on_status: false, raise_on_redirect: false, respect_retry_after_header: true },
      steps: [{ concurrency: 12, retry: { total: 3 } }],
    });
  });
});

describe('raise_on_status: false', () => {
  it('gives the last response when the status retries run out: the step succeeds with it', async () => {
    const { record } = await run(await parse('pydantic-strings.yaml'));
    expect(record.status).toBe('succeeded');
    expect(record.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2, output: 503 });
    expect(seen.map((s) => s.path)).toEqual(['/down', '/down']);
  });
});

describe('deleted: true', () => {
  it('validates, but runWorkflow refuses it and records nothing', async () => {
    const workflow = await parse('deleted.yaml');
    expect(workflow.deleted).toBe(true);
    const store = new MemoryRunStore();
    const err = await runWorkflow(workflow, {
      store,
      renderer,
      systemApis: { mock: origin },
      runId: 'r-deleted',
    }).catch((e: unknown) => e);
    expect(isSluiceError(err, 'SLUICE_RUN_STATE')).toBe(true);
    expect((err as Error).message).toBe(
      'workflow "old sync" is deleted (deleted: true): a deleted workflow does not run',
    );
    expect(await store.getRun('r-deleted')).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('is refused by the API: publishing it answers 400 naming deleted', async () => {
    await withApi(async ({ call }) => {
      const published = await call('POST', '/v1/workflows', text('deleted.yaml'));
      expect(published.status).toBe(400);
      expect(published.body.error).toMatchObject({
        code: 'SLUICE_WORKFLOW_INVALID',
        message: 'deleted: is true: a deleted workflow is not published or run',
        details: {
          problems: [{ path: 'deleted', message: 'is true: a deleted workflow is not published or run' }],
        },
      });
      const listed = await call('GET', '/v1/workflows');
      expect(JSON.stringify(listed.body)).not.toContain('old sync');
    });
  });
});

describe('headers and params as a string', () => {
  it('refuses, at validate, a string that holds no JSON object', async () => {
    const err = await parse('headers-not-an-object.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowParseError);
    expect((err as WorkflowParseError).problems).toEqual([
      {
        path: 'steps[0].apispec.headers',
        message:
          'must be an object of header names to values, or a string holding a JSON object (got "Accept: application/json")',
        line: 10,
      },
      {
        path: 'steps[0].apispec.params',
        message: 'must be an object of query parameters, or a string holding a JSON object (got "[1, 2]")',
        line: 11,
      },
    ]);
  });

  it('keeps a template string, which renders to an object or to a string holding one', async () => {
    const workflow = await parseWorkflow(
      [
        'name: w',
        'steps:',
        '  - name: a',
        '    apispec:',
        '      url: "{{ SYSTEM_APIS.mock }}/t"',
        '      headers: \'{{ {"X-From": "template"} | tojson }}\'',
        '      params: "{{ {\'q\': 1} }}"',
      ].join('\n'),
      { renderer },
    );
    const { record } = await run(workflow);
    expect(record.status).toBe('succeeded');
    expect(seen[0]?.path).toBe('/t?q=1');
    expect(seen[0]?.headers['x-from']).toBe('template');
  });
});

describe('bodies and keys', () => {
  it('sends data as a form (dict) or as it is (str), and a json_body str as a JSON string', async () => {
    const step = (name: string, apispec: object) => ({
      name,
      apispec: { url: '{{ SYSTEM_APIS.mock }}/b', method: 'post', ...apispec },
    });
    const workflow = (await validateWorkflow({
      name: 'w',
      steps: [
        step('form', { data: { a: '1', b: 'x y' } }),
        step('raw', { data: 'a=1;b=2' }),
        step('json str', { json_body: '{"a": 1}' }),
      ],
    })) as { ok: true; workflow: Workflow };
    expect(workflow.ok).toBe(true);
    const { record } = await run(workflow.workflow);
    expect(record.status).toBe('succeeded');
    expect(seen.map((s) => [s.headers['content-type'], s.body])).toEqual([
      ['application/x-www-form-urlencoded', 'a=1&b=x+y'],
      [undefined, 'a=1;b=2'],
      ['application/json', '"{\\"a\\": 1}"'],
    ]);
  });

  it('refuses keys the models do not have, flow included, with a did-you-mean', async () => {
    const result = await validateWorkflow({
      name: 'w',
      flow: [],
      steps: [{ name: 'a', apispec: { url: 'https://x.test' } }],
    });
    expect(result.problems).toEqual([{ path: 'flow', message: 'unknown key; did you mean "steps"?' }]);
  });
});

/** A service (SQLite file store, engine, API) for one test, closed after it. */
async function withApi(
  test: (api: {
    call: (
      method: 'GET' | 'POST',
      url: string,
      body?: unknown,
    ) => Promise<{ status: number; body: Record<string, unknown> }>;
  }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-mason-'));
  const store = await openStore({ file: join(dir, 'sluice.db') });
  let engine: Engine | undefined;
  let app: FastifyInstance | undefined;
  try {
    engine = createEngine({ store, closeGraceMs: 0, systemApis: { mock: origin } });
    await engine.start({ baseUrl: 'http://127.0.0.1:1' });
    app = await createApi({ engine });
    const { key } = await createApiKey(store, { workspace: 'acme', email: 'ann@acme.test', role: 'admin' });
    const api = app;
    await test({
      call: async (method, url, body) => {
        const yaml = typeof body === 'string';
        const res = await api.inject({
          method,
          url,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body === undefined ? {} : { 'content-type': yaml ? 'application/yaml' : 'application/json' }),
          },
          ...(body === undefined ? {} : { payload: yaml ? body : JSON.stringify(body) }),
        });
        return { status: res.statusCode, body: res.body === '' ? {} : JSON.parse(res.body) };
      },
    });
  } finally {
    await app?.close();
    await engine?.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
