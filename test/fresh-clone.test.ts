/**
 * The README's front door on a fresh clone (issue 17): `git clone`, `npm ci`, `npm start` gives a console
 * that answers at `/`, and `npm ci` warns about no engine. Slow (an install), so it runs when `CI=true`
 * or `SLUICE_TEST_FRESH_CLONE=1`; the scaffold installing outside the repository is checked by
 * `packages/cli/test/scaffold/installable.test.ts` under the same rule.
 *
 * The clone is of the committed `HEAD`. better-sqlite3 is not compiled again: the install skips scripts
 * and takes the checkout's own build of the same version (same machine, same Node), as CI's `npm ci`
 * has just made it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const enabled = process.env.CI === 'true' || process.env.SLUICE_TEST_FRESH_CLONE === '1';
const NATIVE = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';

interface Outcome {
  code: number;
  output: string;
}

/** Runs `command` in `cwd` without the `npm_*` variables of an enclosing `npm test`. */
function run(command: string, args: string[], cwd: string): Promise<Outcome> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.toLowerCase().startsWith('npm_') || key === 'npm_config_cache',
    ),
  );
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          output: stdout + stderr,
        });
      },
    );
  });
}

describe.skipIf(!enabled)('a fresh clone (CI=true or SLUICE_TEST_FRESH_CLONE=1)', () => {
  let temp: string;
  let clone: string;
  let install: Outcome;
  let started: ChildProcess | undefined;

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'sluice-fresh-clone-'));
    clone = join(temp, 'sluice');
    const cloned = await run('git', ['clone', '--quiet', '--depth', '1', `file://${REPO}`, clone], temp);
    expect(cloned.code, cloned.output).toBe(0);
    install = await run(
      'npm',
      ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
      clone,
    );
    expect(install.code, install.output).toBe(0);
    const version = (root: string) =>
      (
        JSON.parse(readFileSync(join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    if (version(clone) === version(REPO) && existsSync(join(REPO, NATIVE))) {
      mkdirSync(dirname(join(clone, NATIVE)), { recursive: true });
      copyFileSync(join(REPO, NATIVE), join(clone, NATIVE));
    } else {
      const rebuilt = await run('npm', ['rebuild', 'better-sqlite3'], clone);
      expect(rebuilt.code, rebuilt.output).toBe(0);
    }
  }, 600_000);

  afterAll(async () => {
    if (started?.pid !== undefined && started.exitCode === null) {
      const exited = new Promise((resolve) => started?.once('exit', resolve));
      // The whole group: npm, the start script, sluice serve and the example servers.
      process.kill(-started.pid, 'SIGTERM');
      await exited;
    }
    rmSync(temp, { recursive: true, force: true });
  });

  it('installs with npm ci without an engine warning (the README promises Node 20)', () => {
    expect(install.output).not.toMatch(/EBADENGINE|Unsupported engine/);
  });

  it('serves a working console at / after npm start, building it on the first start', async () => {
    expect(existsSync(join(clone, 'packages/console/dist/index.html'))).toBe(false);
    const env: Record<string, string | undefined> = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
      ),
      PORT: '0',
      EXAMPLE_PORTS: '0',
      SLUICE_DATA_DIR: join(temp, 'data'),
    };
    // Its own process group, so the end of the test stops everything npm start started.
    const child = spawn('npm', ['start'], {
      cwd: clone,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    started = child;
    const lines: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk}`));
    const base = await new Promise<string>((resolve, reject) => {
      let api = '';
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${lines.join('\n')}`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        lines.push(line);
        const match = /^API\s+(\S+)\/v1$/.exec(line);
        if (match !== null) api = match[1] as string;
        if (line === 'ready') resolve(api);
      });
    });
    expect(lines.some((line) => line.startsWith('built the web console in '))).toBe(true);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
  }, 300_000);
});
