/**
 * `npm start` as a user runs it: the start script spawns the real `sluice serve`, loads the examples
 * through the API, and serves until SIGTERM. Everything on random ports, the data in a fresh folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HERE = fileURLToPath(new URL('..', import.meta.url));
const LOOKUP = '5b0c2d3e-0000-4000-8000-000000000002';
const WELCOME = '5b0c2d3e-0000-4000-8000-000000000001';
const PAGES = '5b0c2d3e-0000-4000-8000-000000000005';
const ENRICH = '5b0c2d3e-0000-4000-8000-000000000007';

let child: ChildProcess;
let dataDir: string;
const output: string[] = [];
let base = '';
let key = '';

async function get(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status, `GET ${path}`).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** Spawns `npm start`'s script with `env`; resolves once it printed `ready`, with its lines so far. */
function startScript(env: Record<string, string>): Promise<{ child: ChildProcess; lines: string[] }> {
  const started = spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', join(HERE, 'start.ts')],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  started.stderr?.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk}`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "ready" line in 50 s:\n${lines.join('\n')}`)),
      50_000,
    );
    started.once('exit', (code) => reject(new Error(`start exited with ${code}:\n${lines.join('\n')}`)));
    createInterface({ input: started.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      if (line === 'ready') {
        clearTimeout(timer);
        resolve({ child: started, lines });
      }
    });
  });
}

