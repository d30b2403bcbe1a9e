import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, scratchDir } from '../cli-fixtures.js';
import { runCli } from '../run-cli.js';

const scratch = scratchDir('exec-ts-package');
afterAll(() => scratch.remove());

/** A project folder with this package.json, a `.ts` connector and a `.ts` helper it imports. */
function project(name: string, packageJson: Record<string, unknown>): string {
  const dir = join(scratch.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, ...packageJson }));
  writeFileSync(
    join(dir, 'greeting.ts'),
    "export const greeting = (who: string): string => 'hello ' + who;\n",
  );
  writeFileSync(
    join(dir, 'connector.ts'),
    [
      "import { defineConnector } from '@sluice/sdk';",
      "import { greeting } from './greeting.js';",
      '',
      'export default defineConnector({',
      "  title: 'Package type',",
      "  test: () => ({ said: greeting('world') }),",
      '  actions: {},',
      '});',
      '',
    ].join('\n'),
  );
  return join(dir, 'connector.ts');
}

describe('sluice exec on a .ts connector, whatever the package type', () => {
  it.each([
    ['no "type"', {}],
    ['"type": "commonjs"', { type: 'commonjs' }],
    ['"type": "module"', { type: 'module' }],
  ])('loads it as an ES module with %s', async (_label, packageJson) => {
    const slug = Object.values(packageJson).join('') || 'none';
    const result = await runCli(['exec', project(`pkg-${slug}`, packageJson), 'test']);
    expect(json(result)).toEqual({ said: 'hello world' });
  });
});
