import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRouters, makeRouter, tempProject } from './fixtures.js';

const project = tempProject('router');
project.write(
  'routes/cases/v1/route.ts',
  `import { ManagedError, Response, route } from '@sluice/server';

export const success = route({ path: '/success' }, () =>
  Response.success({ data: { id: 1 }, message: 'Created', metadata: { page: 2 } }),
);
export const plain = route({ path: '/plain' }, () => ({ a: 1 }));
export const nothing = route({ path: '/nothing' }, () => undefined);
export const errorResponse = route({ path: '/error-response' }, () =>
  Response.error({ error: 'Quota exceeded', statusCode: 429, data: { limit: 5 }, metadata: { request_id: 'r1' } }),
);
export const errorDefault = route({ path: '/error-default' }, () => Response.error({ error: 'Bad thing' }));
export const managed = route({ path: '/managed/:kind' }, (request) => {
  switch (request.params.kind) {
    case 'validation': throw ManagedError.validationError('Invalid input', { field: 'email' });
    case 'notFound': throw ManagedError.notFound('User', '123');
    case 'unauthorized': throw ManagedError.unauthorized('Invalid API key');
    case 'forbidden': throw ManagedError.forbidden();
    case 'serverError': throw ManagedError.serverError('Database connection failed');
    case 'serviceError': throw ManagedError.serviceError('rate limited', 'Slack');
    default: throw new ManagedError({ error: 'Teapot', statusCode: 418 });
  }
});
export const crash = route({ path: '/crash' }, async () => {
  throw new TypeError('kaboom');
});
export const throwString = route({ path: '/throw-string' }, () => {
  throw 'oops';
});
export const echo = route({ path: '/echo' }, (request) => ({
  data: request.data,
  credentials: request.credentials,
  connection: request.connection,
  json: request.json,
  header: request.headers['x-test'],
}));
`,
);
project.write(
  'routes/validated/v1/route.ts',
  `import { route } from '@sluice/server';
export const execute = route({ path: '/execute' }, (request) => ({ got: request.data }));
`,
);
project.write('routes/validated/v1/schema.json', {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['name', 'email'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    email: { type: 'string', format: 'email' },
    age: { type: 'integer', minimum: 0 },
    tags: { type: 'array', items: { type: 'string' } },
    plan: { enum: ['free', 'pro'], default: 'free' },
  },
});

let base = '';
const NOW = new Date('2024-02-17T10:00:00.000Z');

beforeAll(async () => {
  const router = await makeRouter(project.dir, { settings: { host: '127.0.0.1', port: 0 }, now: () => NOW });
  base = await router.runApp();
});
afterAll(async () => {
  await closeRouters();
  project.remove();
});

