/**
 * The poll trigger's promise under crashes: `sluice serve` (a child process, `--connectors` with the
 * records connector, a stored connection) polls every second a loopback API that keeps adding records
 * and answers slowly; the test kills it with SIGKILL while a poll is in flight, several times, restarting
 * it on the same data dir each time. In the end every record has exactly one run: none missing, none twice.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@sluice/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// `sluice` started as the CLI tests start it: from source, or the built bin under `SLUICE_TEST_CLI=bin`.
import { CLI_NODE_ARGS, REPO_ROOT } from '../../../cli/test/cli-node-args.js';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.js';
import { GOOD_TOKEN, type RecordsApi, startRecordsApi } from './records-api.js';

const CONNECTORS = fileURLToPath(new URL('./fixtures/connectors', import.meta.url));
const KILLS = 3;

let dir: string;
let api: RecordsApi;
let hooks: FlakyServer;
let adder: NodeJS.Timeout | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-trigger-crash-'));
  api = await startRecordsApi();
  hooks = await startFlakyServer();
  hooks.script('/handle', [{ status: 200, body: { ok: true } }]);
});

afterAll(async () => {
  clearInterval(adder);
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await api.close();
  await hooks.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...CLI_NODE_ARGS, ...args],
      { cwd: REPO_ROOT, timeout: 30_000 },
      (err, stdout, stderr) =>
        err === null ? resolve(stdout) : reject(new Error(`${err.message}\n${stderr}`)),
    );
  });
}

/** Starts `sluice serve` on port 0 with the records connector; resolves its base URL. */
async function serve(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(
    process.execPath,
    [...CLI_NODE_ARGS, 'serve', '--port', '0', '--data-dir', dir, '--grace', '0', '--connectors', CONNECTORS],
    { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let printed = '';
  const take = (chunk: Buffer) => {
    printed += String(chunk);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  while (!printed.includes('press Ctrl-C to stop')) {
    if (child.exitCode !== null) throw new Error(`sluice serve exited:\n${printed}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, base: /^API {2}(http:\/\/\S+)\/v1$/m.exec(printed)?.[1] ?? '' };
}

async function call(base: string, key: string, method: string, path: string, body: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function until(what: string, test: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('sluice serve with a poll trigger', () => {
  it('starts exactly one run per record across kill -9 in the middle of polls', {
    timeout: 180_000,
  }, async () => {
    const key = (
      await cli(['keys', 'create', '--workspace', 'acme', '--email', 'ann@acme.test', '--data-dir', dir])
    ).trim();
    let service = await serve();
    const connection = await call(service.base, key, 'POST', '/v1/connections', {
      name: 'records-conn',
      connector: 'records',
      values: { base_url: api.url, api_token: GOOD_TOKEN },
    });
    expect(connection.status).toBe(201);
    const published = await call(service.base, key, 'POST', '/v1/workflows', {
      uid: 'crash-sync',
      name: 'crash-sync',
      default_retry: { total: 0 },
      trigger: {
        poll: { connector: 'records', trigger: 'new_records', connection: 'records-conn', interval: 1 },
      },
      steps: [
        {
          name: 'handle',
          apispec: { url: hooks.url('/handle'), method: 'post', json_body: { id: '{{ INPUT.id }}' } },
        },
      ],
    });
    expect(published.status).toBe(201);

    api.delayMs = 150;
    api.add(3);
    adder = setInterval(() => api.add(1), 70);
    for (let kill = 0; kill < KILLS; kill += 1) {
      // Wait for a poll request of this process to be in flight, then kill it there.
      const before = api.seen.length;
      await until('a poll in flight', () => api.seen.length > before && api.inFlight > 0);
      const exited = once(service.child, 'exit');
      service.child.kill('SIGKILL');
      await exited;
      service = await serve();
    }
    clearInterval(adder);
    const total = api.records.length;

    const store = await openStore({ file: join(dir, 'sluice.db') });
    try {
      const runs = () =>
        store.runs.listRuns({ workspace_id: 'acme', workflow_uid: 'crash-sync', limit: 10_000 });
      // The restarted service takes the triggers over once the killed one's lease ran out.
      await until('a run for every record', async () => (await runs()).length >= total);
      await until('every run to end', async () => (await runs()).every((run) => run.status === 'succeeded'));
      const ids = (await runs()).map((run) => (run.input as { id: number }).id).sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    } finally {
      await store.close();
    }
    const stopped = once(service.child, 'exit');
    service.child.kill('SIGTERM');
    expect((await stopped)[0]).toBe(0);
  });
});
