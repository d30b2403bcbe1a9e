/**
 * Crash tests of `sluice serve` (issue 5, "Durability"), on real child processes and a real SQLite
 * file: `kill -9` in the middle of 30 runs and a restart (every run finishes; an item committed before
 * the kill is never called again; only the items in flight are called twice, with the same
 * Idempotency-Key), a second process taking over the runs of one killed with `-9` once their leases
 * expire, and SIGTERM (exit 0 after the grace period; what did not finish resumes on the next start).
 *
 * Leases are short (`--lease-ms`, hidden flags) so that takeovers come quickly. PostgreSQL is not
 * exercised here: `--database` has no schema option, and the shared test database holds other tests'
 * runs, which these processes would sweep up; the claim queries themselves are tested on both
 * dialects in the engine's store tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idempotencyKey, openStore, type SqlStore } from '@sluice/engine';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';
import {
  apiCall,
  createKey,
  killAll,
  killHard,
  type StepApi,
  startServe,
  startStepApi,
} from '../serve-process.js';

const LEASES = ['--lease-ms', '1500', '--heartbeat-ms', '300', '--sweep-ms', '200', '--grace', '0'];

/** One call the API received. */
interface Call {
  run: string;
  step: string;
  key: string;
  page: string | null;
}

/**
 * The API the workflows call: `/<step>?run=<id>`. It answers after a few ms, or holds the calls of a
 * held step until it is released, and records every call with its Idempotency-Key.
 */
let api: StepApi;
let origin = '';
const calls: Call[] = [];
const held = new Map<string, ServerResponse[]>();
const slow = new Map<string, number>();

/** What `/<step>` answers: `/page?page=N` a page of a paginated list (3 pages), any other step its name. */
function bodyOf(step: string, url: URL): object {
  if (step !== 'page') return { step };
  const page = Number(url.searchParams.get('page'));
  return { items: [`p${page}a`, `p${page}b`], next: page < 3 ? page + 1 : null };
}

function answer(res: ServerResponse, body: object): void {
  if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function release(step: string): void {
  for (const res of held.get(step) ?? []) answer(res, { step });
  held.delete(step);
}

beforeAll(async () => {
  api = await startStepApi((req, res) => {
    const url = new URL(req.url ?? '/', 'http://api');
    const step = url.pathname.slice(1);
    calls.push({
      run: url.searchParams.get('run') ?? '',
      step,
      key: String(req.headers['idempotency-key']),
      page: url.searchParams.get('page'),
    });
    const waiting = held.get(step === 'page' ? `page${url.searchParams.get('page')}` : step);
    if (waiting !== undefined) {
      waiting.push(res);
      return;
    }
    const body = bodyOf(step, url);
    setTimeout(() => answer(res, body), slow.get(step) ?? 5 + Math.floor(Math.random() * 20));
  });
  origin = api.origin;
});
afterAll(async () => {
  await api.close();
});

let dir: string;
let key: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-durable-'));
  calls.length = 0;
  held.clear();
  slow.clear();
  key = await createKey(dir);
});
afterEach(() => {
  killAll();
  for (const responses of held.values()) for (const res of responses) res.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** A workflow of GET calls to `/<step>?run=<run id>`. */
function workflow(name: string, steps: string[]): object {
  return {
    name,
    default_retry: { total: 0 },
    steps: steps.map((step) => ({
      name: step,
      apispec: { url: `${origin}/${step}`, params: { run: '{{ RUN.id }}' }, timeout: 60 },
    })),
  };
}

async function publishAndStart(base: string, document: object, runs: number): Promise<string[]> {
  const published = await apiCall(base, key, 'POST', '/v1/workflows', document);
  expect(published.status).toBe(201);
  const ids: string[] = [];
  for (let i = 0; i < runs; i++) {
    const started = await apiCall(base, key, 'POST', `/v1/workflows/${published.body.uid}/runs`, {
      input: {},
    });
    expect(started.status).toBe(202);
    ids.push(started.body.id as string);
  }
  return ids;
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 25));
}

