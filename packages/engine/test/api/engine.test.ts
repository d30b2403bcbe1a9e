/**
 * `createEngine`: runs execute after `startRun` resolves, `close()` checkpoints what still executes
 * (nothing more is recorded, so it stays unfinished), and the next `start()` resumes it from its
 * rows, calling the step in flight again with the same Idempotency-Key and no completed step again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiCaller, createEngine, isSluiceError, openStore, parseWorkflow } from '@sluice/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.js';

let dir: string;
let server: FlakyServer;
const caller: ApiCaller = { id: 'a@acme.test', email: 'a@acme.test', workspace_id: 'acme', role: 'member' };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-engine-'));
  server = await startFlakyServer();
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('createEngine', () => {
  it('checkpoints an executing run on close and resumes it on the next start', async () => {
    const file = join(dir, 'sluice.db');
    const store = await openStore({ file });
    const document = await parseWorkflow(
      JSON.stringify({
        name: 'two',
        default_retry: { total: 0 },
        steps: [
          { name: 'first', apispec: { url: server.url('/first') } },
          { name: 'second', apispec: { url: server.url('/second'), params: { who: '{{ USER.email }}' } } },
        ],
      }),
    );
    const stored = await store.workflows.publish({
      uid: 'wf',
      workspace_id: 'acme',
      user_id: caller.email,
      document,
      at: new Date().toISOString(),
    });
    server.script('/first', [{ status: 200, body: { ok: 1 } }]);
    server.script('/second', [{ hang: true }]);
    const engine = createEngine({ store, closeGraceMs: 0, owner: 'p1' });
    expect(await engine.start()).toBe(0);
    const id = await engine.startRun(stored, {}, caller);
    while (server.count('/second') === 0) await new Promise((r) => setTimeout(r, 5));
    expect(await store.runs.getRun(id)).toMatchObject({ status: 'running', lease_owner: 'p1' });
    await engine.close();
    await engine.close();
    const closed = await engine.startRun(stored, {}, caller).catch((e: unknown) => e);
    expect(isSluiceError(closed, 'SLUICE_ENGINE_CLOSED')).toBe(true);
    expect((await store.runs.getRun(id))?.status).toBe('running');
    const key = server.requests('/second')[0]?.headers['idempotency-key'];
    await store.close();

    const reopened = await openStore({ file });
    server.script('/second', [{ status: 200, body: { ok: 2 } }]);
    await using next = createEngine({ store: reopened, closeGraceMs: 0 });
    expect(await next.start()).toBe(1);
    await next.waitForRun(id, 10_000);
    expect((await reopened.runs.getRun(id))?.status).toBe('succeeded');
    expect(server.count('/first')).toBe(1);
    const second = server.requests('/second')[0];
    expect(second?.headers['idempotency-key']).toBe(key);
    expect(second?.query.get('who')).toBe('a@acme.test');
    await next.close();
    await reopened.close();
  });

  it('runs at most maxConcurrentRuns at once, and cancels a queued run before it calls anything', async () => {
    await using store = await openStore({ file: join(dir, 'queue.db') });
    const document = await parseWorkflow(
      JSON.stringify({ name: 'one', steps: [{ name: 'call', apispec: { url: server.url('/call') } }] }),
    );
    const stored = await store.workflows.publish({
      uid: 'q',
      workspace_id: 'acme',
      user_id: caller.email,
      document,
      at: new Date().toISOString(),
    });
    server.script('/call', [{ hang: true }]);
    await using engine = createEngine({ store, maxConcurrentRuns: 1, closeGraceMs: 0 });
    await engine.start();
    const first = await engine.startRun(stored, {}, caller);
    const queued = await engine.startRun(stored, {}, caller);
    while (server.count('/call') === 0) await new Promise((r) => setTimeout(r, 5));
    expect(engine.queueDepth).toBe(2);
    await engine.cancelRun(queued);
    expect((await store.runs.getRun(queued))?.status).toBe('cancelled');
    const again = await engine.cancelRun(queued).catch((e: unknown) => e);
    expect(isSluiceError(again, 'SLUICE_RUN_STATE')).toBe(true);
    await engine.cancelRun(first);
    expect((await store.runs.getRun(first))?.status).toBe('cancelled');
    expect(server.count('/call')).toBe(1);
    await engine.close();
  });
});
