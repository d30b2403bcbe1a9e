import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRoutes } from '../../src/discovery/find-routes.js';
import { tempProject } from '../fixtures.js';

const project = tempProject('find-routes');
afterAll(() => project.remove());

const routes = join(project.dir, 'routes');
const put = (path: string) => project.write(`routes/${path}`, 'export {};\n');

describe('findRoutes', () => {
  put('hello/v1/route.ts');
  put('hello/v1/schema.json');
  put('hello/v2/route.js');
  put('hello/v10/route.ts');
  put('send_message/v1/route.ts');
  put('send_message/v1/route.js');
  put('send-mail/v3/route.mjs');
  put('route.ts');
  put('shallow/route.ts');
  put('deep/v1/extra/route.ts');
  put('send message/v1/route.ts');
  put('hello/version1/route.ts');
  put('hello/V2/route.ts');
  put('hello/v1.1/route.ts');
  put('.hidden/v1/route.ts');
  put('hello/v1/helpers.ts');
  put('hello/v1/route.test.ts');

  const { found, skipped } = findRoutes(routes);
  const rel = (file: string) => file.slice(routes.length + 1);

  it('finds route files exactly two folders deep, in module and version order, with their schema.json', () => {
    expect(
      found.map((f) => [
        f.module,
        f.version,
        rel(f.file),
        f.schemaFile === undefined ? '' : rel(f.schemaFile),
      ]),
    ).toEqual([
      ['hello', 'v1', 'hello/v1/route.ts', 'hello/v1/schema.json'],
      ['hello', 'v2', 'hello/v2/route.js', ''],
      ['hello', 'v10', 'hello/v10/route.ts', ''],
      ['send-mail', 'v3', 'send-mail/v3/route.mjs', ''],
      ['send_message', 'v1', 'send_message/v1/route.ts', ''],
    ]);
  });

  it('skips every other route file with the reason', () => {
    const reasons = Object.fromEntries(skipped.map((s) => [rel(s.file), s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(
      [
        'deep/v1/extra/route.ts',
        'hello/V2/route.ts',
        'hello/v1.1/route.ts',
        'hello/version1/route.ts',
        'route.ts',
        'send message/v1/route.ts',
        'send_message/v1/route.js',
        'shallow/route.ts',
      ].sort(),
    );
    expect(reasons['route.ts']).toMatch(/^too shallow: .* \(this one is 0 folders below it\)/);
    expect(reasons['shallow/route.ts']).toMatch(/^too shallow: .*1 folder below it/);
    expect(reasons['deep/v1/extra/route.ts']).toMatch(/^too deep: .*\(this one is 3\)/);
    expect(reasons['send message/v1/route.ts']).toBe(
      'module folder "send message" must start with a letter, digit or _ and use only letters, digits, _ and - (it becomes part of the URL): rename it, e.g. to "send_message"',
    );
    expect(reasons['hello/version1/route.ts']).toBe(
      'version folder "version1" must be v, digits, then optional letters, digits or _ (such as v1, v2 or v1beta)',
    );
    expect(reasons['hello/V2/route.ts']).toMatch(/version folder "V2"/);
    expect(reasons['hello/v1.1/route.ts']).toMatch(/version folder "v1.1"/);
    expect(reasons['send_message/v1/route.js']).toBe('route.ts in the same folder is used instead');
  });

  it('gives empty lists for a missing directory', () => {
    expect(findRoutes(join(project.dir, 'nope'))).toEqual({ found: [], skipped: [] });
  });
});
