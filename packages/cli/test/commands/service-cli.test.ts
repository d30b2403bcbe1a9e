/**
 * The service commands (`sluice login|logout`, `workflows`, `runs`, `connections`, `triggers`) against
 * a real engine API listening on 127.0.0.1 (port 0) over a SQLite file, driven in-process through
 * `run(argv, io)`; one spawned `sluice login` reads its key from stdin and writes the profile 0600.
 * Steps call a loopback server whose `/hold` answers only once the test releases it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApi, createApiKey, createEngine, type Engine, openStore, type SqlStore } from '@sluice/engine';
import { type Connector, defineConnector } from '@sluice/sdk';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLI_NODE_ARGS, REPO_ROOT, runCliInProcess } from '../run-cli.js';

const API_KEY_VALUE = 'crm-secret-5d1f9a7c';
/** A key the step server's `/me` refuses (500), so the connection's test fails. */
const EXPIRED_KEY = 'crm-expired-0b8e4d2a';

/** A connector whose test calls `/me` under the connection's `base_url`. */
const crm: Connector = defineConnector({
  title: 'Tiny CRM',
  connection: {
    fields: [
      { name: 'base_url', optional: false },
      { name: 'api_key', controlType: 'password', optional: false },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'api_key',
      apply: ({ connection, request }) => request.headers({ 'x-api-key': String(connection.api_key) }),
    },
  },
  test: async ({ http }) => http.get<{ id: string }>('/me'),
});

let dir: string;
let store: SqlStore;
let engine: Engine;
let app: FastifyInstance;
let base: string;
let steps: Server;
let origin: string;
let adminKey: string;
let memberKey: string;
/** `/flaky` fails while this is true. */
let flaky = true;
/** Answers of `/hold` waiting for {@link release}. */
let held: ServerResponse[] = [];
/** Counts requests per path of the step server. */
const hits = new Map<string, number>();

function release(): void {
  for (const res of held) res.end('{"released":true}');
  held = [];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-service-cli-'));
  steps = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    res.setHeader('content-type', 'application/json');
    if (path === '/hold') {
      held.push(res);
      return;
    }
    const expired = path === '/me' && req.headers['x-api-key'] === EXPIRED_KEY;
    const fail = path === '/fail' || expired || (path === '/flaky' && flaky);
    res.statusCode = fail ? 500 : 200;
    res.end(fail ? '{"error":"boom"}' : JSON.stringify({ ok: true, id: 'me-1', path }));
  });
  steps.listen(0, '127.0.0.1');
  await once(steps, 'listening');
  origin = `http://127.0.0.1:${(steps.address() as AddressInfo).port}`;
  store = await openStore({ file: join(dir, 'sluice.db') });
  engine = createEngine({
    store,
    closeGraceMs: 0,
    connectors: new Map([['crm', crm]]),
    secretKey: randomBytes(32),
  });
  app = await createApi({ engine, waitLimitMs: 10_000 });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  await engine.start({ baseUrl: base });
  adminKey = (await createApiKey(store, { workspace: 'acme', email: 'ann@acme.test', role: 'admin' })).key;
  memberKey = (await createApiKey(store, { workspace: 'acme', email: 'bob@acme.test', role: 'member' })).key;
});

afterAll(async () => {
  release();
  await app.close();
  await engine.close();
  await store.close();
  steps.closeAllConnections();
  steps.close();
  rmSync(dir, { recursive: true, force: true });
});

let configDir: string;
beforeEach(() => {
  configDir = mkdtempSync(join(dir, 'config-'));
  vi.stubEnv('SLUICE_CONFIG_DIR', configDir);
  vi.stubEnv('SLUICE_SERVER', '');
  vi.stubEnv('SLUICE_KEY', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  release();
});

const sluice = runCliInProcess;

/** `sluice <args> --server <base> --key <admin key>`. */
const as = (args: readonly string[], key = adminKey) => sluice([...args, '--server', base, '--key', key]);

/** The API's own answer to `GET path`, for comparing with `--json`. */
async function api(path: string, key = adminKey): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return res.json();
}

