/**
 * Sealed run values through the service API (the engine-level cases are in `e2e/sealed-values.test.ts`):
 *
 * - the seed's credentials pattern across a resume: a first step fetches a stored connection's values
 *   through `SYSTEM_APIS.credentials` with `USER.token`, a second step sends `api_token` from that
 *   output. When the engine stops between the two and another engine on the same database and secret
 *   key resumes the run, the second step still sends the real token (opened from the sealed copy of
 *   the first step's output), while the run record and the database file show it only redacted;
 * - a webhook delivery and a schedule whose input holds a token: their runs read the real token back
 *   from the sealed input that the trigger committed.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '@sluice/engine';
import { internalsOf } from '@sluice/engine/internal';
import { type Connector, defineConnector } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { type ApiHarness, useApiHarness } from './harness.js';

const API_TOKEN = 'apt-live-3b7e91c4d2f0';
const HOOK_TOKEN = 'hkt-live-8d2c5a9e71b4';
const CRON_TOKEN = 'crt-live-62f0a8b5d13e';
const SECRET_KEY = randomBytes(32);

const myApp: Connector = defineConnector({
  title: 'My App',
  connection: {
    fields: [
      { name: 'base_url', optional: false },
      { name: 'api_token', controlType: 'password', optional: false },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
  },
});
const connectors = new Map([['my_app', myApp]]);

/** Whether any file of the harness's SQLite database holds `secret`. */
function databaseHolds(h: ApiHarness, secret: string): boolean {
  return readdirSync(h.dir)
    .filter((f) => f.startsWith('sluice.db'))
    .some((file) => readFileSync(join(h.dir, file)).includes(Buffer.from(secret)));
}

describe('the credentials pattern across a resume', () => {
  const h = useApiHarness({ listen: true, engine: { connectors, secretKey: SECRET_KEY } });

  it('sends the real api_token from STEPS.credentials after the engine stopped between the steps', async () => {
    const saved = await h.call(h.keys.acmeMember, 'POST', '/v1/connections', {
      name: 'my-app',
      connector: 'my_app',
      values: { base_url: h.server.origin, api_token: API_TOKEN },
    });
    expect(saved.status).toBe(201);
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'customers-with-credentials',
      default_retry: { total: 0 },
      steps: [
        {
          name: 'credentials',
          apispec: {
            url: '{{ SYSTEM_APIS.credentials }}/my-app',
            headers: { Authorization: 'Bearer {{ USER.token }}' },
          },
          output: '{{ CURRENT_STEP.response.body.values }}',
        },
        {
          name: 'customers',
          apispec: {
            url: h.server.url('/customers'),
            params: { api_token: '{{ STEPS.credentials.output.api_token }}' },
          },
        },
      ],
    });
    expect(published.status).toBe(201);
    h.server.script('/customers', [{ hang: true }]);
    const started = await h.call(h.keys.acmeMember, 'POST', `/v1/workflows/${published.body.uid}/runs`, {});
    expect(started.status).toBe(202);
    const id = String(started.body.id);
    while (h.server.count('/customers') === 0) await new Promise((r) => setTimeout(r, 5));
    await h.engine.close();
    expect((await h.store.runs.getRun(id))?.status).toBe('running');

    // Another engine on the same database and key takes the run over; the API keeps serving.
    h.server.script('/customers', [{ status: 200, body: { customers: [] } }]);
    await using next = createEngine({ store: h.store, connectors, secretKey: SECRET_KEY, closeGraceMs: 0 });
    expect(await next.start({ baseUrl: h.baseUrl as string })).toBe(1);
    await next.waitForRun(id, 10_000);
    const record = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${id}`);
    expect(record.body.status).toBe('succeeded');
    expect(h.server.requests('/customers')[0]?.query.get('api_token')).toBe(API_TOKEN);

    const steps = record.body.steps as { output: unknown }[];
    expect(steps[0]?.output).toEqual({ base_url: h.server.origin, api_token: '[redacted]' });
    expect(JSON.stringify(record.body)).not.toContain(API_TOKEN);
    expect(databaseHolds(h, API_TOKEN)).toBe(false);
    await next.close();
  });
});

describe('a webhook run', () => {
  const h = useApiHarness({ engine: { secretKey: SECRET_KEY } });

  it('sends the real token of its delivery, stored redacted and sealed', async () => {
    h.server.script('/forward', [{ status: 200, body: { ok: true } }]);
    const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      uid: 'orders',
      name: 'orders',
      default_retry: { total: 0 },
      trigger: { webhook: {} },
      steps: [
        {
          name: 'forward',
          apispec: { url: h.server.url('/forward'), headers: { 'x-token': '{{ INPUT.token }}' } },
        },
      ],
    });
    expect(published.status).toBe(201);
    const trigger = await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/orders/trigger');
    const delivered = await h.call(
      undefined,
      'POST',
      String(trigger.body.hook_path),
      JSON.stringify({ order: 42, token: HOOK_TOKEN }),
      { 'content-type': 'application/json' },
    );
    expect(delivered.status).toBe(202);
    const id = String(delivered.body.run_id);
    await h.engine.waitForRun(id, 10_000);
    const run = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${id}`);
    expect(run.body).toMatchObject({ status: 'succeeded', input: { order: 42, token: '[redacted]' } });
    expect(h.server.requests('/forward')[0]?.headers['x-token']).toBe(HOOK_TOKEN);
    expect((await h.store.runs.getRun(id))?.sealed_input).toMatch(/^v1\./);
    expect(databaseHolds(h, HOOK_TOKEN)).toBe(false);
  });
});

describe('a scheduled run', () => {
  let clock = Date.parse('2024-05-01T12:00:30Z');
  const now = () => clock;
  const h = useApiHarness({ now, engine: { now, secretKey: SECRET_KEY, triggerTickMs: 3_600_000 } });

  it('sends the real token of its schedule input, stored redacted and sealed', async () => {
    h.server.script('/tick', [{ status: 200, body: { ok: true } }]);
    const published = await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', {
      uid: 'nightly',
      name: 'nightly',
      default_retry: { total: 0 },
      trigger: { schedule: { cron: '* * * * *', input: { token: CRON_TOKEN } } },
      steps: [
        {
          name: 'tick',
          apispec: { url: h.server.url('/tick'), headers: { 'x-token': '{{ INPUT.token }}' } },
        },
      ],
    });
    expect(published.status).toBe(201);
    clock = Date.parse('2024-05-01T12:01:00Z');
    await internalsOf(h.engine).tickTriggers();
    const [run] = await h.store.runs.listRuns({ workspace_id: 'acme', workflow_uid: 'nightly', limit: 10 });
    expect(run?.input).toEqual({ token: '[redacted]' });
    expect(run?.sealed_input).toMatch(/^v1\./);
    await h.engine.waitForRun(String(run?.id), 10_000);
    expect((await h.store.runs.getRun(String(run?.id)))?.status).toBe('succeeded');
    expect(h.server.requests('/tick')[0]?.headers['x-token']).toBe(CRON_TOKEN);
  });
});
