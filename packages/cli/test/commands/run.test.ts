import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { getRunRecord, openStore, type RunEvent, type RunRecord } from '@sluice/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MyAppApi, startMyAppApi } from '../../../../examples/my-app/src/api.js';
import { createProgress } from '../../src/progress.js';
import { scratchDir, TOKEN } from '../cli-fixtures.js';
import { CLI_NODE_ARGS, REPO_ROOT, runCli } from '../run-cli.js';

let api: MyAppApi;
const scratch = scratchDir('run');

const cli = (args: string[]) => runCli(['run', ...args], { cwd: scratch.dir });

beforeAll(async () => {
  api = await startMyAppApi({ port: 0, seedCount: 3 });
  scratch.write(
    'sluice.yaml',
    `system_apis:\n  my_app: ${api.url}\nuser:\n  email: dev@example.com\n  token: ${TOKEN}\n`,
  );
  scratch.write(
    'list.yaml',
    [
      'name: list',
      'steps:',
      '  - name: customers',
      '    apispec:',
      '      url: "{{ SYSTEM_APIS.my_app }}/v1/customers.json"',
      '      method: get',
      '      params: { api_token: "{{ USER.token }}", limit: "{{ INPUT.limit }}" }',
      '    output: "{{ CURRENT_STEP.response.body.customers | map(attribute=\'id\') | list }}"',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await api?.close();
  scratch.remove();
});

describe('sluice run', () => {
  it('runs the workflow with sluice.yaml and prints the run record with --json (exit 0)', async () => {
    const result = await cli(['list.yaml', '--input', '{"limit": 2}', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout) as RunRecord;
    expect(record).toMatchObject({
      status: 'succeeded',
      error: null,
      input: { limit: 2 },
      steps: [
        { name: 'customers', status: 'succeeded', attempts: 1, output: [1, 2], error: null, items: [] },
      ],
    });
    expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(record).slice(0, 3)).toEqual(['id', 'status', 'steps']);
    expect(result.stdout).not.toContain(TOKEN);
  });

  it('shows one line per step when stdout is not a terminal', async () => {
    const result = await cli(['list.yaml', '--input', '{"limit": 1}']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^run [0-9a-f-]{36} of list: 1 step\(s\), settings from sluice\.yaml$/);
    expect(lines[1]).toMatch(/^ok customers \(1 attempt, \d+ ms\)$/);
    expect(lines[2]).toMatch(/^run [0-9a-f-]{36} succeeded in \d+ ms$/);
  });

  it('exits 1 for a failed run, still printing the record, with the status and body on stderr', async () => {
    const result = await cli([
      'list.yaml',
      '--input',
      '{"limit": 1}',
      '--json',
      '--user',
      '{"token": "wrong-token-123"}',
    ]);
    expect(result.code).toBe(1);
    const record = JSON.parse(result.stdout) as RunRecord;
    expect(record.status).toBe('failed');
    expect(record.steps[0]).toMatchObject({ status: 'failed', error: { type: 'status', status: 401 } });
    expect(record.error?.body).toBe('{"error":"invalid api_token"}');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(
      /^error SLUICE_STEP_FAILED: steps\.customers: GET .* answered 401 Unauthorized; body: \{"error":"invalid api_token"\}$/,
    );
    expect(lines[1]).toMatch(/^hint: /);
    expect(result.stdout + result.stderr).not.toContain('wrong-token-123');
  });

  it('reads the sluice.yaml beside the workflow, or above it, from any working directory, and says which', async () => {
    mkdirSync(join(scratch.dir, 'flows', 'daily'), { recursive: true });
    const nested = scratch.write(
      'flows/daily/list.yaml',
      readFileSync(join(scratch.dir, 'list.yaml'), 'utf8'),
    );
    const result = await runCli(['run', nested, '--input', '{"limit": 1}'], { cwd: REPO_ROOT });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toMatch(
      new RegExp(
        `^run [0-9a-f-]{36} of list: 1 step\\(s\\), settings from ${relative(REPO_ROOT, join(scratch.dir, 'sluice.yaml'))}$`,
      ),
    );
    const json = await runCli(['run', nested, '--input', '{"limit": 1}', '--json'], { cwd: REPO_ROOT });
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toBe('');
  });

  it('refuses a workflow naming a SYSTEM_APIS key no settings define, saying where settings are read from', async () => {
    const alone = scratchDir('run-alone');
    try {
      const flow = alone.write('list.yaml', readFileSync(join(scratch.dir, 'list.yaml'), 'utf8'));
      const result = await runCli(['run', flow, '--input', '{"limit": 1}'], { cwd: alone.dir });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('SYSTEM_APIS.my_app names no configured SYSTEM_APIS key');
      expect(result.stderr).toContain(
        `hint: SYSTEM_APIS and USER are read from sluice.yaml (system_apis, user), then --system-apis and --user; no sluice.yaml was found beside ${flow}, in a folder above it, or in the working directory`,
      );
    } finally {
      alone.remove();
    }
  });

  it('lets --system-apis and --user override sluice.yaml key by key', async () => {
    const input = scratch.write('input.json', { limit: 3 });
    const result = await cli([
      'list.yaml',
      '--input',
      input,
      '--json',
      '--system-apis',
      '{"other": "http://x"}',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as RunRecord).steps[0]?.output).toEqual([1, 2, 3]);
    const bad = await cli([
      'list.yaml',
      '--input',
      input,
      '--json',
      '--system-apis',
      '{"my_app": "http://127.0.0.1:1"}',
    ]);
    expect(bad.code).toBe(1);
    expect((JSON.parse(bad.stdout) as RunRecord).steps[0]?.error?.type).toBe('connect');
  });

  it('keeps the run in the --db file', async () => {
    const db = join(scratch.dir, 'runs.db');
    const result = await cli(['list.yaml', '--input', '{"limit": 1}', '--json', '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    const { id } = JSON.parse(result.stdout) as RunRecord;
    const store = await openStore({ file: db });
    try {
      expect(await getRunRecord(store.runs, id)).toEqual(JSON.parse(result.stdout));
    } finally {
      await store.close();
    }
  });

  it('exits 2 without running an invalid workflow, printing every problem with its line', async () => {
    scratch.write(
      'bad.yaml',
      'name: bad\nsteps:\n  - name: a\n    apispec: { url: "http://x", method: get }\n    retry: { total: -1 }\n  - name: a\n    apispec: { url: "http://x" }\n',
    );
    const result = await cli(['bad.yaml', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(
      /^error SLUICE_WORKFLOW_INVALID: bad\.yaml is not a valid workflow; nothing was run \(\d+ problems\)$/,
    );
    expect(result.stderr).toMatch(/bad\.yaml:5: steps\[0\]\.retry\.total: /);
    expect(result.stderr).toMatch(/bad\.yaml:6: steps\[1\]\.name: /);
  });

  it('exits 1 without running a workflow with an action step, pointing to sluice serve', async () => {
    scratch.write(
      'action.yaml',
      'name: act\nsteps:\n  - name: a\n    apispec: { url: "http://127.0.0.1:1" }\n  - name: b\n    action: my_app.get_customer\n    connection: prod\n',
    );
    const result = await cli(['action.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^error SLUICE_CONNECTOR_UNKNOWN: action\.yaml: steps\[1\]\.action: sluice run does not run connector action steps \(my_app\.get_customer\); nothing was run\n/,
    );
    expect(result.stderr).toMatch(/hint: publish the workflow to sluice serve --connectors <dir>/);
  });

  it('exits 1 with a clean error for a malformed sluice.yaml setting', async () => {
    const dir = scratchDir('run-config');
    try {
      dir.write('sluice.yaml', 'system_apis: [1, 2]\n');
      dir.write(
        'w.yaml',
        'name: w\nsteps:\n  - name: a\n    apispec: { url: "http://127.0.0.1:1", method: get }\n',
      );
      const result = await runCli(['run', 'w.yaml'], { cwd: dir.dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error SLUICE_RUN_CONFIG: sluice\.yaml system_apis: must be a mapping/);
    } finally {
      dir.remove();
    }
  });
});

describe('sluice run, interrupted', () => {
  it('records the run as cancelled on Ctrl-C (SIGINT) and exits 1 with SLUICE_RUN_CANCELLED', async () => {
    const hang = createServer(() => {});
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const db = join(scratch.dir, 'cancel.db');
    try {
      const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/slow`;
      scratch.write(
        'hang.yaml',
        `name: hang\nsteps:\n  - name: wait\n    apispec: { url: "${url}", method: get }\n`,
      );
      const child = spawn(process.execPath, [...CLI_NODE_ARGS, 'run', 'hang.yaml', '--db', db], {
        cwd: scratch.dir,
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += String(chunk)));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk) => {
          stdout += String(chunk);
          if (stdout.includes('step(s)')) resolve();
        }),
      );
      child.kill('SIGINT');
      expect(await exited).toBe(1);
      expect(stderr).toMatch(/^error SLUICE_RUN_CANCELLED: run of hang\.yaml interrupted \(SIGINT\)/);
      const store = await openStore({ file: db });
      try {
        const id = /run (\S+) of hang/.exec(stdout)?.[1] ?? '';
        expect((await getRunRecord(store.runs, id)).status).toBe('cancelled');
      } finally {
        await store.close();
      }
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((resolve) => hang.close(() => resolve()));
    }
  });
});

describe('createProgress', () => {
  const events = (): RunEvent[] => [
    { type: 'run-started', runId: 'r1', workflow: 'w', steps: 2 },
    { type: 'step-started', runId: 'r1', step: 'list', stepIndex: 0, items: 1, fannedOut: false },
    {
      type: 'item-finished',
      runId: 'r1',
      step: 'list',
      stepIndex: 0,
      itemIndex: 0,
      status: 'succeeded',
      attempts: 1,
    },
    {
      type: 'step-finished',
      runId: 'r1',
      step: 'list',
      stepIndex: 0,
      status: 'succeeded',
      attempts: 1,
      durationMs: 5,
      error: null,
    },
    { type: 'step-started', runId: 'r1', step: 'each', stepIndex: 1, items: 3, fannedOut: true },
    {
      type: 'item-finished',
      runId: 'r1',
      step: 'each',
      stepIndex: 1,
      itemIndex: 0,
      status: 'failed',
      attempts: 2,
    },
    {
      type: 'step-finished',
      runId: 'r1',
      step: 'each',
      stepIndex: 1,
      status: 'failed',
      attempts: 2,
      durationMs: 9,
      error: { type: 'status', message: 'item 0: GET http://x answered 500', status: 500 },
    },
    { type: 'run-finished', runId: 'r1', status: 'failed', durationMs: 20, error: null },
  ];

  it('prints one plain line per step when not on a terminal', () => {
    let out = '';
    const progress = createProgress({ write: (text) => (out += text), tty: false });
    for (const event of events()) progress.onEvent(event);
    progress.stop();
    expect(out).toBe(
      [
        'run r1 of w: 2 step(s)',
        'ok list (1 attempt, 5 ms)',
        'failed each (2 attempts, 3 items, 9 ms): item 0: GET http://x answered 500',
        'run r1 failed in 20 ms',
        '',
      ].join('\n'),
    );
  });

  it('draws a spinner line per step on a terminal and rewrites it when the step ends', () => {
    let out = '';
    const progress = createProgress({ write: (text) => (out += text), tty: true, intervalMs: 1_000_000 });
    for (const event of events()) progress.onEvent(event);
    progress.stop();
    expect(out).toContain('\r\x1b[2K⠋ list');
    expect(out).toContain('\r\x1b[2K✔ list (1 attempt, 5 ms)\n');
    expect(out).toContain('\r\x1b[2K⠙ each (0/3 items)');
    expect(out).toContain('\r\x1b[2K✖ each (2 attempts, 3 items, 9 ms): item 0');
  });
});