const randomPorts = (): Record<string, string> => ({
  PORT: '0',
  EXAMPLE_PORTS: '0',
  SLUICE_DATA_DIR: dataDir,
});

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sluice-start-'));
  const started = await startScript(randomPorts());
  child = started.child;
  output.push(...started.lines);
  for (const line of started.lines) {
    const api = /^API\s+(\S+)\/v1$/.exec(line);
    if (api !== null) base = api[1] as string;
    const shown = /^key\s+(sk_\S+)/.exec(line);
    if (shown !== null) key = shown[1] as string;
  }
}, 70_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('prints the API docs URL and a key, and the docs answer', async () => {
    expect(output.join('\n')).toMatch(/API docs\s+http:\/\/127\.0\.0\.1:\d+\/docs/);
    expect((await fetch(`${base}/docs`)).status).toBe(200);
    expect(key).toMatch(/^sk_/);
  });

  it('prints the console URL, and the console answers there', async () => {
    expect(output.join('\n')).toMatch(/console\s+http:\/\/127\.0\.0\.1:\d+\/ /);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
  });

  it('has published the example workflows and stored the connection without showing its values', async () => {
    const workflows = (await get('/v1/workflows')).workflows as { name: string }[];
    expect(workflows.map((w) => w.name).sort()).toEqual([
      'alert-ops',
      'customer-lookup',
      'customer-pages',
      'enrich-customers',
      'inbound-hook',
      'nightly-report',
      'welcome-new-customers',
    ]);
    const connections = JSON.stringify(await get('/v1/connections'));
    expect(connections).toContain('my-app');
    expect(connections).not.toContain('my-app-secret-token');
  });

  it('ran the action workflow, and the poll trigger starts one run per customer of the example API', async () => {
    expect(output.join('\n')).toMatch(/ran customer-lookup \{"id": 3\}: succeeded/);
    const lookups = (await get(`/v1/runs?workflow=${LOOKUP}`)).runs as { status: string }[];
    expect(lookups[0]?.status).toBe('succeeded');
    // The example API seeds 12 customers; the first poll cycle emits each once.
    let welcomed: { status: string }[] = [];
    for (let i = 0; i < 100; i++) {
      welcomed = (await get(`/v1/runs?workflow=${WELCOME}&limit=100`)).runs as { status: string }[];
      if (welcomed.length >= 12 && welcomed.every((r) => r.status === 'succeeded')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(welcomed).toHaveLength(12);
    expect(welcomed.every((r) => r.status === 'succeeded')).toBe(true);
  });

  it('runs the flow-control examples: pages and a branch; child runs and an error workflow', async () => {
    const run = async (uid: string, input: unknown) => {
      const response = await fetch(`${base}/v1/workflows/${uid}/runs?wait=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ input }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as {
        id: string;
        status: string;
        steps: { name: string; status: string; output: unknown }[];
      };
    };
    const paged = await run(PAGES, { city: 'Berlin' });
    expect(paged.status).toBe('succeeded');
    const customers = paged.steps[1]?.output as { id: number; address: { city: string } }[];
    // 12 seeded customers, 5 a page: three pages.
    expect(customers.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const berlin = customers.filter((c) => c.address.city === 'Berlin').map((c) => c.id);
    expect(berlin.length).toBeGreaterThan(0);
    expect(paged.steps[2]).toMatchObject({ name: 'in_city', status: 'succeeded', output: berlin });
    const nowhere = await run(PAGES, { city: 'Atlantis' });
    expect(nowhere.steps[2]).toMatchObject({ status: 'skipped', output: null });

    const enriched = await run(ENRICH, { customers: [{ id: 1 }, { id: 2 }] });
    expect(enriched.status).toBe('succeeded');
    expect(enriched.steps[0]?.output).toHaveLength(2);
    const runs = (await get('/v1/runs?limit=100')).runs as {
      parent_run_id: string | null;
      failure_of: string | null;
    }[];
    expect(runs.filter((r) => r.parent_run_id === enriched.id)).toHaveLength(2);

    const failed = await run(ENRICH, { customers: [{ id: 999 }] });
    expect(failed.status).toBe('failed');
    let alerts: { failure_of: string | null; status: string }[] = [];
    for (let i = 0; i < 100 && alerts.length === 0; i++) {
      alerts = ((await get('/v1/runs?limit=100')).runs as typeof alerts).filter(
        (r) => r.failure_of === failed.id,
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(alerts).toHaveLength(1);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('uses the same key again on the next start and publishes only the workflows that changed', async () => {
    expect(output.filter((line) => line.startsWith('published '))).toHaveLength(7);
    expect(statSync(join(dataDir, 'demo-key')).mode & 0o777).toBe(0o600);
    const again = await startScript(randomPorts());
    try {
      const lines = again.lines;
      expect(lines.find((line) => line.startsWith('key '))).toContain(
        `${key}   (admin of workspace "demo"; the same key`,
      );
      expect(lines.filter((line) => line.startsWith('published '))).toEqual([]);
      expect(lines.filter((line) => line.startsWith('unchanged '))).toHaveLength(7);
      expect(lines.some((line) => line.startsWith('built the web console'))).toBe(false);
    } finally {
      const exited = new Promise((resolve) => again.child.once('exit', resolve));
      again.child.kill('SIGTERM');
      await exited;
    }
  }, 70_000);

  it('says which example port is in use and how to pick free ones, without a stack trace', async () => {
    // Held here, or by someone else: either way the port is taken.
    const holder = createServer();
    await new Promise<void>((resolve) => {
      holder.once('error', () => resolve());
      holder.listen(4010, '127.0.0.1', () => resolve());
    });
    try {
      const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
        let out = '';
        const busy = spawn(
          process.execPath,
          ['--conditions=development', '--import', 'tsx', join(HERE, 'start.ts')],
          { env: { ...process.env, PORT: '0', EXAMPLE_PORTS: '', SLUICE_DATA_DIR: dataDir }, stdio: 'pipe' },
        );
        busy.stdout.on('data', (chunk: Buffer) => (out += chunk));
        busy.stderr.on('data', (chunk: Buffer) => (out += chunk));
        busy.once('exit', (code) => resolve({ code, out }));
      });
      expect(result.code).toBe(1);
      expect(result.out).toContain('port 4010 (the my-app API) is in use');
      expect(result.out).toContain('EXAMPLE_PORTS=0 npm start');
      expect(result.out).not.toContain('    at ');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 70_000);
});
