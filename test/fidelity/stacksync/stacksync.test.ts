/**
 * Fidelity with Stacksync's workflows-cdk: a project laid out the way real workflows-cdk projects are
 * (`project/`: an `app_config.yaml` with `local_development_settings`, modules under `src/modules/` with a
 * module-format `schema.json` and a `module_config.yaml`, a `v1beta` version, a `_`-prefixed module),
 * served by `@sluice/server` on a real port, calling a mock Acme Helpdesk API on loopback. docs/fidelity.md
 * ("Stacksync workflows-cdk") lists each behaviour as the same, deliberately different or not supported.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadConfig, Router } from '@sluice/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROJECT = fileURLToPath(new URL('./project/', import.meta.url));
const CREATE_SCHEMA = JSON.parse(
  readFileSync(`${PROJECT}src/modules/create_ticket/v1/schema.json`, 'utf8'),
) as Record<string, unknown>;
const UPDATE_SCHEMA = JSON.parse(
  readFileSync(`${PROJECT}src/modules/update_ticket/v1beta/schema.json`, 'utf8'),
) as Record<string, unknown>;

const QUEUES = [
  { id: 'support', title: 'Support' },
  { id: 'sales', title: 'Sales' },
  { id: 'broken', title: 'Broken' },
];

/** The mock Acme Helpdesk API: `GET /queues`, `POST /queues/<id>/tickets` (404 unknown, 500 for `broken`). */
function startHelpdesk(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    if (req.headers.authorization !== 'Bearer k-1') return send(401, { error: 'bad key' });
    if (req.method === 'GET' && req.url === '/queues') return send(200, QUEUES);
    const match = /^\/queues\/([^/]+)\/tickets$/.exec(req.url ?? '');
    if (req.method === 'POST' && match !== null) {
      const queue = decodeURIComponent(match[1] ?? '');
      if (queue === 'broken') return send(500, { error: 'down' });
      if (!QUEUES.some((q) => q.id === queue)) return send(404, { error: 'no such queue' });
      return send(201, { id: 'T-1', queue, ...(JSON.parse(body) as object) });
    }
    return send(404, { error: 'not found' });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    req.on('end', () => resolve(text));
  });
}

let helpdesk: Server;
let router: Router;
let base: string;
let credentials: Record<string, unknown>;

beforeAll(async () => {
  helpdesk = await startHelpdesk();
  const upstream = `http://127.0.0.1:${(helpdesk.address() as AddressInfo).port}`;
  credentials = { id: 'conn-1', connection_data: { value: { base_url: upstream, api_key: 'k-1' } } };
  router = new Router({
    cwd: PROJECT,
    env: { ENVIRONMENT: 'Development' },
    envFile: false,
    logger: false,
    settings: { host: '127.0.0.1', port: 0 },
  });
  base = await router.runApp();
});

afterAll(async () => {
  await router?.close();
  await new Promise((resolve) => helpdesk?.close(resolve));
});

type Reply = { status: number; headers: Headers; body: Record<string, unknown> };

