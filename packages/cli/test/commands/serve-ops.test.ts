/**
 * `sluice serve` operations flags, as a child process: `--log-level info` writes one JSON line per
 * request and per run start and end (no key in them), `--metrics-token` opens `GET /metrics`, and
 * `--deny-private-networks` fails a step calling 127.0.0.1 with `SLUICE_EGRESS_DENIED`.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';
import { createKey, killAll, type StepApi, startServe, startStepApi } from '../serve-process.js';

const TOKEN = 'serve-ops-metrics-token-0123456789';
let dir: string;
let api: StepApi;
let calls = 0;
let origin = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-serve-ops-'));
  api = await startStepApi((_req, res) => {
    calls += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  origin = api.origin;
});

afterAll(async () => {
  killAll();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sluice serve --log-level info --metrics-token --deny-private-networks', () => {
  it('logs requests and runs as JSON lines, serves /metrics to the token, refuses loopback steps', async () => {
    const key = await createKey(dir);
    const { child, base, stdout } = await startServe(dir, [
      '--grace',
      '0',
      '--log-level',
      'info',
      '--metrics-token',
      TOKEN,
      '--deny-private-networks',
    ]);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const workflow = {
      uid: 'ops',
      name: 'ops',
      default_retry: { total: 0 },
      steps: [{ name: 'call', apispec: { url: `${origin}/x` } }],
    };
    expect(
      (await fetch(`${base}/v1/workflows`, { method: 'POST', headers, body: JSON.stringify(workflow) }))
        .status,
    ).toBe(201);
    const res = await fetch(`${base}/v1/workflows/ops/runs?wait=true`, {
      method: 'POST',
      headers,
      body: '{}',
    });
    const run = (await res.json()) as {
      id: string;
      status: string;
      steps: { error: { type: string; message: string } }[];
    };
    expect(run.status).toBe('failed');
    expect(run.steps[0]?.error.type).toBe('connect');
    expect(run.steps[0]?.error.message).toContain('SLUICE_EGRESS_DENIED: 127.0.0.1 is a loopback address');
    expect(calls).toBe(0);

    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      401,
    );
    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('sluice_runs_finished_total{status="failed"} 1');
    expect(text).toContain('sluice_http_attempts_total{outcome="connect"} 1');

    child.kill('SIGTERM');
    await once(child, 'exit');
    const lines = stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests.map((r) => [r.method, r.url, r.statusCode])).toEqual([
      ['POST', '/v1/workflows', 201],
      ['POST', '/v1/workflows/ops/runs?wait=true', 200],
      ['GET', '/metrics', 401],
      ['GET', '/metrics', 200],
    ]);
    expect(requests[0]).toMatchObject({
      level: 30,
      workspace: 'acme',
      keyId: expect.stringMatching(/^key_/),
      durationMs: expect.any(Number),
    });
    const started = lines.find((line) => line.msg === 'run started');
    const finished = lines.find((line) => line.msg === 'run finished');
    expect(started).toMatchObject({ runId: run.id, workflow: 'ops' });
    expect(finished).toMatchObject({
      runId: run.id,
      workflow: 'ops',
      status: 'failed',
      durationMs: expect.any(Number),
    });
    expect(stdout()).not.toContain(key);
    expect(stdout()).not.toContain(TOKEN);
  });

  it('refuses a short metrics token, from the flag or SLUICE_METRICS_TOKEN', async () => {
    const flag = await runCli(['serve', '--port', '0', '--data-dir', dir, '--metrics-token', 'short']);
    expect([flag.code, flag.stderr]).toEqual([
      1,
      expect.stringContaining(
        'error SLUICE_CLI_OPTION: --metrics-token must be 16 or more printable characters',
      ),
    ]);
    // runCli passes the environment on as it is when called.
    process.env.SLUICE_METRICS_TOKEN = 'has a space in it, 0123456789';
    try {
      const env = await runCli(['serve', '--port', '0', '--data-dir', dir]);
      expect([env.code, env.stderr]).toEqual([
        1,
        expect.stringContaining('error SLUICE_CLI_OPTION: SLUICE_METRICS_TOKEN must be 16 or more'),
      ]);
    } finally {
      delete process.env.SLUICE_METRICS_TOKEN;
    }
  });
});
