import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MyAppApi, startMyAppApi } from '../../../../examples/my-app/src/api.js';
import { CONNECTOR, expectCleanError, TOKEN } from '../cli-fixtures.js';
import { CLI_NODE_ARGS, REPO_ROOT, runCli } from '../run-cli.js';

let api: MyAppApi;
let cli: ChildProcess;
let base = '';
let printed = '';

beforeAll(async () => {
  api = await startMyAppApi({ port: 0, seedCount: 3 });
  cli = spawn(process.execPath, [...CLI_NODE_ARGS, 'serve-connector', CONNECTOR, '--port', '0'], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cli.stderr?.on('data', (chunk: Buffer) => {
    printed += String(chunk);
  });
  for await (const chunk of cli.stdout ?? []) {
    printed += String(chunk);
    if (printed.includes('press Ctrl-C to stop')) break;
  }
  base = /serving connector My App at (http:\/\/\S+)/.exec(printed)?.[1] ?? '';
  if (base === '') throw new Error(`serve-connector did not start:\n${printed}`);
});

afterAll(async () => {
  if (cli.exitCode === null) {
    const exited = once(cli, 'exit');
    cli.kill('SIGTERM');
    await exited;
  }
  await api?.close();
});

const credentials = () => ({ connection_data: { value: { api_token: TOKEN, base_url: api.url } } });
const post = async (path: string, body: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; error?: string } };
};

describe('sluice serve-connector', () => {
  it('prints the address and every route', () => {
    expect(printed).toContain(`POST   ${base}/get_customer_by_id/v1/execute`);
    expect(printed).toContain(`POST   ${base}/new_customer/v1/poll`);
    expect(printed).toContain(`POST   ${base}/test`);
  });

  it('serves actions, triggers and the connection test of the connector', async () => {
    const action = await post('/get_customer_by_id/v1/execute', {
      data: { id: 2 },
      credentials: credentials(),
    });
    expect(action.status).toBe(200);
    expect(action.body.data).toMatchObject({ id: 2, name: api.customers[1]?.name });
    const poll = await post('/new_customer/v1/poll', { data: {}, credentials: credentials() });
    expect((poll.body.data as { events: unknown[] }).events).toHaveLength(3);
    expect((await post('/test', { credentials: credentials() })).status).toBe(200);
    const denied = await post('/test', {
      credentials: { connection_data: { value: { api_token: 'nope-nope', base_url: api.url } } },
    });
    expect(denied.status).toBe(401);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = once(cli, 'exit');
    cli.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('reports a connector file that does not load, and a bad --port', async () => {
    expectCleanError(
      await runCli(['serve-connector', 'nope.ts']),
      /^error SLUICE_CONNECTOR_LOAD: connector file nope\.ts not found/,
    );
    expectCleanError(
      await runCli(['serve-connector', CONNECTOR, '--port', 'http']),
      /^error SLUICE_CLI_OPTION: --port http is not a port number/,
    );
  });
});
