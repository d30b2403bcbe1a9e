/**
 * `npm start`: `sluice serve` with the examples loaded. Starts the example servers (the my-app API, a
 * webhook receiver, a flaky endpoint), then the real `sluice serve` as a child process with the my-app
 * connector registered (`--connectors examples/service/connectors`), and sets it up through its own API:
 * an admin key for workspace `demo`, the connection `my-app`, and the workflows of
 * `examples/service/workflows` (a poll trigger, a connector action, a schedule, a webhook, pages and a branch, child runs with an error workflow). Runs one
 * workflow to show it works, prints the API docs URL and the key, and serves until Ctrl-C.
 *
 * The first start builds the web console when its `dist/` is missing or stale (`console-build.ts`). The
 * demo key is kept in the data folder (`demo-key`, mode 0600) and used again while it is live, and a
 * workflow is published again only when its file changed since the start that published it
 * (`demo-published.json` holds each file's hash and version).
 *
 * Environment: `PORT` (the service, default 8080; 0 picks one), `SLUICE_DATA_DIR` (default
 * `.sluice/demo`), `EXAMPLE_PORTS=0` (random ports for the example servers instead of 4010, 4020, 4030).
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createApiKey, findApiKey, openStore, type ServiceStore } from '@sluice/engine';
import { DEFAULT_API_TOKEN, startMyAppApi } from '@sluice/example-my-app/api';
import { parse as parseYaml } from 'yaml';
import { startFlakyEndpoint, startWebhookReceiver } from '../workflows/src/servers.js';
import { ensureConsoleBuilt } from './console-build.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = join(HERE, '..', '..');
const CLI = join(REPO, 'packages/cli/src/main.ts');
const WORKFLOWS = join(HERE, 'workflows');

// An example script may print (the console rule binds the packages, not examples).
const say = (line: string): void => console.log(line);

const port = process.env.PORT ?? '8080';
const dataDir = process.env.SLUICE_DATA_DIR ?? join(REPO, '.sluice', 'demo');
const randomPorts = process.env.EXAMPLE_PORTS === '0';

const consoleBuild = await ensureConsoleBuilt(join(REPO, 'packages', 'console'));
if (consoleBuild.built) {
  say(
    `built the web console in ${(consoleBuild.ms / 1000).toFixed(1)} s (again only when its sources change)`,
  );
}

const [api, hooks, flaky] = await Promise.all([
  listening('the my-app API', 4010, (p) => startMyAppApi({ port: p, seedCount: 12 })),
  listening('the webhook receiver', 4020, (p) => startWebhookReceiver({ port: p })),
  listening('the flaky endpoint', 4030, (p) => startFlakyEndpoint({ port: p })),
]);
say(`example servers: my-app API ${api.url}, webhook receiver ${hooks.url}, flaky endpoint ${flaky.url}`);

// The key is made on the store before the service opens it (SQLite in WAL mode takes both).
mkdirSync(dataDir, { recursive: true });
const store = await openStore({ file: join(dataDir, 'sluice.db') });
const { key, reused } = await demoKey(store, join(dataDir, 'demo-key'));
await store.close();

const child = spawn(
  process.execPath,
  [
    '--conditions=development',
    '--import',
    'tsx',
    CLI,
    'serve',
    '--port',
    port,
    '--data-dir',
    dataDir,
    '--connectors',
    join(HERE, 'connectors'),
    '--system-apis',
    JSON.stringify({ my_app: api.url, webhook: hooks.url, flaky: flaky.url }),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);

let stopping = false;
/** The service's address, once it printed it. */
let base: string | undefined;
const stop = async (code: number): Promise<never> => {
  stopping = true;
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await Promise.all([api.close(), hooks.close(), flaky.close()]);
  process.exit(code);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(0));
child.once('exit', (code) => {
  if (stopping) return;
  say(`sluice serve exited (${code})`);
  if (base === undefined)
    say(`if port ${port} is in use, stop what uses it or run PORT=0 npm start to use a free port`);
  void Promise.all([api.close(), hooks.close(), flaky.close()]).then(() => process.exit(code ?? 1));
});

base = await serviceAddress(child);
try {
  await setUp(base);
} catch (err) {
  say(`setting the examples up failed: ${(err as Error).message}`);
  await stop(1);
}