async function call(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Reply> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': contentType };
  }
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('app_config.yaml as real projects write it', () => {
  it('starts, reads local_development_settings and app_icon_svg_url, and warns about the unknown key', () => {
    const config = loadConfig({ cwd: PROJECT, env: {}, envFile: false });
    expect(config.settings).toMatchObject({
      app_type: 'acme_helpdesk',
      app_icon_svg_url: 'https://static.example.com/acme-helpdesk.svg',
      routes_directory: 'src/modules',
      cors_origins: ['*'],
      host: '0.0.0.0',
      port: 2003,
    });
    expect(config.warnings.map((w) => w.message)).toEqual([
      'line 17: local_development_settings.sentry_dns is not a setting (did you mean sentry_dsn?); it is ignored',
    ]);
  });

  it('maps ENVIRONMENT=Development to dev', () => {
    expect(router.config.environment).toBe('dev');
  });

  it('answers CORS for every origin, from local_development_settings', async () => {
    const res = await fetch(`${base}/health`, { headers: { origin: 'https://app.stacksync.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('schema.json in the module format', () => {
  it('is served at GET and POST /<module>/<version>/schema as {"data": {"schema": ...}}', async () => {
    const got = await call('GET', '/create_ticket/v1/schema');
    const posted = await call('POST', '/create_ticket/v1/schema', { data: { form_data: {} }, credentials });
    expect([got.status, got.body]).toEqual([200, { data: { schema: CREATE_SCHEMA } }]);
    expect([posted.status, posted.body]).toEqual([200, { data: { schema: CREATE_SCHEMA } }]);
  });

  it('leaves POST /schema to a route file that computes the form from the form data', async () => {
    const got = await call('GET', '/update_ticket/v1beta/schema');
    expect(got.body).toEqual({ data: { schema: UPDATE_SCHEMA } });
    const empty = await call('POST', '/update_ticket/v1beta/schema', {
      data: { form_data: {} },
      credentials,
    });
    expect(empty.body).toEqual({ data: { schema: UPDATE_SCHEMA } });
    const picked = await call('POST', '/update_ticket/v1beta/schema', {
      data: { form_data: { ticket_id: 'T-9' } },
      credentials,
    });
    const fields = (picked.body.data as { schema: { fields: { id: string; label: string }[] } }).schema
      .fields;
    expect(fields.map((f) => [f.id, f.label])).toEqual([
      ['ticket_id', 'Ticket'],
      ['status', 'New status of T-9'],
    ]);
  });

  it('validates /execute from the declared fields: required-ness, types and bounds', async () => {
    const missing = await call('POST', '/create_ticket/v1/execute', { data: {}, credentials });
    expect([missing.status, missing.body.error, missing.body.status_code]).toEqual([
      400,
      'Invalid request: data.subject is required',
      400,
    ]);
    const wrong = await call('POST', '/create_ticket/v1/execute', {
      data: { subject: 'Printer on fire', priority: 'high', notify: 'yes' },
      credentials,
    });
    expect(wrong.status).toBe(400);
    expect((wrong.body.data as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      'data.priority',
      'data.notify',
    ]);
    const high = await call('POST', '/create_ticket/v1/execute', {
      data: { subject: 'Printer on fire', priority: 9 },
      credentials,
    });
    expect([high.status, high.body.error]).toEqual([400, 'Invalid request: data.priority must be <= 5']);
    const long = await call('POST', '/create_ticket/v1/execute', {
      data: { subject: 'x'.repeat(201) },
      credentials,
    });
    expect(long.body.error).toBe('Invalid request: data.subject must NOT have more than 200 characters');
  });

  it('accepts valid data (optional fields may be null, the connection field is not data)', async () => {
    const res = await call('POST', '/create_ticket/v1/execute', {
      data: { subject: 'Printer on fire', priority: 2, queue: 'sales', notify: null },
      credentials,
    });
    expect([res.status, res.body]).toEqual([
      200,
      {
        data: { id: 'T-1', queue: 'sales', subject: 'Printer on fire', priority: 2 },
        metadata: { queue: 'sales' },
      },
    ]);
  });

  it('does not validate /schema and /content against the fields (they carry form data)', async () => {
    const res = await call('POST', '/create_ticket/v1/content', {
      data: { form_data: {}, content_object_names: [{ id: 'queues' }] },
      credentials,
    });
    expect(res.status).toBe(200);
  });
});

describe('the endpoints of workflows-cdk', () => {
  it('answers /content with Response.content', async () => {
    const res = await call('POST', '/create_ticket/v1/content', {
      data: { form_data: {}, content_object_names: ['queues'] },
      credentials,
    });
    expect(res.body).toEqual({
      data: {
        content_objects: [
          {
            id: 'queues',
            content: QUEUES.map((q) => ({ value: q.id, label: q.title })),
            pagination: { has_next_page: false, next_cursor: null },
          },
        ],
        pagination: { has_more: false, next_cursor: null },
      },
    });
  });

  const modules = [
    {
      module_id: 'acme_helpdesk-_internal_ping-1',
      app_type: 'acme_helpdesk',
      module_type: '_internal_ping',
      module_category: 'action',
      module_name: ' Internal Ping',
      module_version: '1',
      module_description: '',
      module_path: '_internal_ping/v1',
    },
    {
      module_id: 'acme_helpdesk-create_ticket-1',
      app_type: 'acme_helpdesk',
      module_type: 'create_ticket',
      module_category: 'action',
      module_name: 'Create Ticket',
      module_version: '1',
      module_description: 'Creates a ticket in an Acme Helpdesk queue',
      module_path: 'create_ticket/v1',
    },
    {
      module_id: 'acme_helpdesk-update_ticket-1beta',
      app_type: 'acme_helpdesk',
      module_type: 'update_ticket',
      module_category: 'action',
      module_name: 'Update Ticket',
      module_version: '1beta',
      module_description: '',
      module_path: 'update_ticket/v1beta',
    },
  ];

  it('lists the modules in /app-config, beside app_settings', async () => {
    const { body } = await call('GET', '/app-config');
    const data = body.data as Record<string, unknown>;
    expect(data.modules).toEqual(modules);
    expect(data.app_settings).toMatchObject({
      app_type: 'acme_helpdesk',
      app_name: 'Acme Helpdesk',
      app_icon_svg_url: 'https://static.example.com/acme-helpdesk.svg',
      sentry_enabled: false,
    });
    expect(JSON.stringify(data)).not.toContain('sentry_dsn');
  });

  it('lists them in /modules-list', async () => {
    expect((await call('GET', '/modules-list')).body).toEqual({ data: { modules } });
  });
});

describe('error bodies', () => {
  it('carry status_code, data and the metadata a ManagedError helper was given', async () => {
    const res = await call('POST', '/create_ticket/v1/execute', {
      data: { subject: 'Lost', queue: 'nowhere' },
      credentials,
    });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      error: 'Queue nowhere does not exist',
      data: { identifier: 'nowhere' },
      status_code: 404,
      metadata: { error_type: 'not_found', resource: 'Queue', queue_checked: true, environment: 'dev' },
    });
    expect(Object.keys(res.body)).toEqual(['error', 'data', 'status_code', 'metadata']);
  });

  it('answer {} as data when there is none', async () => {
    const res = await call('POST', '/create_ticket/v1/execute', {
      data: { subject: 'No key' },
      credentials: { connection_data: { value: {} } },
    });
    expect([res.status, res.body.error, res.body.data, res.body.status_code]).toEqual([
      401,
      'credentials.api_key is missing',
      {},
      401,
    ]);
  });

  it('answer 502 for serviceError (workflows-cdk answers 400)', async () => {
    const res = await call('POST', '/create_ticket/v1/execute', {
      data: { subject: 'x', queue: 'broken' },
      credentials,
    });
    expect([res.status, res.body.error, res.body.data, res.body.status_code]).toEqual([
      502,
      'Acme Helpdesk service error: HTTP 500',
      { service: 'Acme Helpdesk' },
      502,
    ]);
    expect(res.body.metadata).toMatchObject({ error_type: 'service', service: 'Acme Helpdesk' });
  });

  it('answer 400 from the validate* helpers', async () => {
    const ok = await call('POST', '/update_ticket/v1beta/execute', {
      data: { ticket_id: 'T-1', changes: '{"status": "closed"}' },
      credentials,
    });
    expect(ok.body).toEqual({ data: { ticket_id: 'T-1', changes: { status: 'closed' } } });
    const bad = await call('POST', '/update_ticket/v1beta/execute', {
      data: { ticket_id: 'T-1', changes: '[1]' },
      credentials,
    });
    expect([bad.status, bad.body.error, bad.body.data]).toEqual([
      400,
      'changes must be an object',
      { field: 'changes' },
    ]);
  });
});

describe('route discovery', () => {
  it('mounts v1beta versions and module folders starting with _', async () => {
    const { body } = await call('GET', '/routes');
    const report = body.data as { routes: { method: string; url: string }[]; skipped: unknown[] };
    expect(report.skipped).toEqual([]);
    expect(report.routes.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /_internal_ping/v1/execute',
      'GET /create_ticket/v1/schema',
      'POST /create_ticket/v1/schema',
      'POST /create_ticket/v1/execute',
      'POST /create_ticket/v1/content',
      'GET /update_ticket/v1beta/schema',
      'POST /update_ticket/v1beta/schema',
      'POST /update_ticket/v1beta/execute',
    ]);
    expect((await call('POST', '/_internal_ping/v1/execute', { data: {} })).body).toEqual({
      data: { pong: true },
    });
  });
});

describe('where Sluice stays better', () => {
  it('answers malformed JSON with a clean 400 (workflows-cdk reads it as {})', async () => {
    const res = await call('POST', '/create_ticket/v1/execute', '{"data": {', 'application/json');
    expect([res.status, res.body.status_code]).toEqual([400, 400]);
    expect(res.body.error).toMatch(/^Request body is not valid JSON/);
  });

  it('answers a text/plain body 400 (Fastify parses it as a string; the body must be an object)', async () => {
    const res = await call('POST', '/create_ticket/v1/execute', 'subject=x', 'text/plain');
    expect([res.status, res.body.error]).toEqual([400, 'Invalid request: body must be a JSON object']);
  });

  it('answers a body of another content type with 415', async () => {
    const res = await call(
      'POST',
      '/create_ticket/v1/execute',
      'subject=x',
      'application/x-www-form-urlencoded',
    );
    expect([res.status, res.body.status_code]).toEqual([415, 415]);
  });

  it('answers an unknown URL 404 and a wrong method 405, in the error shape', async () => {
    const unknown = await call('POST', '/nope/v1/execute', { data: {} });
    const wrong = await call('GET', '/create_ticket/v1/execute');
    expect([unknown.status, unknown.body.status_code, wrong.status, wrong.headers.get('allow')]).toEqual([
      404,
      404,
      405,
      'POST',
    ]);
  });
});
