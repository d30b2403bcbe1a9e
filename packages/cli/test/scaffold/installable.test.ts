/**
 * The packages install from their tarballs, outside the repository: `scripts/pack-packages.ts` packs them,
 * `sluice new` scaffolds a connector and a service into a temp folder with `--deps <the tarballs>`, and each
 * installs with npm (third-party packages from the npm cache, else the registry) and passes its own test.
 * The installed CLI then runs the connector and a workflow. Slow (npm installs, better-sqlite3 may compile),
 * so it runs only when CI=true or SLUICE_TEST_INSTALL=1.
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../run-cli.js';

const enabled = process.env.CI === 'true' || process.env.SLUICE_TEST_INSTALL === '1';

interface Outcome {
  code: number;
  stdout: string;
  /** stdout and stderr. */
  output: string;
}

/**
 * The environment of the commands run in the scaffolds: without the `npm_*` variables of an enclosing
 * `npm test` (they would point npm at the repository), but with the same npm cache.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_') || keep.has(key)),
  );
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0' };
}

function run(command: string, args: string[], cwd: string, timeout = 240_000): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: cleanEnv(), timeout, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, output: `${stdout}${stderr}` });
      },
    );
  });
}

const sluice = (args: string[], cwd: string) => run('npx', ['--no-install', 'sluice', ...args], cwd, 120_000);

describe.skipIf(!enabled)('packed tarballs (runs with CI=true or SLUICE_TEST_INSTALL=1)', () => {
  let temp: string;
  let packs: string;
  let api: Server | undefined;
  let apiUrl: string;

  beforeAll(async () => {
    api = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"pong": true}');
    });
    await new Promise<void>((resolve) => api?.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    temp = mkdtempSync(join(tmpdir(), 'sluice-installable-'));
    packs = join(temp, 'packs');
    // Under `npm test` (`SLUICE_TEST_CLI=bin`) the build has just run and other test files run its bin
    // meanwhile: pack that build as it is, rather than rebuild (and remove) the bundle under them.
    const noBuild = process.env.SLUICE_TEST_CLI === 'bin' ? ['--no-build'] : [];
    const packed = await run(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts/pack-packages.ts'), '--out', packs, ...noBuild],
      REPO_ROOT,
    );
    expect(packed.code, packed.output).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await new Promise((resolve) => (api === undefined ? resolve(undefined) : api.close(resolve)));
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
  }, 120_000);

  it('are four, without src/ or a development condition', async () => {
    expect(readdirSync(packs).sort()).toEqual([
      'sluice-0.1.0.tgz',
      'sluice-engine-0.1.0.tgz',
      'sluice-sdk-0.1.0.tgz',
      'sluice-server-0.1.0.tgz',
    ]);
    const sdk = join(temp, 'sdk-unpacked');
    mkdirSync(sdk);
    const unpacked = await run('tar', ['-xzf', join(packs, 'sluice-sdk-0.1.0.tgz'), '-C', sdk], temp);
    expect(unpacked.code, unpacked.output).toBe(0);
    expect(readdirSync(join(sdk, 'package')).sort()).toEqual(['README.md', 'dist', 'package.json']);
    const manifest = readFileSync(join(sdk, 'package/package.json'), 'utf8');
    expect(manifest).not.toContain('development');
    expect(JSON.parse(manifest).exports['./testing']).toEqual({
      types: './dist/testing/index.d.ts',
      default: './dist/testing/index.js',
    });
  });

  it('install into a scaffolded connector and service outside the repository, whose tests pass', async () => {
    const connector = join(temp, 'acme-connector');
    const service = join(temp, 'acme-service');
    const created = await Promise.all([
      runCli(['new', 'connector', connector, '--deps', packs]),
      runCli(['new', 'service', service, '--deps', packs]),
    ]);
    for (const result of created) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Sluice packages: the tarballs in ${packs} (as --deps asks)`);
    }
    expect(JSON.parse(readFileSync(join(connector, 'package.json'), 'utf8'))).toMatchObject({
      dependencies: { '@sluice/sdk': `file:${join(packs, 'sluice-sdk-0.1.0.tgz')}` },
      devDependencies: { sluice: `file:${join(packs, 'sluice-0.1.0.tgz')}` },
      overrides: { '@sluice/engine': `file:${join(packs, 'sluice-engine-0.1.0.tgz')}` },
    });

    // --prefer-offline, not --offline: a lockfile-less install needs registry metadata that `npm ci`
    // does not put in the cache; the tarballs of third-party packages come from the cache when it has them.
    // Install scripts are skipped: better-sqlite3 would compile for over a minute where no prebuilt binary
    // downloads. The connector gets the checkout's own build of the same version instead (same machine,
    // same Node), else it is rebuilt, so its `sluice run` below still loads the native module.
    const install = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'];
    const installed = await Promise.all([run('npm', install, connector), run('npm', install, service)]);
    for (const result of installed) expect(result.code, result.output).toBe(0);
    await provideNativeSqlite(connector);

    // The installed CLI also runs a workflow: the engine's template workers and better-sqlite3.
    const flow = 'name: ping\nsteps:\n  - name: ping\n    apispec: { url: "{{ SYSTEM_APIS.api }}/ping" }\n';
    writeFileSync(join(connector, 'flow.yaml'), flow);
    const apis = JSON.stringify({ api: apiUrl });
    const [connectorTests, serviceTests, serviceTypes, exec, workflow] = await Promise.all([
      run('npm', ['test'], connector, 120_000),
      run('npm', ['test'], service, 120_000),
      run('npx', ['--no-install', 'tsc', '--noEmit'], service, 120_000),
      sluice(
        ['exec', 'connector.ts', 'actions.get_item.inputFields', '--settings', 'settings.example.json'],
        connector,
      ),
      sluice(['run', 'flow.yaml', '--json', '--db', 'runs.db', '--system-apis', apis], connector),
    ]);
    expect(connectorTests.output).toMatch(/Tests\s+4 passed/);
    expect(connectorTests.code, connectorTests.output).toBe(0);
    expect(serviceTests.output).toMatch(/Tests\s+4 passed/);
    expect(serviceTests.code, serviceTests.output).toBe(0);
    expect(serviceTypes.code, serviceTypes.output).toBe(0);
    expect(exec.code, exec.output).toBe(0);
    expect(JSON.parse(exec.stdout)).toEqual([{ name: 'id', type: 'integer', optional: false }]);
    expect(workflow.code, workflow.output).toBe(0);
    expect(JSON.parse(workflow.stdout)).toMatchObject({
      status: 'succeeded',
      steps: [{ output: { pong: true } }],
    });
    expect(existsSync(join(connector, 'runs.db'))).toBe(true);
  }, 300_000);
});

/** better-sqlite3's native module in `project`: the checkout's build when the versions match, else built there. */
async function provideNativeSqlite(project: string): Promise<void> {
  const version = (root: string) =>
    (
      JSON.parse(readFileSync(join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  const native = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  if (version(project) === version(REPO_ROOT) && existsSync(join(REPO_ROOT, native))) {
    mkdirSync(dirname(join(project, native)), { recursive: true });
    copyFileSync(join(REPO_ROOT, native), join(project, native));
    return;
  }
  const rebuilt = await run('npm', ['rebuild', 'better-sqlite3'], project, 240_000);
  expect(rebuilt.code, rebuilt.output).toBe(0);
}
