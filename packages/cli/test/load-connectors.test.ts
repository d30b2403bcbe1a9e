/**
 * `sluice serve --connectors <dir>`: the folder's connector files are found, named by their file, loaded
 * with `loadConnector`, and listed by `GET /v1/connectors`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeOf, useApiHarness } from '../../engine/test/api/harness.js';
import { connectorDirs, connectorMap, loadConnectors } from '../src/load-connectors.js';
import { expectCleanError, scratchDir } from './cli-fixtures.js';
import { runCli } from './run-cli.js';
import { createKey, killAll, startServe } from './serve-process.js';

const scratch = scratchDir('load-connectors');

/** A connector file with one action `<action>` and the given title. */
const connectorFile = (title: string, action: string) =>
  [
    "import { defineConnector } from '@sluice/sdk';",
    'export default defineConnector({',
    `  title: ${JSON.stringify(title)},`,
    "  connection: { fields: [{ name: 'api_key', controlType: 'password' }] },",
    `  actions: { ${action}: { inputFields: [{ name: 'id', type: 'integer' }], execute: ({ input }) => input } },`,
    '});',
    '',
  ].join('\n');

/** Writes `files` (relative paths to contents) under a fresh folder of the scratch dir. */
function folder(name: string, files: Record<string, string>): string {
  const dir = join(scratch.dir, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

const main = folder('main', {
  'alpha.ts': connectorFile('Alpha', 'get_alpha'),
  'beta/connector.ts': connectorFile('Beta', 'get_beta'),
  'beta/helpers.ts': 'export const x = 1;\n',
  'README.md': '# not a connector\n',
  'alpha.test.ts': 'throw new Error("tests are not connectors");\n',
  'types.d.ts': 'export {};\n',
  'notes/readme.txt': 'a folder without connector.ts is skipped\n',
});
const loaded = await loadConnectors([main]);

afterAll(() => {
  killAll();
  scratch.remove();
});

describe('loadConnectors', () => {
  it('loads *.ts files and <name>/connector.ts, named by the file, and skips the rest', () => {
    expect(loaded.map((c) => [c.name, c.connector.title])).toEqual([
      ['alpha', 'Alpha'],
      ['beta', 'Beta'],
    ]);
    expect(loaded[1]?.file).toMatch(/main[\\/]beta[\\/]connector\.ts$/);
  });

  it('reads --connectors as repeatable and comma-separated', () => {
    expect(connectorDirs(undefined)).toEqual([]);
    expect(connectorDirs('a')).toEqual(['a']);
    expect(connectorDirs(['a,b', ' c ', 'a', ''])).toEqual(['a', 'b', 'c']);
  });

  it('loads .mjs and .js files from more than one folder', async () => {
    const more = folder('more', {
      'gamma.mjs': connectorFile('Gamma', 'get_gamma'),
      'epsilon.js': connectorFile('Epsilon', 'get_epsilon'),
    });
    const both = await loadConnectors([main, more]);
    expect(both.map((c) => c.name)).toEqual(['alpha', 'beta', 'epsilon', 'gamma']);
  });

  it('refuses two connectors with one name, naming both files', async () => {
    const other = folder('other', { 'alpha.mjs': connectorFile('Alpha 2', 'get') });
    await expect(loadConnectors([main, other])).rejects.toMatchObject({
      code: 'SLUICE_CLI_OPTION',
      message: expect.stringMatching(
        /^two connectors are named alpha: .*main[\\/]alpha\.ts and .*other[\\/]alpha\.mjs$/,
      ),
    });
    const inOne = folder('same', {
      'delta.ts': connectorFile('D', 'a'),
      'delta/connector.ts': connectorFile('D', 'b'),
    });
    await expect(loadConnectors([inOne])).rejects.toThrow(/two connectors are named delta/);
  });

  it('refuses a missing folder and a file name that is not a connector name', async () => {
    await expect(loadConnectors([join(scratch.dir, 'nowhere')])).rejects.toMatchObject({
      code: 'SLUICE_CLI_OPTION',
      message: expect.stringMatching(/^--connectors .*nowhere is not a folder$/),
    });
    const bad = folder('bad-name', { 'my app.ts': connectorFile('X', 'a') });
    await expect(loadConnectors([bad])).rejects.toThrow(/"my app" is not a connector name/);
  });

  it('names the file of a connector that does not load', async () => {
    const broken = folder('broken', { 'oops.ts': 'export default 42;\n' });
    await expect(loadConnectors([broken])).rejects.toMatchObject({
      code: 'SLUICE_CONNECTOR_LOAD',
      message: expect.stringMatching(/oops\.ts does not default-export a connector/),
    });
  });
});

describe('GET /v1/connectors with connectors loaded from a folder', () => {
  const h = useApiHarness({ engine: { connectors: connectorMap(loaded) } });

  it('lists both, with their actions and fields', async () => {
    const res = await h.call(h.keys.acmeMember, 'GET', '/v1/connectors');
    expect(res.status).toBe(200);
    const connectors = res.body.connectors as { name: string; title: string; actions: { name: string }[] }[];
    expect(connectors.map((c) => [c.name, c.title, c.actions.map((a) => a.name)])).toEqual([
      ['alpha', 'Alpha', ['get_alpha']],
      ['beta', 'Beta', ['get_beta']],
    ]);
    expect(connectors[0]).toMatchObject({
      connection: { fields: { dynamic: false, fields: [{ name: 'api_key', controlType: 'password' }] } },
      actions: [{ input_fields: { dynamic: false, fields: [{ name: 'id', type: 'integer' }] } }],
    });
  });

  it('refuses to publish an action of a connector that is not in the folder', async () => {
    const res = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', {
      name: 'w',
      steps: [{ name: 'a', action: 'gamma.get_gamma', connection: 'x' }],
    });
    expect([res.status, codeOf(res)]).toEqual([400, 'SLUICE_CONNECTOR_UNKNOWN']);
    expect((res.body.error as { message: string }).message).toBe(
      'steps[0].action: connector "gamma" is not registered (registered: alpha, beta)',
    );
  });
});

describe('sluice serve --connectors', () => {
  it('registers the connectors of the folder, prints them, and lists them at GET /v1/connectors', async () => {
    const data = join(scratch.dir, 'data');
    const key = await createKey(data);
    const serve = await startServe(data, ['--connectors', main]);
    try {
      expect(serve.printed()).toMatch(
        /^connectors: alpha \(.*alpha\.ts\), beta \(.*beta[\\/]connector\.ts\)$/m,
      );
      const res = await fetch(`${serve.base}/v1/connectors`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { connectors: { name: string }[] };
      expect(body.connectors.map((c) => c.name)).toEqual(['alpha', 'beta']);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });

  it('does not start when a connector file does not load, naming it', async () => {
    const broken = folder('serve-broken', { 'oops.ts': 'export default 42;\n' });
    const result = await runCli([
      'serve',
      '--port',
      '0',
      '--data-dir',
      join(scratch.dir, 'data2'),
      '--connectors',
      broken,
    ]);
    expectCleanError(
      result,
      /^error SLUICE_CONNECTOR_LOAD: connector file .*oops\.ts does not default-export a connector/,
    );
  });
});
