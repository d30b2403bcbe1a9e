/**
 * Runs the example workflows through `sluice run` (from source, or the built bin under
 * `SLUICE_TEST_CLI=bin`: `packages/cli/test/cli-node-args.ts`) against the my-app API, the webhook
 * receiver and the flaky endpoint, all on port 0, with a sluice.yaml written for those ports.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_API_TOKEN, type MyAppApi, startMyAppApi } from '@sluice/example-my-app/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_NODE_ARGS } from '../../../packages/cli/test/cli-node-args.js';
import {
  type FlakyEndpoint,
  startFlakyEndpoint,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../src/servers.js';

const HERE = fileURLToPath(new URL('..', import.meta.url));
const REPO = join(HERE, '..', '..');
const WORK = join(REPO, 'test-output', `workflows-${process.pid}`);

let api: MyAppApi;
let hooks: WebhookReceiver;
let flaky: FlakyEndpoint;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a copy of `workflow` beside the sluice.yaml written for the servers' ports (the nearest one wins). */
function sluiceRun(workflow: string, ...args: string[]): Promise<Result> {
  copyFileSync(join(HERE, workflow), join(WORK, workflow));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...CLI_NODE_ARGS, 'run', join(WORK, workflow), ...args],
      { cwd: WORK, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stdout,
          stderr,
        }),
    );
  });
}

beforeAll(async () => {
  api = await startMyAppApi({ port: 0, seedCount: 12 });
  hooks = await startWebhookReceiver({ port: 0, delayMs: 30 });
  flaky = await startFlakyEndpoint({ port: 0 });
  mkdirSync(WORK, { recursive: true });
  writeFileSync(
    join(WORK, 'sluice.yaml'),
    [
      'system_apis:',
      `  my_app: ${api.url}`,
      `  webhook: ${hooks.url}`,
      `  flaky: ${flaky.url}`,
      'user:',
      '  email: dev@example.com',
      `  token: ${DEFAULT_API_TOKEN}`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await Promise.all([api?.close(), hooks?.close(), flaky?.close()]);
  rmSync(WORK, { recursive: true, force: true });
});

describe('examples/workflows', () => {
  it('list-and-notify posts each listed customer to the webhook, at most 4 at once', async () => {
    const result = await sluiceRun('list-and-notify.yaml', '--input', '{"limit": 10}', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record.status).toBe('succeeded');
    expect(record.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['customers', 'succeeded'],
      ['notify', 'succeeded'],
    ]);
    expect(record.steps[1].items).toHaveLength(10);
    expect(record.steps[1].output).toEqual(Array(10).fill(202));
    expect(hooks.received.map((h) => (h.body as { id: number }).id).sort((a, b) => a - b)).toEqual(
      api.customers.slice(0, 10).map((c) => c.id),
    );
    expect(hooks.maxInFlight).toBe(4);
    expect(new Set(hooks.received.map((h) => h.headers['idempotency-key'])).size).toBe(10);
    expect(result.stdout).not.toContain(DEFAULT_API_TOKEN);
  });

  it('flaky-retry succeeds on the third attempt after the backoff of the retry policy', async () => {
    const result = await sluiceRun('flaky-retry.yaml', '--input', '{"key": "test-1"}', '--json');
    expect(result.code, result.stderr).toBe(0);
    const step = JSON.parse(result.stdout).steps[0];
    expect(step).toMatchObject({ status: 'succeeded', attempts: 3, output: { ok: true, attempt: 3 } });
    expect(step.history.map((h: { status: number; wait_ms: number }) => [h.status, h.wait_ms])).toEqual([
      [503, 0],
      [503, 0],
      [200, 200],
    ]);
    expect(flaky.attempts('test-1')).toBe(3);
  });
});
