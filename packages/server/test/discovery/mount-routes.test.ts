import { isSluiceError } from '@sluice/sdk';
import { RouteDiscoveryError, Router } from '@sluice/server';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeRouters, echoRoute, makeRouter, type TempProject, tempProject } from '../fixtures.js';

const projects: TempProject[] = [];
afterEach(closeRouters);
afterAll(() => {
  for (const p of projects) p.remove();
});

function project(files: Record<string, unknown>): TempProject {
  const p = tempProject('mount');
  projects.push(p);
  for (const [path, content] of Object.entries(files)) p.write(path, content);
  return p;
}

async function startupError(p: TempProject): Promise<RouteDiscoveryError> {
  const router = new Router({ cwd: p.dir, env: {}, logger: false });
  try {
    await router.ready();
  } catch (err) {
    expect(err).toBeInstanceOf(RouteDiscoveryError);
    return err as RouteDiscoveryError;
  } finally {
    await router.close();
  }
  throw new Error('expected start-up to fail');
}

describe('mounting route files', () => {
  it('mounts each exported route at /<module>/<version><path>, POST by default', async () => {
    const p = project({
      'routes/hello/v1/route.ts': `import { route } from '@sluice/server';
export const execute = route({ path: '/execute' }, () => ({ v: 1 }));
export const content = route({ path: '/content', methods: ['get', 'POST'] }, (request) => ({ q: request.query }));
export const item = route({ path: '/items/:id', methods: ['GET'] }, (request) => ({ id: request.params.id }));
export const notARoute = 42;
`,
      'routes/hello/v2/route.js': `import { route } from '@sluice/server';
export const execute = route({ path: '/execute' }, () => ({ v: 2 }));
`,
    });
    const router = await makeRouter(p.dir);
    const call = async (method: 'GET' | 'POST', url: string) => {
      const res = await router.app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
      return [res.statusCode, res.json()];
    };
    expect(await call('POST', '/hello/v1/execute')).toEqual([200, { data: { v: 1 } }]);
    expect(await call('POST', '/hello/v2/execute')).toEqual([200, { data: { v: 2 } }]);
    expect(await call('GET', '/hello/v1/content?x=1')).toEqual([200, { data: { q: { x: '1' } } }]);
    expect(await call('GET', '/hello/v1/items/42')).toEqual([200, { data: { id: '42' } }]);
    expect(router.routes.map((r) => `${r.method} ${r.url} ${r.export}`)).toEqual([
      'POST /hello/v1/execute execute',
      'GET /hello/v1/content content',
      'POST /hello/v1/content content',
      'GET /hello/v1/items/:id item',
      'POST /hello/v2/execute execute',
    ]);
  });

  it('reports and skips a route file that exports no route', async () => {
    const p = project({
      'routes/empty/v1/route.ts': 'export const nothing = 1;\n',
      'routes/ok/v1/route.ts': echoRoute('ok'),
    });
    const router = await makeRouter(p.dir);
    expect(router.report().skipped).toEqual([
      { file: 'routes/empty/v1/route.ts', reason: expect.stringMatching(/^it exports no route/) },
    ]);
    expect(router.routes.map((r) => r.url)).toEqual(['/ok/v1/execute']);
  });

  it('stops start-up on a route file that does not compile, naming the file and line', async () => {
    const p = project({
      'routes/broken/v1/route.ts':
        "import { route } from '@sluice/server';\nexport const x = route({ path: '/x' }, () => {;\n",
    });
    const err = await startupError(p);
    expect(err.code).toBe('SLUICE_ROUTE_LOAD');
    expect(err.file).toBe('routes/broken/v1/route.ts');
    expect(err.message).toMatch(
      /^cannot load route file routes\/broken\/v1\/route\.ts at line 2, column \d+: /,
    );
  });

  it('stops start-up on a route file that throws while loading', async () => {
    const p = project({ 'routes/throws/v1/route.ts': "throw new Error('no API key in the environment');\n" });
    const err = await startupError(p);
    expect(err.code).toBe('SLUICE_ROUTE_LOAD');
    expect(err.message).toMatch(
      /^cannot load route file routes\/throws\/v1\/route\.ts.*: no API key in the environment$/,
    );
  });

  it('stops start-up on a malformed route() call, naming the file', async () => {
    const p = project({
      'routes/bad/v1/route.ts':
        "import { route } from '@sluice/server';\nexport const x = route({ path: 'execute' }, () => 1);\n",
    });
    const err = await startupError(p);
    expect(err.code).toBe('SLUICE_ROUTE_INVALID');
    expect(err.message).toBe(
      'route file routes/bad/v1/route.ts: route path must be a string starting with "/" and without spaces, got "execute"',
    );
    const q = project({
      'routes/bad/v1/route.ts':
        "import { route } from '@sluice/server';\nexport const x = route({ path: '/x', methods: ['FETCH'] }, () => 1);\n",
    });
    expect((await startupError(q)).message).toMatch(/unknown method "FETCH"/);
  });

  it('stops start-up on two routes with the same method and URL, naming both files', async () => {
    const p = project({
      'routes/a/v1/route.ts': `import { route } from '@sluice/server';
export const one = route({ path: '/items/:id', methods: ['GET'] }, () => 1);
export const two = route({ path: '/items/:name', methods: ['GET', 'POST'] }, () => 2);
`,
    });
    const err = await startupError(p);
    expect(err.code).toBe('SLUICE_ROUTE_DUPLICATE');
    expect(err.message).toBe(
      'GET /a/v1/items/:name is defined twice: in routes/a/v1/route.ts (export one) and in routes/a/v1/route.ts (export two)',
    );
  });

  it('stops start-up on a schema.json that is not JSON or not a JSON Schema', async () => {
    const p = project({
      'routes/a/v1/route.ts': echoRoute('a'),
      'routes/a/v1/schema.json': '{\n  "type": "object",\n  "properties": {,}\n}',
    });
    const err = await startupError(p);
    expect([err.code, err.file]).toEqual(['SLUICE_ROUTE_SCHEMA', 'routes/a/v1/schema.json']);
    expect(err.message).toMatch(/^routes\/a\/v1\/schema\.json is not valid JSON at line 3: /);
    const q = project({
      'routes/a/v1/route.ts': echoRoute('a'),
      'routes/a/v1/schema.json': { type: 'object', propertees: {} },
    });
    const bad = await startupError(q);
    expect(bad.message).toMatch(/^routes\/a\/v1\/schema\.json is not a valid JSON Schema: .*propertees/);
  });

  it('fails when a configured routes directory does not exist', async () => {
    const p = project({ 'app_config.yaml': 'app_settings:\n  routes_directory: handlers\n' });
    const err = await startupError(p);
    expect(err.code).toBe('SLUICE_ROUTE_DIR');
    expect(isSluiceError(err, 'SLUICE_ROUTE_DIR')).toBe(true);
  });
});
