/**
 * `npm start`: `sluice serve` with the examples loaded. Starts the example servers (the my-app API, a
 * webhook receiver, a flaky endpoint), then the real `sluice serve` as a child process with the my-app
 * connector registered (`--connectors examples/service/connectors`), and sets it up through its own API:
 * an admin key for workspace `demo`, the connection `my-app`, and the workflows of
 * `examples/service/workflows` (a poll trigger, a connector action, a schedule, a webhook, pages and a branch, child runs with an error workflow). Runs one
 * workflow to show it works, prints the API docs URL and the key, and serves until Ctrl-C.
 *
 * Environment: `PORT` (the service, default 8080; 0 picks one), `SLUICE_DATA_DIR` (default
 * `.sluice/demo`), `EXAMPLE_PORTS=0` (random ports for the example servers instead of 4010, 4020, 4030).
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createApiKey, openStore } from '@sluice/engine';
import { DEFAULT_API_TOKEN, startMyAppApi } from '@sluice/example-my-app/api';
import { parse as parseYaml } from 'yaml';
import { startFlakyEndpoint, startWebhookReceiver } from '../workflows/src/servers.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = join(HERE, '..', '..');
const CLI = join(REPO, 'packages/cli/src/main.ts');
const WORKFLOWS = join(HERE, 'workflows');

// An example script may print (the console rule binds the packages, not examples).
const say = (line: string): void => console.log(line);

const port = process.env.PORT ?? '8080';
const dataDir = process.env.SLUICE_DATA_DIR ?? join(REPO, '.sluice', 'demo');
const randomPorts = process.env.EXAMPLE_PORTS === '0';

const api = await startMyAppApi({ port: randomPorts ? 0 : 4010, seedCount: 12 });
const hooks = await startWebhookReceiver({ port: randomPorts ? 0 : 4020 });
const flaky = await startFlakyEndpoint({ port: randomPorts ? 0 : 4030 });
say(`example servers: my-app API ${api.url}, webhook receiver ${hooks.url}, flaky endpoint ${flaky.url}`);

// The key is made on the store before the service opens it (SQLite in WAL mode takes both).
const store = await openStore({ file: join(dataDir, 'sluice.db') });
const { key } = await createApiKey(store, { workspace: 'demo', email: 'demo@example.com', role: 'admin' });
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
  void Promise.all([api.close(), hooks.close(), flaky.close()]).then(() => process.exit(code ?? 1));
});

const base = await serviceAddress(child);
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

  for (const file of readdirSync(WORKFLOWS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const text = readFileSync(join(WORKFLOWS, file), 'utf8');
    const { uid } = parseYaml(text) as { uid: string };
    const exists = (await call('GET', `${v1}/workflows/${uid}`)).ok;
    const published = await expectOk(
      await call(
        exists ? 'PUT' : 'POST',
        exists ? `${v1}/workflows/${uid}` : `${v1}/workflows`,
        text,
        'application/yaml',
      ),
      `publishing ${file}`,
    );
    say(`published ${published.name} (uid ${uid}, version ${published.version})`);
  }

  const lookup = await expectOk(
    await call('POST', `${v1}/workflows/5b0c2d3e-0000-4000-8000-000000000002/runs?wait=true`, {
      input: { id: 3 },
    }),
    'running customer-lookup',
  );
  say(`ran customer-lookup {"id": 3}: ${lookup.status} (GET /v1/runs/${lookup.id} for its record)`);

  say('');
  say(`console   ${service}/   (sign in with the key below)`);
  say(`API docs  ${service}/docs`);
  say(`API       ${v1}`);
  say(`key       ${key}   (admin of workspace "demo"; shown once)`);
  say(`try       curl -s ${v1}/workflows -H "Authorization: Bearer ${key}"`);
  say('the poll trigger of welcome-new-customers posts each new my-app customer to the webhook receiver');
  say('press Ctrl-C to stop');
  say('ready');
}
