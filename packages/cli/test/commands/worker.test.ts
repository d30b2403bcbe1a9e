/**
 * `sluice worker` and the queue flags of `sluice serve`: the flag errors (no database needed), then,
 * with `SLUICE_TEST_PG_URL` and `SLUICE_TEST_REDIS_URL`, an API node (`serve --redis --no-worker`) and
 * one worker on their own schema and key prefix: a run started with `?wait=true` on the API node
 * executes on the worker; the worker serves `/health` and `/metrics`; both stop cleanly on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiBase, apiCall, killAll, runSluice, startSluice, startWorker } from '../serve-process.js';

const PG_URL = process.env.SLUICE_TEST_PG_URL;
const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL;
const KEY = Buffer.alloc(32, 7).toString('base64');
const METRICS_TOKEN = 'worker-metrics-token-0123456789';

let dir: string;

/** The environment of a child: no inherited secret key or metrics token; `env` on top. */
const childEnv = (env: Record<string, string>) => ({
  env,
  unset: ['SLUICE_SECRET_KEY', 'SLUICE_METRICS_TOKEN'],
});

/** Runs `sluice <args>` to its end. */
const finished = (args: readonly string[], env: Record<string, string> = {}) =>
  runSluice(args, childEnv(env));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-worker-'));
});
afterEach(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('sluice worker flags', () => {
  it('needs --database and --redis, a valid prefix, and refuses to make up a secret key', async () => {
    const noDatabase = await finished(['worker', '--redis', 'redis://127.0.0.1:6379']);
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.printed).toContain(
      'error SLUICE_CLI_OPTION: sluice worker needs --database postgres://...',
    );

    const pgUrl = 'postgres://postgres@127.0.0.1:1/none';
    const noRedis = await finished(['worker', '--database', pgUrl]);
    expect(noRedis.printed).toContain('error SLUICE_CLI_OPTION: sluice worker needs --redis redis://...');

    const badPrefix = await finished([
      'worker',
      '--database',
      pgUrl,
      '--redis',
      'redis://x',
      '--redis-prefix',
      'a b',
    ]);
    expect(badPrefix.printed).toContain('error SLUICE_CLI_OPTION: --redis-prefix "a b" is not a key prefix');

    // Nothing is connected before the key is known to be the deployment's.
    const noKey = await finished(['worker', '--database', pgUrl, '--redis', 'redis://x', '--data-dir', dir]);
    expect(noKey.code).toBe(1);
    expect(noKey.printed).toContain(
      "error SLUICE_SECRET_KEY: sluice worker needs the deployment's secret key",
    );
    expect(noKey.printed).toContain('set SLUICE_SECRET_KEY');
  });

  it('refuses serve --redis without --database and --no-worker without --redis', async () => {
    const sqlite = await finished(['serve', '--data-dir', dir, '--redis', 'redis://127.0.0.1:6379']);
    expect(sqlite.code).toBe(1);
    expect(sqlite.printed).toContain(
      'error SLUICE_CLI_OPTION: sluice serve --redis needs --database postgres://...',
    );
    const alone = await finished(['serve', '--data-dir', dir, '--no-worker']);
    expect(alone.printed).toContain('error SLUICE_CLI_OPTION: sluice serve --no-worker needs --redis');
    const schema = await finished(['keys', 'list', '--data-dir', dir, '--database-schema', 'other']);
    expect(schema.printed).toContain('error SLUICE_CLI_OPTION: --database-schema applies to PostgreSQL only');
  });
});

describe.skipIf(PG_URL === undefined || REDIS_URL === undefined)(
  'sluice worker with serve --no-worker',
  () => {
    const schema = `sluice_cli_worker_${process.pid}`;
    const prefix = `sluice-cli-worker-${process.pid}`;
    let stepApi: Server;
    let stepUrl: string;

    beforeEach(async () => {
      stepApi = createServer((_req, res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":1}'),
      );
      await new Promise<void>((resolve) => stepApi.listen(0, '127.0.0.1', resolve));
      stepUrl = `http://127.0.0.1:${(stepApi.address() as AddressInfo).port}/ok`;
    });
    afterEach(async () => {
      await new Promise((resolve) => stepApi.close(resolve));
      const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
      const { Redis } = await import('ioredis');
      const redis = new Redis(REDIS_URL as string);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });

    it('executes on the worker a run the API node queued, and serves health and metrics', async () => {
      const shared = ['--database', PG_URL as string, '--database-schema', schema];
      const queue = ['--redis', REDIS_URL as string, '--redis-prefix', prefix];
      const env = { SLUICE_SECRET_KEY: KEY };
      const created = await finished(
        ['keys', 'create', '--workspace', 'acme', '--email', 'ann@acme.test', ...shared],
        env,
      );
      expect(created.code).toBe(0);
      const key = created.stdout.trim();
      const apiNode = await startSluice(
        ['serve', '--port', '0', ...shared, ...queue, '--no-worker'],
        childEnv(env),
      );
      expect(apiNode.printed()).toContain('runs execute on sluice worker processes');
      const base = apiBase(apiNode);
      const worker = await startWorker(
        [...shared, ...queue, '--concurrency', '4', '--metrics-port', '0', '--metrics-token', METRICS_TOKEN],
        childEnv(env),
      );
      expect(worker.printed()).toContain(`(prefix ${prefix})`);
      expect(worker.printed()).toContain('secret key: SLUICE_SECRET_KEY');
      const metrics = /^metrics (http:\/\/\S+)$/m.exec(worker.printed())?.[1] as string;

      const call = (method: string, path: string, body?: unknown) => apiCall(base, key, method, path, body);
      const published = await call('POST', '/v1/workflows', {
        name: 'queued',
        steps: [{ name: 'call', apispec: { url: stepUrl } }],
      });
      expect(published.status).toBe(201);
      const run = await call('POST', `/v1/workflows/${published.body.uid}/runs?wait=true`, { input: {} });
      expect(run).toMatchObject({ status: 200, body: { status: 'succeeded' } });

      expect((await fetch(metrics.replace('/metrics', '/health'))).status).toBe(200);
      expect((await fetch(metrics)).status).toBe(401);
      const scraped = await fetch(metrics, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('sluice_runs_finished_total{status="succeeded"} 1');
      // The engine's ops server answers as the API does: the same bodies and error shape.
      const json = (res: Response) => res.json() as Promise<Record<string, unknown>>;
      const [workerHealth, apiHealth] = await Promise.all([
        fetch(metrics.replace('/metrics', '/health')).then(json),
        fetch(`${base}/health`).then(json),
      ]);
      expect(Object.keys(workerHealth)).toEqual(Object.keys(apiHealth));
      expect(workerHealth).toEqual({ status: 'ok', queue_depth: expect.any(Number) });
      expect(await (await fetch(metrics)).json()).toEqual({
        error: {
          code: 'SLUICE_API_UNAUTHORIZED',
          message: 'GET /metrics needs the metrics token',
          details: { hint: expect.stringContaining('--metrics-token') },
        },
      });
      const unknown = await fetch(metrics.replace('/metrics', '/v1/workflows'));
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({
        error: { code: 'SLUICE_API_NOT_FOUND', message: 'no route GET /v1/workflows', details: null },
      });

      for (const process of [worker, apiNode]) {
        process.child.kill('SIGTERM');
        const [code] = await process.exited;
        expect(code).toBe(0);
      }
      expect(worker.printed()).toContain('SIGTERM: closing');
    });
  },
);