/** Waits until every run in `ids` has ended, and resolves their statuses. */
async function finished(base: string, ids: readonly string[]): Promise<string[]> {
  for (;;) {
    const statuses = await Promise.all(
      ids.map(async (id) => (await apiCall(base, key, 'GET', `/v1/runs/${id}`)).body.status as string),
    );
    if (statuses.every((s) => s === 'succeeded' || s === 'failed' || s === 'cancelled')) return statuses;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads the store while no process writes it (or alongside them: SQLite WAL readers do not block). */
async function withStore<T>(read: (store: SqlStore) => Promise<T>): Promise<T> {
  const store = await openStore({ file: join(dir, 'sluice.db') });
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

function callsOf(step: string, run: string): Call[] {
  return calls.filter((call) => call.step === step && call.run === run);
}

describe('sluice serve durability', () => {
  it('finishes every run after kill -9 mid-way; committed items are never called again, items in flight again with the same key', async () => {
    const steps = ['s1', 's2', 's3', 's4', 's5'];
    const first = await startServe(dir, LEASES);
    const ids = await publishAndStart(first.base, workflow('five', steps), 30);
    await until(() => calls.length >= 50);
    await killHard(first);

    const calledBefore = new Map<string, number>();
    for (const call of calls) calledBefore.set(call.key, (calledBefore.get(call.key) ?? 0) + 1);
    const committed = await withStore(async (store) => {
      const keys = new Set<string>();
      for (const id of ids) {
        for (const item of await store.runs.listStepItems(id)) {
          if (item.status === 'succeeded') keys.add(item.idempotency_key);
        }
      }
      return keys;
    });
    expect(committed.size).toBeGreaterThan(0);
    expect(committed.size).toBeLessThan(150);

    const second = await startServe(dir, LEASES);
    expect(await finished(second.base, ids)).toEqual(Array(30).fill('succeeded'));

    const twice: string[] = [];
    for (const id of ids) {
      const again: string[] = [];
      steps.forEach((step, index) => {
        const made = callsOf(step, id);
        expect(made.length, `${id} ${step}`).toBeGreaterThanOrEqual(1);
        expect(made.length, `${id} ${step}`).toBeLessThanOrEqual(2);
        expect(new Set(made.map((call) => call.key))).toEqual(new Set([idempotencyKey(id, index, 0)]));
        if (made.length === 2) again.push(made[0]?.key as string);
      });
      // Only the item in flight at the kill: called once before it, not committed, called again after.
      expect(again.length, id).toBeLessThanOrEqual(1);
      for (const k of again) {
        expect(committed.has(k)).toBe(false);
        expect(calledBefore.get(k)).toBe(1);
      }
      twice.push(...again);
    }
    for (const k of committed) expect(calls.filter((call) => call.key === k)).toHaveLength(1);
    expect(twice.length).toBeGreaterThan(0);
  }, 90_000);

  it('lets a second process take over the runs of one killed with -9 once their leases expired', async () => {
    held.set('second', []);
    const owner = await startServe(dir, LEASES);
    const ids = await publishAndStart(owner.base, workflow('two', ['first', 'second']), 6);
    await until(() => calls.filter((call) => call.step === 'second').length === 6);
    const other = await startServe(dir, LEASES);

    // While the owner lives and renews its leases, the other process sweeps but leaves its runs alone.
    await new Promise((r) => setTimeout(r, 2 * 1500));
    const owners = await withStore(async (store) =>
      Promise.all(ids.map(async (id) => (await store.runs.getRun(id))?.lease_owner ?? '')),
    );
    for (const leaseOwner of owners) expect(leaseOwner).toContain(`:${owner.child.pid}:`);
    expect(calls.filter((call) => call.step === 'second')).toHaveLength(6);

    await killHard(owner);
    release('second');
    expect(await finished(other.base, ids)).toEqual(Array(6).fill('succeeded'));
    for (const id of ids) {
      expect(callsOf('first', id)).toHaveLength(1);
      const again = callsOf('second', id);
      expect(again.map((call) => call.key)).toEqual(Array(2).fill(idempotencyKey(id, 1, 0)));
    }
    const leases = await withStore(async (store) =>
      Promise.all(ids.map(async (id) => (await store.runs.getRun(id))?.lease_owner ?? null)),
    );
    expect(leases).toEqual(Array(6).fill(null));
  }, 90_000);

  it('keeps a wait step across kill -9: the next process goes on when it is due, each call made once', async () => {
    const document = {
      name: 'paused',
      default_retry: { total: 0 },
      steps: [
        { name: 'before', apispec: { url: `${origin}/before`, params: { run: '{{ RUN.id }}' } } },
        { name: 'pause', wait: { seconds: 6 } },
        { name: 'after', apispec: { url: `${origin}/after`, params: { run: '{{ RUN.id }}' } } },
      ],
    };
    const first = await startServe(dir, LEASES);
    const [id = ''] = await publishAndStart(first.base, document, 1);
    let resumeAt = '';
    await until(async () => {
      resumeAt = String((await apiCall(first.base, key, 'GET', `/v1/runs/${id}`)).body.resume_at ?? '');
      return resumeAt !== '';
    });
    await killHard(first);
    expect(callsOf('after', id)).toHaveLength(0);

    const second = await startServe(dir, LEASES);
    expect(await finished(second.base, [id])).toEqual(['succeeded']);
    expect([callsOf('before', id).length, callsOf('after', id).length]).toEqual([1, 1]);
    const record = await apiCall(second.base, key, 'GET', `/v1/runs/${id}`);
    const pause = (record.body.steps as { output: { until: string } }[])[1];
    // It ended when it was due, not 6 s after the restart.
    expect(pause?.output.until).toBe(resumeAt);
  }, 90_000);

  it('resumes a paginated step at the page it was on after kill -9: committed pages are not fetched again', async () => {
    const document = {
      name: 'paged',
      default_retry: { total: 0 },
      steps: [
        {
          name: 'list',
          apispec: {
            url: `${origin}/page`,
            params: { run: '{{ RUN.id }}', page: '{{ CURRENT_STEP.page.next | default(1, true) }}' },
            timeout: 60,
          },
          paginate: {
            next: '{{ CURRENT_STEP.response.body.next }}',
            items: '{{ CURRENT_STEP.response.body.items }}',
          },
        },
      ],
    };
    held.set('page3', []);
    const first = await startServe(dir, LEASES);
    const [id = ''] = await publishAndStart(first.base, document, 1);
    await until(() => callsOf('page', id).some((call) => call.page === '3'));
    await killHard(first);
    held.clear();

    const second = await startServe(dir, LEASES);
    expect(await finished(second.base, [id])).toEqual(['succeeded']);
    const pages = callsOf('page', id);
    expect(pages.map((call) => call.page)).toEqual(['1', '2', '3', '3']);
    // The page in flight at the kill is fetched again with its own key, the same both times.
    expect(pages[2]?.key).toBe(pages[3]?.key);
    expect(new Set(pages.map((call) => call.key)).size).toBe(3);
    const record = await apiCall(second.base, key, 'GET', `/v1/runs/${id}`);
    const list = (record.body.steps as { output: unknown }[])[0];
    expect(list?.output).toEqual(['p1a', 'p1b', 'p2a', 'p2b', 'p3a', 'p3b']);
  }, 90_000);

  it('finishes a parent whose child run was mid-flight at kill -9: one child, its call in flight made again', async () => {
    const child = { ...workflow('child', ['inner']), name: 'child' };
    const parent = {
      name: 'parent',
      default_retry: { total: 0 },
      steps: [{ name: 'call', workflow: 'child', input: { from: 'parent' } }],
    };
    held.set('inner', []);
    const first = await startServe(dir, LEASES);
    expect((await apiCall(first.base, key, 'POST', '/v1/workflows', child)).status).toBe(201);
    const [id = ''] = await publishAndStart(first.base, parent, 1);
    await until(() => calls.some((call) => call.step === 'inner'));
    await killHard(first);
    held.clear();

    const second = await startServe(dir, LEASES);
    expect(await finished(second.base, [id])).toEqual(['succeeded']);
    const runs = await withStore((store) => store.runs.listRuns({ workspace_id: 'acme', limit: 100 }));
    const children = runs.filter((run) => run.parent_run_id === id);
    expect(children.map((run) => run.status)).toEqual(['succeeded']);
    const inner = callsOf('inner', children[0]?.id ?? '');
    expect(inner).toHaveLength(2);
    expect(inner[0]?.key).toBe(inner[1]?.key);
    const record = await apiCall(second.base, key, 'GET', `/v1/runs/${id}`);
    expect((record.body.steps as { output: unknown }[])[0]?.output).toEqual({ step: 'inner' });
  }, 90_000);

  it('exits 0 on SIGTERM after the grace period, having finished what it could; the rest resumes on the next start', async () => {
    const flags = [...LEASES.slice(0, -2), '--grace', '2'];
    held.set('stuck', []);
    slow.set('quick', 300);
    const first = await startServe(dir, flags);
    const [stuck] = await publishAndStart(first.base, workflow('stuck', ['before', 'stuck']), 1);
    const [quick] = await publishAndStart(first.base, workflow('quick', ['quick']), 1);
    await until(
      () => calls.some((call) => call.step === 'stuck') && calls.some((call) => call.step === 'quick'),
    );

    first.child.kill('SIGTERM');
    const [code] = await first.exited;
    expect(code).toBe(0);
    expect(first.printed()).toContain('SIGTERM: closing');
    const rows = await withStore(async (store) => [
      await store.runs.getRun(stuck ?? ''),
      await store.runs.getRun(quick ?? ''),
    ]);
    expect(rows[1]?.status).toBe('succeeded');
    expect(rows[0]?.status).toBe('running');
    // Its lease was let go on the way out, so the next start takes it at once.
    expect(Date.parse(rows[0]?.lease_expires_at ?? '')).toBeLessThanOrEqual(Date.now());

    release('stuck');
    const second = await startServe(dir, flags);
    expect(second.printed()).toContain('resumed 1 unfinished run');
    expect(await finished(second.base, [stuck ?? ''])).toEqual(['succeeded']);
    expect(callsOf('before', stuck ?? '')).toHaveLength(1);
    expect(callsOf('stuck', stuck ?? '').map((call) => call.key)).toEqual(
      Array(2).fill(idempotencyKey(stuck ?? '', 1, 0)),
    );
    second.child.kill('SIGTERM');
    expect((await second.exited)[0]).toBe(0);
  }, 90_000);
});

describe('sluice serve lease flags', () => {
  it.each([
    [['--lease-ms', 'soon'], '--lease-ms soon is not an integer'],
    [['--sweep-ms', '0'], '--sweep-ms must be above 0'],
    [['--lease-ms', '1000', '--heartbeat-ms', '1000'], '--heartbeat-ms 1000 must be below --lease-ms 1000'],
    [['--heartbeat-ms', '40000'], '--heartbeat-ms 40000 must be below --lease-ms 30000'],
  ])('refuses %j, naming the flag', async (flags, message) => {
    const result = await runCli(['serve', '--port', '0', '--data-dir', dir, ...flags]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SLUICE_CLI_OPTION');
    expect(result.stderr).toContain(message);
  });
});
