/**
 * `npm start` as a user runs it: the start script spawns the real `sluice serve`, loads the examples
 * through the API, and serves until SIGTERM. Everything on random ports, the data in a fresh folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HERE = fileURLToPath(new URL('..', import.meta.url));
const LOOKUP = '5b0c2d3e-0000-4000-8000-000000000002';
const WELCOME = '5b0c2d3e-0000-4000-8000-000000000001';

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

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sluice-start-'));
  child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', join(HERE, 'start.ts')], {
    env: { ...process.env, PORT: '0', EXAMPLE_PORTS: '0', SLUICE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => output.push(`stderr: ${chunk}`));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "ready" line in 40 s:\n${output.join('\n')}`)),
      40_000,
    );
    child.once('exit', (code) => reject(new Error(`start exited with ${code}:\n${output.join('\n')}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output.push(line);
      const api = /^API\s+(\S+)\/v1$/.exec(line);
      if (api !== null) base = api[1] as string;
      const shown = /^key\s+(sk_\S+)/.exec(line);
      if (shown !== null) key = shown[1] as string;
      if (line === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}, 60_000);

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
      'customer-lookup',
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

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