/** Prints the service's lines as they come and resolves its address from `API  http://.../v1`. */
function serviceAddress(service: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: service.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      say(`  | ${line}`);
      const match = /^API\s+(\S+)\/v1$/.exec(line);
      if (match !== null) resolve(match[1] as string);
    });
  });
}

async function call(
  method: string,
  url: string,
  body?: unknown,
  type = 'application/json',
): Promise<Response> {
  return fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': type }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

async function expectOk(response: Response, what: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: ${response.status} ${text}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** Stores the connection, publishes (or republishes) every example workflow, and runs one. */
async function setUp(service: string): Promise<void> {
  const v1 = `${service}/v1`;
  await expectOk(
    await call('POST', `${v1}/connections`, {
      name: 'my-app',
      connector: 'my_app',
      values: { api_token: DEFAULT_API_TOKEN, base_url: api.url },
    }),
    'storing the connection my-app',
  );
  say('connection my-app stored (encrypted; GET /v1/connections shows its fields, never its values)');

  const publishedFile = join(dataDir, 'demo-published.json');
  const published = readPublished(publishedFile);
  for (const file of readdirSync(WORKFLOWS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const text = readFileSync(join(WORKFLOWS, file), 'utf8');
    const { uid, name } = parseYaml(text) as { uid: string; name: string };
    const hash = createHash('sha256').update(text).digest('hex');
    const current = await call('GET', `${v1}/workflows/${uid}`);
    const latest = current.ok ? ((await current.json()) as { version: number }).version : undefined;
    const known = published[file];
    if (known !== undefined && known.hash === hash && known.version === latest) {
      say(`unchanged ${name} (uid ${uid}, version ${latest})`);
      continue;
    }
    const answer = await expectOk(
      await call(
        latest !== undefined ? 'PUT' : 'POST',
        latest !== undefined ? `${v1}/workflows/${uid}` : `${v1}/workflows`,
        text,
        'application/yaml',
      ),
      `publishing ${file}`,
    );
    published[file] = { hash, version: answer.version as number };
    say(`published ${answer.name} (uid ${uid}, version ${answer.version})`);
  }

  const lookup = await expectOk(
    await call('POST', `${v1}/workflows/5b0c2d3e-0000-4000-8000-000000000002/runs?wait=true`, {
      input: { id: 3 },
    }),
    'running customer-lookup',
  );
  writeFileSync(publishedFile, `${JSON.stringify(published, null, 2)}\n`);
  say(`ran customer-lookup {"id": 3}: ${lookup.status} (GET /v1/runs/${lookup.id} for its record)`);

  say('');
  say(`console   ${service}/   (sign in with the key below)`);
  say(`API docs  ${service}/docs`);
  say(`API       ${v1}`);
  say(
    `key       ${key}   (admin of workspace "demo"; ${reused ? 'the same key as the last start' : 'new'}, kept in ${join(dataDir, 'demo-key')})`,
  );
  say(`try       curl -s ${v1}/workflows -H "Authorization: Bearer ${key}"`);
  say('the poll trigger of welcome-new-customers posts each new my-app customer to the webhook receiver');
  say('press Ctrl-C to stop');
  say('ready');
}

/**
 * The demo key: the one kept in `file` while the store knows it as live, else a new one, kept there
 * (mode 0600) for the next start.
 */
async function demoKey(store: ServiceStore, file: string): Promise<{ key: string; reused: boolean }> {
  const kept = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (kept !== '' && (await findApiKey(store, kept)) !== undefined) return { key: kept, reused: true };
  const { key } = await createApiKey(store, { workspace: 'demo', email: 'demo@example.com', role: 'admin' });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, reused: false };
}

/** What the last start published: per workflow file, the hash of its text and the version it became. */
function readPublished(file: string): Record<string, { hash: string; version: number }> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, { hash: string; version: number }>;
  } catch {
    return {};
  }
}

/**
 * Starts an example server on its fixed port (a random one with `EXAMPLE_PORTS=0`); a port in use is
 * said in one line with what to do, and the script exits with 1.
 */
async function listening<T>(what: string, fixed: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(randomPorts ? 0 : fixed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    say(
      `port ${fixed} (${what}) is in use: another npm start may be running. Stop it, or run EXAMPLE_PORTS=0 npm start to use free ports.`,
    );
    process.exit(1);
  }
}
