/**
 * `sluice serve` as a child process: a run whose second step hangs is killed with SIGKILL mid-run; the
 * restarted service on the same data dir resumes it, calls the second step again with the same
 * Idempotency-Key, never calls the completed first step again, and the run succeeds. Also the web
 * console at `/` and `--no-console`, and the API's limits as `sluice serve` applies them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError } from '../cli-fixtures.js';
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

let dir: string;
let api: StepApi;
let origin = '';
const seen: Record<string, IncomingHttpHeaders[]> = { '/first': [], '/second': [] };
let secondAnswers = false;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-serve-'));
  api = await startStepApi((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen[path]?.push(req.headers);
    if (path === '/second' && !secondAnswers) return; // hangs until the process that called is killed
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path }));
  });
  origin = api.origin;
});

afterAll(async () => {
  killAll();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sluice serve', () => {
  it('resumes a run after kill -9 without calling its completed step again', async () => {
    const key = await createKey(dir);

    const first = await startServe(dir, ['--grace', '0']);
    expect(first.printed()).toMatch(/docs {1}http:\/\/127\.0\.0\.1:\d+\/docs/);
    expect((await fetch(`${first.base}/health`)).status).toBe(200);
    expect((await fetch(`${first.base}/v1/workflows`)).status).toBe(401);
    const workflow = {
      name: 'crash',
      default_retry: { total: 0 },
      steps: [
        { name: 'first', apispec: { url: `${origin}/first` } },
        { name: 'second', apispec: { url: `${origin}/second`, timeout: 60 } },
      ],
    };
    const published = await apiCall(first.base, key, 'POST', '/v1/workflows', workflow);
    expect(published.status).toBe(201);
    const started = await apiCall(first.base, key, 'POST', `/v1/workflows/${published.body.uid}/runs`, {
      input: {},
    });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    while (seen['/second']?.length === 0) await new Promise((r) => setTimeout(r, 20));
    await killHard(first);

    secondAnswers = true;
    const second = await startServe(dir, ['--grace', '0']);
    // The killed process was on this host and is gone: its run is taken at once, not after its lease.
    expect(second.printed()).toContain('resumed 1 unfinished run');
    let run = await apiCall(second.base, key, 'GET', `/v1/runs/${id}`);
    while (run.body.status !== 'succeeded' && run.body.status !== 'failed') {
      await new Promise((r) => setTimeout(r, 20));
      run = await apiCall(second.base, key, 'GET', `/v1/runs/${id}`);
    }
    expect(run.body).toMatchObject({ status: 'succeeded', workflow_uid: published.body.uid, version: 1 });
    expect(seen['/first']).toHaveLength(1);
    expect(seen['/second']).toHaveLength(2);
    expect(seen['/second']?.[1]?.['idempotency-key']).toBe(seen['/second']?.[0]?.['idempotency-key']);

    second.child.kill('SIGTERM');
    const [code] = await second.exited;
    expect(code).toBe(0);
    expect(second.printed()).toContain('SIGTERM: closing');
  });

  it('serves the web console at / and prints its URL, unless --no-console', async () => {
    const withConsole = await startServe(dir, ['--grace', '0']);
    expect(withConsole.stdout()).toContain(`console ${withConsole.base}/`);
    const page = await fetch(`${withConsole.base}/`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(await page.text()).toContain('<div id="app">');
    await killHard(withConsole);

    const without = await startServe(dir, ['--grace', '0', '--no-console']);
    expect(without.stdout()).not.toContain('console ');
    const none = await fetch(`${without.base}/`);
    // Not the console, and not opened without a key either: the API's 401, as any unknown path.
    expect(none.status).toBe(401);
    await killHard(without);
  });

  it('answers hostile requests in the API error shape: --json-depth-limit, 414 and 431', async () => {
    const data = join(dir, 'limits');
    const key = await createKey(data);
    const serve = await startServe(data, ['--grace', '0', '--json-depth-limit', '3']);
    const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error;
    const auth = { authorization: `Bearer ${key}` };
    const deep = await fetch(`${serve.base}/v1/workflows/x/runs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"input": [[[1]]]}',
    });
    expect([deep.status, await errorOf(deep)]).toEqual([
      400,
      expect.objectContaining({
        code: 'SLUICE_API_BAD_REQUEST',
        details: expect.objectContaining({ limit: 3 }),
      }),
    ]);
    const long = await fetch(`${serve.base}/v1/workflows/${'u'.repeat(200)}`, { headers: auth });
    expect([long.status, (await errorOf(long)).code]).toEqual([414, 'SLUICE_API_URI_TOO_LONG']);
    const big = await fetch(`${serve.base}/v1/workflows`, {
      headers: { ...auth, 'x-pad': 'p'.repeat(20_000) },
    });
    expect([big.status, (await errorOf(big)).code]).toEqual([431, 'SLUICE_API_HEADERS_TOO_LARGE']);
    await killHard(serve);
  });

  it('applies --template-deadline-ms and --template-memory-mb to publishing and to runs', async () => {
    const data = join(dir, 'templates');
    const key = await createKey(data);
    const serve = await startServe(data, [
      '--grace',
      '0',
      '--template-deadline-ms',
      '250',
      '--template-memory-mb',
      '32',
      '--template-fuel',
      '2000000000',
    ]);
    const post = (path: string, body: unknown) =>
      fetch(`${serve.base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const doc = (output: string) => ({
      name: 'limits',
      steps: [{ name: 's', apispec: { url: `${serve.base}/health` }, output }],
    });
    const folded = await post('/v1/workflows/validate', doc("{{ 'a' * 10**8 }}"));
    expect(folded.status).toBe(400);
    expect(JSON.stringify(await folded.json())).toContain('it needed more than the 32 MB memory cap');
    const published = await post(
      '/v1/workflows',
      doc('{% for i in range(10**5) %}{% for j in range(10**5) %}{% endfor %}{% endfor %}'),
    );
    const { uid } = (await published.json()) as { uid: string };
    const run = await post(`/v1/workflows/${uid}/runs?wait=true`, { input: {} });
    const record = JSON.stringify(await run.json());
    expect(record, record).toContain('it ran longer than the 250 ms deadline');
    await killHard(serve);
  });

  it.each([
    ['--template-deadline-ms', '0', 'must be at least 1'],
    ['--template-memory-mb', '5000', 'is not an integer from 0 to 4095'],
    ['--template-workers', 'two', 'is not an integer'],
  ])('refuses %s %s', async (flag, value, message) => {
    const res = await runCli(['serve', flag, value, '--data-dir', dir]);
    expect([res.code, res.stderr]).toEqual([1, expect.stringContaining(`error SLUICE_CLI_OPTION: ${flag}`)]);
    expect(res.stderr).toContain(message);
  });

  it('refuses --json-depth-limit 0', async () => {
    const res = await runCli(['serve', '--json-depth-limit', '0', '--data-dir', dir]);
    expect([res.code, res.stderr]).toEqual([
      1,
      expect.stringContaining('error SLUICE_CLI_OPTION: --json-depth-limit 0'),
    ]);
  });

  it('says which port is taken and what to do, without a stack trace', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const res = await runCli([
        'serve',
        '--port',
        String(port),
        '--data-dir',
        mkdtempSync(join(dir, 'busy-')),
      ]);
      expectCleanError(
        res,
        new RegExp(
          `^error SLUICE_CLI_LISTEN: cannot listen on 127\\.0\\.0\\.1:${port}: another process is listening there$`,
        ),
      );
      expect(res.stderr).toContain('hint: stop it, or pick another port with --port (0 picks a free one)');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('refuses a port that is not a number', async () => {
    const res = await runCli(['serve', '--port', 'http', '--data-dir', dir]);
    expect([res.code, res.stderr]).toEqual([
      1,
      expect.stringContaining('error SLUICE_CLI_OPTION: --port http'),
    ]);
  });
});