async function post(path: string, body: unknown = {}, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

describe('Response', () => {
  it('sends Response.success as {data, message, metadata} with 200', async () => {
    expect(await post('/cases/v1/success')).toMatchObject({
      status: 200,
      body: { data: { id: 1 }, message: 'Created', metadata: { page: 2 } },
    });
  });

  it('sends a plain returned value as {data: value}, and nothing as {data: null}', async () => {
    expect(await post('/cases/v1/plain')).toMatchObject({ status: 200, body: { data: { a: 1 } } });
    expect((await post('/cases/v1/nothing')).body).toEqual({ data: null });
  });

  it('sends Response.error in the error shape with its status, default 400', async () => {
    const { status, body } = await post('/cases/v1/error-response');
    expect(status).toBe(429);
    expect(body).toEqual({
      error: 'Quota exceeded',
      data: { limit: 5 },
      status_code: 429,
      metadata: {
        request_id: 'r1',
        timestamp: NOW.toISOString(),
        environment: 'dev',
        stack_trace: expect.any(String),
      },
    });
    expect(Object.keys(body)).toEqual(['error', 'data', 'status_code', 'metadata']);
    const fallback = await post('/cases/v1/error-default');
    expect(fallback.status).toBe(400);
    expect([fallback.body.data, fallback.body.status_code]).toEqual([{}, 400]);
  });
});

describe('errors thrown by handlers', () => {
  it('answers each ManagedError constructor with its own status and body', async () => {
    const expected = {
      validation: [400, 'Invalid input', { field: 'email' }],
      notFound: [404, 'User not found: 123', { resource: 'User', identifier: '123' }],
      unauthorized: [401, 'Invalid API key', {}],
      forbidden: [403, 'Forbidden', {}],
      serverError: [500, 'Database connection failed', {}],
      serviceError: [502, 'Slack service error: rate limited', { service: 'Slack' }],
      custom: [418, 'Teapot', {}],
    } as const;
    for (const [kind, [status, error, data]] of Object.entries(expected)) {
      const res = await post(`/cases/v1/managed/${kind}`);
      expect([kind, res.status, res.body.error, res.body.data]).toEqual([kind, status, error, data]);
      expect(res.body.status_code).toBe(status);
      expect(res.body.metadata).toMatchObject({ environment: 'dev', timestamp: NOW.toISOString() });
      expect((res.body.metadata as { stack_trace: string }).stack_trace).toMatch(/^ManagedError: /);
    }
  });

  it('answers any other exception with 500 in the same shape', async () => {
    const res = await post('/cases/v1/crash');
    expect(res.status).toBe(500);
    expect(res.body.error).toBe('kaboom');
    expect((res.body.metadata as { stack_trace: string }).stack_trace).toMatch(/^TypeError: kaboom\n\s+at /);
    const thrown = await post('/cases/v1/throw-string');
    expect([thrown.status, thrown.body.error]).toEqual([500, 'oops']);
  });
});

describe('requests', () => {
  it('reads data, credentials (connection_data.value), connection (the rest), json and headers', async () => {
    const body = {
      data: { name: 'Ada' },
      credentials: {
        connection_id: 'c1',
        connection_name: 'Prod',
        connection_data: { value: { api_key: 'k' } },
      },
    };
    const res = await post('/cases/v1/echo', body, { 'x-test': 'yes' });
    expect(res.body.data).toEqual({
      data: { name: 'Ada' },
      credentials: { api_key: 'k' },
      connection: { connection_id: 'c1', connection_name: 'Prod' },
      json: body,
      header: 'yes',
    });
    expect((await post('/cases/v1/echo', {})).body.data).toMatchObject({
      data: {},
      credentials: {},
      connection: {},
    });
  });

  it('answers a body that is not valid JSON with 400, never treating it as {}', async () => {
    const res = await post('/cases/v1/echo', '{"data": {"name": "Ada"');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^Request body is not valid JSON/);
    expect(res.body.metadata).toMatchObject({ environment: 'dev' });
  });

  it('answers a JSON body that is not an object with 400', async () => {
    const res = await post('/cases/v1/echo', '[1, 2]');
    expect([res.status, res.body.error]).toEqual([400, 'Invalid request: body must be a JSON object']);
  });

  it('answers an unknown URL with 404 and a wrong method with 405, in the error shape', async () => {
    const missing = await fetch(`${base}/nope/v1/execute`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: 'Not found: POST /nope/v1/execute',
      metadata: { environment: 'dev' },
    });
    const wrong = await fetch(`${base}/cases/v1/plain`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(await wrong.json()).toMatchObject({
      error: 'Method not allowed: GET /cases/v1/plain (allowed: POST)',
      data: { allowed: ['POST'] },
      metadata: { environment: 'dev', stack_trace: null },
    });
    const health = await fetch(`${base}/health`, { method: 'DELETE' });
    expect([health.status, health.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});

describe('schema.json validation', () => {
  it('passes valid data to the handler, with defaults filled in', async () => {
    const res = await post('/validated/v1/execute', { data: { name: 'Ada', email: 'ada@example.com' } });
    expect(res).toMatchObject({
      status: 200,
      body: { data: { got: { name: 'Ada', email: 'ada@example.com', plan: 'free' } } },
    });
  });

  it('answers 400 naming every failing field path', async () => {
    const res = await post('/validated/v1/execute', {
      data: { name: '', email: 'not-an-email', age: -1, tags: ['a', 2], extra: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.data).toEqual({
      errors: [
        { path: 'data.extra', message: 'is not allowed' },
        { path: 'data.name', message: 'must NOT have fewer than 1 characters' },
        { path: 'data.email', message: 'must match format "email"' },
        { path: 'data.age', message: 'must be >= 0' },
        { path: 'data.tags[1]', message: 'must be string' },
      ],
    });
    expect(res.body.error).toBe(
      'Invalid request: data.extra is not allowed; data.name must NOT have fewer than 1 characters; data.email must match format "email"; data.age must be >= 0; data.tags[1] must be string',
    );
  });

  it('validates a request without data (or without a body) as empty data', async () => {
    const res = await post('/validated/v1/execute', {});
    expect(res.body.data).toEqual({
      errors: [
        { path: 'data.name', message: 'is required' },
        { path: 'data.email', message: 'is required' },
      ],
    });
    const bare = await fetch(`${base}/validated/v1/execute`, { method: 'POST' });
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as { error: string }).error).toBe(
      'Invalid request: data.name is required; data.email is required',
    );
  });

  it('serves the schema at /<module>/<version>/schema', async () => {
    const res = await fetch(`${base}/validated/v1/schema`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: 'object', required: ['name', 'email'] });
  });
});

describe('stack traces by environment', () => {
  it('sends the stack in dev and null in stage and prod', async () => {
    for (const [environment, expected] of [
      ['dev', expect.stringMatching(/^TypeError: kaboom/)],
      ['stage', null],
      ['prod', null],
    ] as const) {
      const router = await makeRouter(project.dir, { env: { ENVIRONMENT: environment } });
      for (const url of ['/cases/v1/crash', '/cases/v1/managed/notFound', '/cases/v1/error-default']) {
        const res = await router.app.inject({ method: 'POST', url, payload: {} });
        const metadata = res.json().metadata;
        expect(metadata.environment).toBe(environment);
        if (url === '/cases/v1/crash') expect(metadata.stack_trace).toEqual(expected);
        else expect(typeof metadata.stack_trace).toBe(environment === 'dev' ? 'string' : 'object');
      }
    }
  });
});