/** Writes a workflow file in the test folder. */
function workflowFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A YAML workflow of GET steps to `paths` on the step server, no retries. */
function flowYaml(name: string, paths: string[], extra = ''): string {
  const stepLines = paths.map(
    (path, i) => `  - name: s${i + 1}\n    apispec: { url: "${origin}${path}", method: get }`,
  );
  return `name: ${name}\ndefault_retry: { total: 0 }\n${extra}steps:\n${stepLines.join('\n')}\n`;
}

/** Publishes a workflow, returns its uid. */
async function publish(name: string, yaml: string): Promise<string> {
  const res = await as(['workflows', 'publish', workflowFile(`${name}.yaml`, yaml), '--json']);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return (JSON.parse(res.stdout) as { uid: string }).uid;
}

/** Waits (by polling the API, no timing asserted) until `check` holds for run `id`. */
async function until(id: string, check: (run: { status: string }) => boolean): Promise<void> {
  for (let i = 0; i < 800; i++) {
    if (check((await api(`/v1/runs/${id}`)) as { status: string })) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`run ${id} never reached the state`);
}

describe('sluice login and logout', () => {
  it('checks the key, writes the profile, and later commands use it; logout removes it', async () => {
    const login = await sluice(['login', '--server', base, '--key', memberKey]);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    const file = join(configDir, 'profile.json');
    expect(login.stdout).toBe(
      `logged in to ${base} as bob@acme.test (workspace acme, member); profile ${file}\n`,
    );
    expect(login.stdout).not.toContain(memberKey);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ server: base, key: memberKey });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);

    const list = await sluice(['workflows', 'list', '--json']);
    expect([list.code, list.stderr]).toEqual([0, '']);
    expect(JSON.parse(list.stdout)).toEqual(await api('/v1/workflows', memberKey));

    // A flag beats the profile: a wrong --key is refused, the profile's key is not tried instead.
    const wrong = await sluice(['workflows', 'list', '--key', 'sk_wrong']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('error SLUICE_API_UNAUTHORIZED:');

    // The profile's key is never sent to another server.
    const other = await sluice(['workflows', 'list', '--server', 'http://127.0.0.1:9']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      `error SLUICE_CLI_LOGIN: no API key for http://127.0.0.1:9 (the profile ${file} is for ${base})`,
    );

    const logout = await sluice(['logout']);
    expect([logout.code, logout.stdout]).toEqual([0, `removed the profile ${file}\n`]);
    expect(existsSync(file)).toBe(false);
    const again = await sluice(['logout']);
    expect(again.stdout).toBe(`not logged in: no profile ${file}\n`);
    const none = await sluice(['workflows', 'list', '--server', base]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /^error SLUICE_CLI_LOGIN: no API key for http:\/\/127\.0\.0\.1:\d+\nhint: run "sluice login --server/,
    );
  });

  it('refuses a wrong key without writing the profile', async () => {
    const res = await sluice(['login', '--server', base, '--key', 'sk_not_a_key']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^error SLUICE_API_UNAUTHORIZED: ${base} refused the API key from --key: `),
    );
    expect(lines[1]).toBe(
      `hint: the key is wrong or revoked: run "sluice login --server ${base}" with a valid key ("sluice keys create" makes one)`,
    );
    expect(lines).toHaveLength(2);
    expect(res.stderr).not.toContain('sk_not_a_key');
    expect(existsSync(join(configDir, 'profile.json'))).toBe(false);
  });

  it('names a malformed profile, and does not read it when flags give the server and the key', async () => {
    const file = join(configDir, 'profile.json');
    writeFileSync(file, '{"server": "http://127.0.0.1:8080"}');
    const broken = await sluice(['triggers', 'list']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toBe(
      `error SLUICE_CLI_LOGIN: the profile ${file} is malformed: "key" is missing or not a string\n` +
        'hint: run "sluice login" to write it again, or "sluice logout" to remove it\n',
    );
    const flags = await as(['triggers', 'list', '--json']);
    expect([flags.code, flags.stderr]).toEqual([0, '']);
  });

  it('reads the key from stdin in a real process and writes the profile with mode 0600', async () => {
    const child = spawn(process.execPath, [...CLI_NODE_ARGS, 'login', '--server', base], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        SLUICE_CONFIG_DIR: configDir,
        SLUICE_KEY: '',
        SLUICE_SERVER: '',
        NO_COLOR: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += String(chunk);
    });
    child.stdin.end(`${adminKey}\n`);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`logged in to ${base} as ann@acme.test (workspace acme, admin)`);
    expect(stdout).not.toContain(adminKey);
    const file = join(configDir, 'profile.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ server: base, key: adminKey });
  }, 60_000);
});

describe('sluice --version', () => {
  it("prints the CLI package's version", async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as {
      version: string;
    };
    const res = await sluice(['--version']);
    expect(res).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});

describe('sluice workflows', () => {
  it('publishes a file, then a new version of it by name; lists, shows and lists versions; deletes', async () => {
    const file = workflowFile('orders.yaml', flowYaml('orders', ['/ok']));
    const first = await as(['workflows', 'publish', file]);
    expect([first.code, first.stderr]).toEqual([0, '']);
    const uid = /^published new workflow orders \(uid (\S+)\) version 1\n$/.exec(first.stdout)?.[1] as string;
    expect(uid).toBeDefined();
    writeFileSync(file, flowYaml('orders', ['/ok', '/ok']));
    const second = await as(['workflows', 'publish', file]);
    expect(second.stdout).toBe(`published orders (uid ${uid}) version 2\n`);

    const table = await as(['workflows', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+UID\s+VERSION\s+SCOPE\s+TRIGGER\s+STEPS\s+UPDATED\s+LAST RUN$/);
    expect(lines.find((l) => l.startsWith('orders '))).toMatch(
      new RegExp(
        `^orders\\s+${uid}\\s+2\\s+workspace\\s+-\\s+2\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+-$`,
      ),
    );
    const json = await as(['workflows', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(await api('/v1/workflows'));

    const show = await as(['workflows', 'show', 'orders']);
    expect(show.stdout).toContain(`uid:        ${uid}\nversion:    2\n`);
    expect(show.stdout).toMatch(new RegExp(`^s1\\s+apispec\\s+GET ${origin}/ok$`, 'm'));
    const showJson = await as(['workflows', 'show', uid, '--json']);
    expect(JSON.parse(showJson.stdout)).toEqual(await api(`/v1/workflows/${uid}`));

    const versions = await as(['workflows', 'versions', 'orders']);
    const rows = versions.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^VERSION\s+NAME\s+STEPS\s+PUBLISHED\s+BY$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 3))).toEqual([
      ['2', 'orders', '2'],
      ['1', 'orders', '1'],
    ]);
    const versionsJson = await as(['workflows', 'versions', uid, '--json']);
    expect(JSON.parse(versionsJson.stdout)).toEqual(await api(`/v1/workflows/${uid}/versions`));

    const deleted = await as(['workflows', 'delete', 'orders']);
    expect(deleted.stdout).toBe(`deleted workflow orders (uid ${uid})\n`);
    const gone = await as(['workflows', 'show', uid]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`error SLUICE_CLI_OPTION: no workflow has the uid or name "${uid}"`);
  });

  it("prints an invalid document's problems with their lines, and exits 2", async () => {
    const file = workflowFile('bad.yaml', 'name: bad\nsteps:\n  - name: x\n    apispec: { method: get }\n');
    const res = await as(['workflows', 'publish', file]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^error SLUICE_WORKFLOW_INVALID: .*steps\[0\]\.apispec.*\(line 4\)/);
  });
});

describe('sluice runs', { timeout: 40_000 }, () => {
  it('start --wait exits 0 for a succeeding run and 1 for a failing one; list and show them', async () => {
    await publish('good', flowYaml('good', ['/ok']));
    await publish('bad', flowYaml('bad', ['/ok', '/fail']));
    const good = await as(['runs', 'start', 'good', '--input', '{"n": 1}', '--wait']);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^status: {5}succeeded$/m);
    expect(good.stdout).toMatch(/^s1\s+succeeded\s+1\s+-\s+200\s/m);
    expect(good.stderr).toMatch(/^started run (\S+) of good version 1\nrun \1 succeeded in \S+\n$/);

    const bad = await as(['runs', 'start', 'bad', '--wait']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^s2\s+failed\s+1\s+-\s+500\s/m);
    const badId = /^started run (\S+)/.exec(bad.stderr)?.[1] as string;
    expect(bad.stderr).toMatch(new RegExp(`run ${badId} failed in \\S+: steps\\.s2: `));

    const json = await as(['runs', 'start', 'good', '--wait', '--json']);
    expect(json.code).toBe(0);
    const record = JSON.parse(json.stdout) as { id: string; status: string };
    expect(record.status).toBe('succeeded');
    expect(record).toEqual(await api(`/v1/runs/${record.id}`));
    // What started it: the CLI (`X-Sluice-Origin: cli`).
    expect(record).toMatchObject({ origin: 'cli' });

    const list = await as(['runs', 'list', '--workflow', 'bad']);
    const rows = list.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID\s+WORKFLOW\s+VERSION\s+STATUS\s+CREATED\s+DURATION\s+ERROR$/);
    expect(rows.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${badId}\\s+bad\\s+1\\s+failed\\s+`))]);
    const listJson = await as(['runs', 'list', '--status', 'succeeded', '--limit', '5', '--json']);
    expect(JSON.parse(listJson.stdout)).toEqual(await api('/v1/runs?status=succeeded&limit=5'));
    expect((JSON.parse(listJson.stdout) as { runs: unknown[] }).runs).toHaveLength(2);

    const show = await as(['runs', 'show', badId]);
    expect(show.stdout).toContain(`run:        ${badId}\n`);
    expect(show.stdout).toMatch(/^status: {5}failed$/m);
    expect(show.stdout).toMatch(/^error: {6}steps\.s2: /m);
    const showJson = await as(['runs', 'show', badId, '--json']);
    expect(JSON.parse(showJson.stdout)).toEqual(await api(`/v1/runs/${badId}`));
  });

  it('start prints the run id alone; watch follows it step by step until it ends', async () => {
    await publish('held', flowYaml('held', ['/ok', '/hold', '/ok']));
    const start = await as(['runs', 'start', 'held']);
    expect(start.code).toBe(0);
    const id = start.stdout.trim();
    expect(start.stdout).toBe(`${id}\n`);
    await until(id, (r) => r.status === 'running');
    const watching = as(['runs', 'watch', id, '--interval', '20']);
    // Release the held call only once the step is running, so the watch sees it before it ends.
    for (let i = 0; i < 800 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(held).toHaveLength(1);
    release();
    const watched = await watching;
    expect(watched.code).toBe(0);
    const lines = watched.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`run ${id} of held v1: running`);
    expect(lines.at(-1)).toMatch(new RegExp(`^run ${id} succeeded in \\S+$`));
    // Each step's last line says it succeeded, in step order, after it was seen running.
    const stepLines = lines.filter((l) => l.startsWith('step '));
    const lastOf = (name: string) => stepLines.filter((l) => l.startsWith(`step ${name}:`)).at(-1);
    expect([lastOf('s1'), lastOf('s2'), lastOf('s3')]).toEqual([
      'step s1: succeeded (1 attempt)',
      'step s2: succeeded (1 attempt)',
      'step s3: succeeded (1 attempt)',
    ]);
    expect(stepLines.indexOf('step s2: succeeded (1 attempt)')).toBeLessThan(
      stepLines.indexOf('step s3: succeeded (1 attempt)'),
    );
    expect(lines).toContain(`run ${id} of held v1: succeeded`);

    // On a terminal, the steps table is drawn, then redrawn in place (cursor up, clear).
    const tty = await sluice(['runs', 'watch', id, '--server', base, '--key', adminKey], { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(/^STEP\s+STATUS\s+ATTEMPTS\s+ITEMS\s+LAST\s+STARTED\s+DURATION\s+ERROR$/m);
    expect(tty.stdout).toMatch(/^s3\s+succeeded\s+1\s+-\s+200\s/m);
  });

  it('retry resumes a failed run from its failed step and exits 0 once it succeeds', async () => {
    flaky = true;
    await publish('flaky', flowYaml('flaky', ['/ok', '/flaky']));
    const first = await as(['runs', 'start', 'flaky', '--wait']);
    expect(first.code).toBe(1);
    const id = /^started run (\S+)/.exec(first.stderr)?.[1] as string;
    const okHits = hits.get('/ok') ?? 0;
    flaky = false;
    const retried = await as(['runs', 'retry', id, '--wait']);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/^status: {5}succeeded$/m);
    expect(retried.stderr).toContain(`run ${id} succeeded`);
    // The first step was not sent again.
    expect(hits.get('/ok') ?? 0).toBe(okHits);
    const again = await as(['runs', 'retry', id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('error SLUICE_RUN_STATE:');
  });

  it('cancel stops a waiting run; watch of a cancelled run exits 3', async () => {
    await publish(
      'sleepy',
      'name: sleepy\nsteps:\n  - name: nap\n    wait: { seconds: 3600 }\n  - name: after\n    wait: { seconds: 1 }\n',
    );
    const start = await as(['runs', 'start', 'sleepy']);
    const id = start.stdout.trim();
    await until(id, (r) => r.status === 'running' || r.status === 'pending');
    const cancelled = await as(['runs', 'cancel', id]);
    expect([cancelled.code, cancelled.stdout]).toEqual([0, `cancelled run ${id}: cancelled\n`]);
    const watched = await as(['runs', 'watch', id]);
    expect(watched.code).toBe(3);
    expect(watched.stdout.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^run ${id} cancelled`));
    const json = await as(['runs', 'watch', id, '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual(await api(`/v1/runs/${id}`));
  });
});

describe('sluice connections', () => {
  it('creates, lists, tests (exit 1 when the test fails) and deletes, never printing the values', async () => {
    const values = JSON.stringify({ base_url: origin, api_key: API_KEY_VALUE });
    const created = await as(['connections', 'create', 'main', '--connector', 'crm', '--values', values]);
    expect([created.code, created.stderr]).toEqual([0, '']);
    expect(created.stdout).toBe('created connection main (crm, values api_key, base_url)\n');
    const valuesFile = join(dir, 'down-values.json');
    writeFileSync(valuesFile, JSON.stringify({ base_url: origin, api_key: EXPIRED_KEY }));
    const down = await as(['connections', 'create', 'down', '--connector', 'crm', '--values', valuesFile]);
    expect(down.stdout).toBe('created connection down (crm, values api_key, base_url)\n');

    const list = await as(['connections', 'list']);
    const rows = list.stdout.trimEnd().split('\n');
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(['NAME', 'down', 'main']);
    expect(list.stdout).not.toContain(API_KEY_VALUE);
    const json = await as(['connections', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(await api('/v1/connections'));

    const ok = await as(['connections', 'test', 'main']);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(ok.stdout).toMatch(/^connection main works; the test answered \{.*"id":"me-1"/);
    const failed = await as(['connections', 'test', 'down']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^test failed: connection down: the test failed: 500 /);
    expect(failed.stderr).not.toContain(EXPIRED_KEY);

    const unknown = await as(['connections', 'create', 'x', '--connector', 'nope', '--values', values]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'error SLUICE_CONNECTION: connection x: connector "nope" is not registered',
    );
    expect(unknown.stderr).not.toContain(API_KEY_VALUE);

    const deleted = await as(['connections', 'delete', 'down']);
    expect(deleted.stdout).toBe('deleted connection down\n');
    const missing = await as(['connections', 'delete', 'down']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error SLUICE_API_NOT_FOUND: no connection down');
  });
});

describe('sluice triggers', () => {
  it('lists the triggers, disables and enables one', async () => {
    const uid = await publish(
      'yearly',
      flowYaml('yearly', ['/ok'], "trigger:\n  schedule: { cron: '0 0 1 1 *' }\n"),
    );
    const list = await as(['triggers', 'list']);
    const rows = list.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^WORKFLOW\s+UID\s+KIND\s+ENABLED\s+NEXT\s+LAST POLLED\s+EVENTS\s+LAST ERROR$/);
    expect(rows.find((r) => r.startsWith('yearly '))).toMatch(
      new RegExp(`^yearly\\s+${uid}\\s+schedule\\s+yes\\s+\\d{4}-01-01 00:00:00Z`),
    );
    const json = await as(['triggers', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(await api('/v1/triggers'));

    const disabled = await as(['triggers', 'disable', 'yearly']);
    expect(disabled.stdout).toBe(`disabled the schedule trigger of yearly (uid ${uid})\n`);
    expect((await api(`/v1/workflows/${uid}/trigger`)) as object).toMatchObject({ enabled: false });
    const enabled = await as(['triggers', 'enable', uid, '--json']);
    expect(JSON.parse(enabled.stdout)).toMatchObject({ workflow_uid: uid, kind: 'schedule', enabled: true });
    expect(await api(`/v1/workflows/${uid}/trigger`)).toEqual(JSON.parse(enabled.stdout));

    const none = await as(['triggers', 'enable', 'no-such-workflow']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'error SLUICE_CLI_OPTION: no workflow has the uid or name "no-such-workflow"',
    );
  });
});

describe('errors of the service commands', () => {
  it('names the server and says to start sluice serve when nothing listens, exit 2', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const down = `http://127.0.0.1:${port}`;
    const res = await sluice(['runs', 'list', '--server', down, '--key', adminKey]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      `error SLUICE_CLI_SERVER: cannot reach the Sluice service at ${down} (from --server): connection refused\n` +
        'hint: start it with "sluice serve", or name the right one with --server, SLUICE_SERVER or "sluice login"\n',
    );
    vi.stubEnv('SLUICE_SERVER', down);
    vi.stubEnv('SLUICE_KEY', adminKey);
    const env = await sluice(['workflows', 'list']);
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(`at ${down} (from SLUICE_SERVER): connection refused`);
  });

  it('refuses a wrong key with a hint to log in, a bad URL, and a bad command line, all exit 2', async () => {
    const wrong = await sluice(['triggers', 'list', '--server', base, '--key', 'sk_revoked']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^error SLUICE_API_UNAUTHORIZED: .* refused the API key from --key: /);
    expect(wrong.stderr).toContain(`hint: the key is wrong or revoked: run "sluice login --server ${base}"`);

    const url = await sluice(['runs', 'list', '--server', 'localhost:8080', '--key', adminKey]);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('error SLUICE_CLI_SERVER: --server "localhost:8080" is not an http(s) URL');

    const usage = await as(['runs', 'list', '--status', 'done']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(
      /^error SLUICE_CLI_USAGE: option '--status <status>' argument 'done' is invalid/,
    );
    const missing = await sluice(['runs', 'show']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error SLUICE_CLI_USAGE: missing required argument 'id'");

    const input = await as(['runs', 'start', 'good', '--input', '{"n": ']);
    expect(input.code).toBe(2);
    expect(input.stderr).toContain('error SLUICE_CLI_FILE_PARSE:');
  });
});
