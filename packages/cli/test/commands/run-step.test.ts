import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StepTestResult } from '@sluice/engine';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectCleanError, scratchDir } from '../cli-fixtures.js';
import { runCli as runSluice } from '../run-cli.js';

const scratch = scratchDir('run-step');
const TOKEN = 'local-token-5e2a91';

/** What the target server was sent: method, path, body and the authorization header (it echoes the body). */
let seen: { method: string; path: string; body: string; authorization: string | undefined }[] = [];
let server: Server;
let origin: string;

const runCli = (args: readonly string[]) => runSluice(['run', ...args], { cwd: scratch.dir });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const path = req.url ?? '/';
      seen.push({ method: req.method ?? '', path, body, authorization: req.headers.authorization });
      const status = path.startsWith('/fail') ? 503 : 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(body === '' ? '{}' : body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  scratch.write('sluice.yaml', `system_apis:\n  target: ${origin}\nuser:\n  token: ${TOKEN}\n`);
  scratch.write(
    'orders.yaml',
    [
      'name: orders',
      'default_retry: { total: 0 }',
      'steps:',
      '  - name: order',
      '    apispec: { url: "{{ SYSTEM_APIS.target }}/order", method: get }',
      '  - name: notify',
      '    apispec:',
      '      url: "{{ SYSTEM_APIS.target }}/notify"',
      '      method: post',
      '      headers: { Authorization: "Bearer {{ USER.token }}" }',
      '      json_body: { order: "{{ INPUT.order }}", total: "{{ STEPS.order.output.total }}" }',
      '  - name: broken',
      '    apispec: { url: "{{ SYSTEM_APIS.target }}/fail", method: get }',
      '  - name: pause',
      '    wait: { seconds: 7200 }',
      '',
    ].join('\n'),
  );
  scratch.write('state.json', { INPUT: { order: 7 }, STEPS: { order: { output: { total: 12.5 } } } });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  scratch.remove();
});

beforeEach(() => {
  seen = [];
});

describe('sluice run --step', () => {
  it('tests one step against the state file, with sluice.yaml as SYSTEM_APIS and USER, and prints the answer with --json', async () => {
    const result = await runCli(['orders.yaml', '--step', 'notify', '--state', 'state.json', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as StepTestResult;
    expect(answer).toMatchObject({
      step: 'notify',
      status: 'succeeded',
      output: { order: 7, total: 12.5 },
      error: null,
      fanned_out: false,
      attempts: 1,
      wait_until: null,
    });
    expect(answer.items[0]?.history).toHaveLength(1);
    expect(seen.map((r) => [r.method, r.path])).toEqual([['POST', '/notify']]);
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ order: 7, total: 12.5 });
    expect(seen[0]?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(result.stdout).not.toContain(TOKEN);
  });

  it("prints the step's line and its output, and --input replaces the state's INPUT", async () => {
    const result = await runCli([
      'orders.yaml',
      '--step',
      'notify',
      '--state',
      'state.json',
      '--input',
      '{"order": 9}',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('test of step notify of orders (nothing is recorded)');
    expect(lines[1]).toMatch(/^ok notify \(1 attempt, \d+ ms\)$/);
    expect(lines[2]).toBe('output:');
    expect(JSON.parse(lines.slice(3).join('\n'))).toEqual({ order: 9, total: 12.5 });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ order: 9, total: 12.5 });
  });

  it('answers a wait step at once with when it would end', async () => {
    const result = await runCli(['orders.yaml', '--step', 'pause', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as StepTestResult;
    expect(answer.status).toBe('succeeded');
    expect(Date.parse(String(answer.wait_until))).toBeGreaterThan(Date.now() + 3_600_000);
    const human = await runCli(['orders.yaml', '--step', 'pause']);
    expect(human.stdout).toMatch(/^would wait until \S+Z \(not waited\)$/m);
  });

  it('exits 1 with SLUICE_STEP_FAILED when the step fails, still printing the answer', async () => {
    const result = await runCli(['orders.yaml', '--step', 'broken', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'failed',
      error: { type: 'status', status: 503 },
    });
    expect(result.stderr).toMatch(/^error SLUICE_STEP_FAILED: steps\.broken: GET .*\/fail answered 503/);
  });

  it('names an unknown step with a did-you-mean', async () => {
    const result = await runCli(['orders.yaml', '--step', 'notfy', '--state', 'state.json']);
    expectCleanError(
      result,
      /^error SLUICE_CLI_OPTION: --step notfy: orders\.yaml: workflow "orders" has no step "notfy"; did you mean "notify"\?$/,
    );
    expect(seen).toEqual([]);
  });

  it('names a missing or unparsable state file', async () => {
    expectCleanError(
      await runCli(['orders.yaml', '--step', 'notify', '--state', 'nope.json']),
      /^error SLUICE_CLI_FILE_READ: cannot read --state file nope\.json: not found$/,
    );
    scratch.write('broken.json', '{"INPUT": {"order": 1,}}');
    expectCleanError(
      await runCli(['orders.yaml', '--step', 'notify', '--state', 'broken.json']),
      /^error SLUICE_CLI_FILE_PARSE: --state file broken\.json is not valid JSON: .* at line 1, column \d+$/,
    );
    expect(seen).toEqual([]);
  });

  it('names the file and every problem of a state of the wrong shape, refusing USER', async () => {
    scratch.write('bad-state.json', {
      USER: { token: 'forged' },
      STEPS: { order: { outptu: 1 }, ordr: { output: 1 } },
    });
    const result = await runCli(['orders.yaml', '--step', 'notify', '--state', 'bad-state.json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe(
      [
        'error SLUICE_RUN_CONFIG: --state file bad-state.json: 4 problems: ',
        'state.USER: cannot be given: USER is the caller (the API key; for sluice run, sluice.yaml and --user), as in a run; ',
        'state.STEPS.order.output: is required (null for a step that gave nothing); ',
        'state.STEPS.order.outptu: unknown key; did you mean "output"?; ',
        'state.STEPS.ordr: the workflow has no such step; did you mean "order"?',
      ].join(''),
    );
    expect(lines[1]).toMatch(/^hint: the state is /);
    expect(lines).toHaveLength(2);
    expect(seen).toEqual([]);
  });

  it('refuses --state without --step, and --db with it', async () => {
    expectCleanError(
      await runCli(['orders.yaml', '--state', 'state.json']),
      /^error SLUICE_CLI_OPTION: --state goes with --step/,
    );
    expectCleanError(
      await runCli(['orders.yaml', '--step', 'notify', '--db', 'x.db']),
      /^error SLUICE_CLI_OPTION: --db does not go with --step: a step test records nothing$/,
    );
    expect(seen).toEqual([]);
  });
});
