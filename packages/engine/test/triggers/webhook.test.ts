/**
 * `POST /v1/hooks/{uid}/{secret}`: no API key, 202 with a run whose INPUT is the body; every wrong
 * URL answers the same 404; with `hmac_header` the body's HMAC-SHA256 is checked (401 otherwise).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createApi, createEngine } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { codeOf, useApiHarness } from '../api/harness.js';

const secretKey = randomBytes(32);
const h = useApiHarness({ engine: { secretKey } });

function hooked(uid: string, webhook: object, extra: object = {}): object {
  return {
    uid,
    name: uid,
    default_retry: { total: 0 },
    trigger: { webhook },
    steps: [
      {
        name: 'forward',
        apispec: { url: h.server.url('/forward'), method: 'post', json_body: '{{ INPUT }}' },
      },
    ],
    ...extra,
  };
}

async function hookPathOf(uid: string): Promise<string> {
  const res = await h.call(h.keys.acmeMember, 'GET', `/v1/workflows/${uid}/trigger`);
  expect(res.status).toBe(200);
  return res.body.hook_path as string;
}

async function deliver(path: string, body: string, headers: Record<string, string> = {}) {
  return h.call(undefined, 'POST', path, body, { 'content-type': 'application/json', ...headers });
}

function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

describe('POST /v1/hooks/{uid}/{secret}', () => {
  it('answers 202 with a run whose INPUT is the JSON body, without an API key', async () => {
    h.server.script('/forward', [{ status: 200, body: { ok: true } }]);
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', hooked('orders', {}));
    const path = await hookPathOf('orders');
    expect(path).toMatch(/^\/v1\/hooks\/orders\/[A-Za-z0-9_-]{43}$/);

    const res = await deliver(path, '{"order": 42, "items": ["a", "b"]}');
    expect(res.status).toBe(202);
    const id = res.body.run_id as string;
    await h.engine.waitForRun(id, 10_000);
    const run = await h.call(h.keys.acmeMember, 'GET', `/v1/runs/${id}`);
    expect(run.body).toMatchObject({
      status: 'succeeded',
      workflow_uid: 'orders',
      workspace_id: 'acme',
      input: { order: 42, items: ['a', 'b'] },
    });
    expect(JSON.parse(h.server.requests('/forward')[0]?.body ?? 'null')).toEqual({
      order: 42,
      items: ['a', 'b'],
    });
    expect(await h.store.runs.getRunCaller(id)).toMatchObject({ email: 'ann@acme.test', role: 'member' });
    const trigger = await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/orders/trigger');
    expect(trigger.body).toMatchObject({ kind: 'webhook', enabled: true, events_seen: 1, next_at: null });
  });

  it('takes many concurrent deliveries to one hook, each a run, none refused', async () => {
    h.server.script(
      '/forward',
      Array.from({ length: 40 }, () => ({ status: 200, body: { ok: true } })),
    );
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', hooked('burst', {}));
    const path = await hookPathOf('burst');
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, n) => deliver(path, JSON.stringify({ n }))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(202));
    expect(new Set(answers.map((a) => a.body.run_id)).size).toBe(40);
    const trigger = await h.call(h.keys.acmeMember, 'GET', '/v1/workflows/burst/trigger');
    expect(trigger.body.events_seen).toBe(40);
  });

  it('takes a form body as an object, text as a string, and no body as null', async () => {
    h.server.script('/forward', [{ status: 200, body: { ok: true } }]);
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', hooked('forms', {}));
    const path = await hookPathOf('forms');
    const form = await h.call(undefined, 'POST', path, 'a=1&b=x&a=2&__proto__=p', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    const text = await h.call(undefined, 'POST', path, 'hello there', { 'content-type': 'text/plain' });
    const empty = await h.call(undefined, 'POST', path);
    for (const res of [form, text, empty]) expect(res.status).toBe(202);
    const inputOf = async (res: { body: Record<string, unknown> }) =>
      (await h.store.runs.getRun(res.body.run_id as string))?.input;
    const formInput = (await inputOf(form)) as Record<string, unknown>;
    expect(formInput).toEqual({ a: ['1', '2'], b: 'x', ['__proto__']: 'p' });
    expect(Object.getPrototypeOf(formInput)).toBe(Object.prototype);
    expect(await inputOf(text)).toBe('hello there');
    expect(await inputOf(empty)).toBeNull();
    expect((await deliver(path, '{"broken": ')).status).toBe(400);
  });

  it('answers the same 404 for a wrong secret, an unknown, deleted, untriggered or disabled workflow', async () => {
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', hooked('real', {}));
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', hooked('deleted', {}));
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', hooked('paused', {}));
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', {
      uid: 'plain',
      name: 'plain',
      steps: [{ name: 'a', apispec: { url: h.server.url('/a') } }],
    });
    const real = await hookPathOf('real');
    const deleted = await hookPathOf('deleted');
    const paused = await hookPathOf('paused');
    const secret = real.split('/').at(-1) as string;
    await h.call(h.keys.acmeAdmin, 'DELETE', '/v1/workflows/deleted');
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows/paused/trigger/disable');

    const wrong = [
      // The last character changed (to another one: a secret may end in A).
      `/v1/hooks/real/${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`,
      `/v1/hooks/real/${secret}x`,
      `/v1/hooks/real/short`,
      `/v1/hooks/unknown/${secret}`,
      `/v1/hooks/plain/${secret}`,
      deleted,
      paused,
    ];
    const answers = await Promise.all(wrong.map((path) => deliver(path, '{}')));
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual(answers[0]?.body);
    }
    expect(codeOf(answers[0] as { body: Record<string, unknown> })).toBe('SLUICE_API_NOT_FOUND');
    expect(await h.store.runs.listRuns({ workspace_id: 'acme', limit: 10 })).toEqual([]);
    // Enabled again, the same URL works.
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows/paused/trigger/enable');
    expect((await deliver(paused, '{}')).status).toBe(202);
  });

  it('checks the HMAC-SHA256 signature header when hmac_header is set', async () => {
    h.server.script('/forward', [{ status: 200, body: { ok: true } }]);
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', hooked('signed', { hmac_header: 'X-Signature' }));
    const path = await hookPathOf('signed');
    const secret = path.split('/').at(-1) as string;
    const body = '{"event": "paid", "amount": 12.5}';

    const missing = await deliver(path, body);
    expect(missing.status).toBe(401);
    expect(codeOf(missing)).toBe('SLUICE_HOOK_SIGNATURE');
    expect((missing.body.error as { message: string }).message).toMatch(/X-Signature header is missing/);

    const bad = await deliver(path, body, { 'x-signature': sign(secret, `${body} `) });
    expect(bad.status).toBe(401);
    expect((bad.body.error as { message: string }).message).toMatch(/does not match/);
    const otherKey = await deliver(path, body, { 'x-signature': sign('another-secret', body) });
    expect(otherKey.status).toBe(401);
    expect(await h.store.runs.listRuns({ workspace_id: 'acme', limit: 10 })).toEqual([]);

    const good = await deliver(path, body, { 'x-signature': sign(secret, body) });
    expect(good.status).toBe(202);
    const prefixed = await deliver(path, body, {
      'X-Signature': `sha256=${sign(secret, body).toUpperCase()}`,
    });
    expect(prefixed.status).toBe(202);
    expect((await h.store.runs.getRun(good.body.run_id as string))?.input).toEqual({
      event: 'paid',
      amount: 12.5,
    });
    // A wrong secret is still 404 before any signature check.
    expect((await deliver(`/v1/hooks/signed/${'A'.repeat(43)}`, body)).status).toBe(404);
  });

  it('refuses a body the workflow cannot read with 422, and shows the hook only to its own workspace', async () => {
    await h.call(
      h.keys.acmeAdmin,
      'POST',
      '/v1/workflows',
      hooked(
        'needs-object',
        {},
        {
          steps: [{ name: 'a', apispec: { url: h.server.url('/a'), params: { id: '{{ INPUT.id }}' } } }],
        },
      ),
    );
    const path = await hookPathOf('needs-object');
    const res = await h.call(undefined, 'POST', path, 'plain text', { 'content-type': 'text/plain' });
    expect(res.status).toBe(422);
    expect(codeOf(res)).toBe('SLUICE_RUN_INPUT');
    expect((await h.call(h.keys.globexAdmin, 'GET', '/v1/workflows/needs-object/trigger')).status).toBe(404);
  });

  it('gives each workflow its own secret, stable across engines with the same secret key', async () => {
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', hooked('one', {}));
    await h.call(h.keys.acmeAdmin, 'POST', '/v1/workflows', hooked('two', {}));
    const one = (await hookPathOf('one')).split('/').at(-1);
    const two = (await hookPathOf('two')).split('/').at(-1);
    expect(one).not.toBe(two);
    expect((await deliver(`/v1/hooks/two/${one}`, '{}')).status).toBe(404);

    const pathFrom = async (key: Buffer) => {
      const engine = createEngine({ store: h.store, secretKey: key });
      const app = await createApi({ engine });
      try {
        const res = await app.inject({
          method: 'GET',
          url: '/v1/workflows/one/trigger',
          headers: { authorization: `Bearer ${h.keys.acmeMember}` },
        });
        return (JSON.parse(res.body) as { hook_path: string }).hook_path;
      } finally {
        await app.close();
        await engine.close();
      }
    };
    expect(await pathFrom(Buffer.from(secretKey))).toBe(`/v1/hooks/one/${one}`);
    expect(await pathFrom(randomBytes(32))).not.toBe(`/v1/hooks/one/${one}`);
  });
});
