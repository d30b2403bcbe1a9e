import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applySluiceDeps, chooseSluiceDeps } from '../../src/scaffold-deps.js';
import { scratchDir } from '../cli-fixtures.js';
import { REPO_ROOT, runCli } from '../run-cli.js';

const scratch = scratchDir('scaffold-deps');
afterAll(() => scratch.remove());

const TARBALLS = [
  'sluice-sdk-0.1.0.tgz',
  'sluice-server-0.1.0.tgz',
  'sluice-engine-0.1.0.tgz',
  'sluice-0.1.0.tgz',
];

function put(file: string, text = ''): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A checkout-like folder: `packages/cli/package.json` (version 0.1.0), and `.sluice-packs/` when asked. */
function fakeCheckout(name: string, packs: readonly string[]): string {
  const root = join(scratch.dir, name);
  put(join(root, 'packages/cli/package.json'), JSON.stringify({ name: 'sluice', version: '0.1.0' }));
  for (const tarball of packs) put(join(root, '.sluice-packs', tarball));
  return join(root, 'packages/cli');
}

/** An installed CLI: `node_modules/sluice` with the three packages beside it; `built` ones have their dist. */
function fakeInstall(name: string, built: readonly string[]): string {
  const modules = join(scratch.dir, name, 'node_modules');
  put(join(modules, 'sluice/package.json'), JSON.stringify({ name: 'sluice', version: '0.1.0' }));
  put(join(modules, 'sluice/dist/main.js'));
  for (const pkg of ['sdk', 'server', 'engine']) {
    const manifest = { name: `@sluice/${pkg}`, version: '0.1.0', exports: { '.': './dist/index.js' } };
    put(join(modules, '@sluice', pkg, 'package.json'), JSON.stringify(manifest));
    if (built.includes(pkg)) put(join(modules, '@sluice', pkg, 'dist/index.js'));
  }
  return join(modules, 'sluice');
}

const template = (what: string) =>
  readFileSync(join(REPO_ROOT, 'packages/cli/templates', what, 'package.json.template'), 'utf8');

const notAsked = () => Promise.reject(new Error('the registry must not be asked'));

describe('chooseSluiceDeps', () => {
  it('takes the registry version when npm view finds @sluice/sdk, and adds no overrides', async () => {
    const cliDir = fakeCheckout('published', TARBALLS);
    const deps = await chooseSluiceDeps({ cliDir, lookUp: async () => '0.4.2' });
    expect(deps.source).toBe('registry');
    expect(deps.summary).toBe(
      'Sluice packages: ^0.4.2 from the npm registry (the npm registry has @sluice/sdk)',
    );
    const manifest = JSON.parse(applySluiceDeps(template('connector'), deps));
    expect(manifest.dependencies['@sluice/sdk']).toBe('^0.4.2');
    expect(manifest.devDependencies).toEqual({ sluice: '^0.4.2', vitest: '^4.1.12' });
    expect(manifest.overrides).toBeUndefined();
  });

  it("takes the checkout's tarballs when the registry has none, with overrides for the indirect packages", async () => {
    const cliDir = fakeCheckout('packed', TARBALLS);
    const packs = join(scratch.dir, 'packed/.sluice-packs');
    const deps = await chooseSluiceDeps({ cliDir, lookUp: async () => undefined });
    expect(deps.source).toBe('tarballs');
    expect(deps.summary).toBe(
      `Sluice packages: the tarballs in ${packs} (npm view @sluice/sdk found no version: not published, or no registry)`,
    );
    const manifest = JSON.parse(applySluiceDeps(template('service'), deps));
    expect(manifest.dependencies['@sluice/server']).toBe(`file:${join(packs, 'sluice-server-0.1.0.tgz')}`);
    expect(manifest.devDependencies.sluice).toBe(`file:${join(packs, 'sluice-0.1.0.tgz')}`);
    expect(manifest.overrides).toEqual({
      '@sluice/sdk': `file:${join(packs, 'sluice-sdk-0.1.0.tgz')}`,
      '@sluice/server': '$@sluice/server',
      '@sluice/engine': `file:${join(packs, 'sluice-engine-0.1.0.tgz')}`,
      sluice: '$sluice',
    });
  });

  it('links to the packages beside an installed CLI when there are no tarballs, naming those not built', async () => {
    const cliDir = fakeInstall('installed', ['sdk', 'server']);
    const deps = await chooseSluiceDeps({ cliDir, lookUp: async () => undefined });
    const scope = realpathSync(join(scratch.dir, 'installed/node_modules/@sluice'));
    expect(deps.source).toBe('links');
    expect(deps.specs).toEqual({
      '@sluice/sdk': `file:${join(scope, 'sdk')}`,
      '@sluice/server': `file:${join(scope, 'server')}`,
      '@sluice/engine': `file:${join(scope, 'engine')}`,
      sluice: `file:${realpathSync(cliDir)}`,
    });
    expect(deps.summary).toMatch(
      new RegExp(
        `^Sluice packages: links to the package folders in ${scope} \\(npm view .*, and no tarballs in `,
      ),
    );
    expect(deps.summary).toContain('@sluice/engine not built: run npm run build in the checkout first');
  });

  it('asks no registry for --deps registry, and uses the version of the CLI', async () => {
    const deps = await chooseSluiceDeps({
      deps: 'registry',
      cliDir: fakeCheckout('forced', []),
      lookUp: notAsked,
    });
    expect([deps.source, deps.specs['@sluice/engine']]).toEqual(['registry', '^0.1.0']);
  });

  it('refuses a --deps folder without the four tarballs, naming the folder and the files', async () => {
    const cliDir = fakeCheckout('partial', TARBALLS.slice(0, 2));
    const folder = join(scratch.dir, 'partial/.sluice-packs');
    await expect(chooseSluiceDeps({ deps: folder, cliDir, lookUp: notAsked })).rejects.toMatchObject({
      code: 'SLUICE_CLI_OPTION',
      message: `--deps ${folder}: ${folder} does not hold the tarballs of Sluice 0.1.0 (${TARBALLS.join(', ')})`,
    });
  });
});

describe('sluice new --deps', () => {
  it('prints where the packages come from and writes them into package.json', async () => {
    const dir = join(scratch.dir, 'linked-connector');
    const created = await runCli(['new', 'connector', dir, '--deps', 'links']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const packages = join(REPO_ROOT, 'packages');
    expect(created.stdout).toContain(
      `created ${join(dir, '.gitignore')}\nSluice packages: links to the package folders in ${realpathSync(packages)} (as --deps links asks;`,
    );
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({
      dependencies: { '@sluice/sdk': `file:${realpathSync(join(packages, 'sdk'))}` },
      overrides: { '@sluice/engine': `file:${realpathSync(join(packages, 'engine'))}`, sluice: '$sluice' },
    });
  });
});
