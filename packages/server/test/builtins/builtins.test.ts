import type { Router } from '@sluice/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRouters, echoRoute, makeRouter, tempProject } from '../fixtures.js';

const project = tempProject('builtins');
project.write(
  'app_config.yaml',
  `app_settings:
  app_type: "example"
  app_name: "Built-ins"
  app_description: "Checks the built-in endpoints"
  sentry_dsn: "http://secretkey@127.0.0.1:9/1"
  cors_origins: []
`,
);
project.write('routes/hello/v1/route.ts', echoRoute('hello'));
project.write('routes/hello/v1/schema.json', {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' } },
});
project.write(
  'routes/items/v2/route.ts',
  `import { route } from '@sluice/server';
export const list = route({ path: '/list', methods: ['GET'], summary: 'List items' }, () => []);
`,
);
project.write('routes/misplaced/route.ts', echoRoute('x'));

let router: Router;
beforeAll(async () => {
  router = await makeRouter(project.dir);
});
afterAll(async () => {
  await closeRouters();
  project.remove();
});

const get = async (url: string) => {
  const res = await router.app.inject({ method: 'GET', url });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.body };
};

describe('built-in endpoints', () => {
  it('GET /health answers {"data":{"status":"healthy"}}', async () => {
    const res = await get('/health');
    expect([res.status, JSON.parse(res.body)]).toEqual([200, { data: { status: 'healthy' } }]);
  });

  it('GET /routes lists mounted routes, skipped files with the reason, and the rules', async () => {
    const { data } = JSON.parse((await get('/routes')).body);
    expect(data.routes).toEqual([
      {
        method: 'GET',
        url: '/hello/v1/schema',
        module: 'hello',
        version: 'v1',
        file: 'routes/hello/v1/route.ts',
        export: 'schema.json',
        schema: false,
      },
      {
        method: 'POST',
        url: '/hello/v1/execute',
        module: 'hello',
        version: 'v1',
        file: 'routes/hello/v1/route.ts',
        export: 'execute',
        schema: true,
      },
      {
        method: 'GET',
        url: '/items/v2/list',
        module: 'items',
        version: 'v2',
        file: 'routes/items/v2/route.ts',
        export: 'list',
        schema: false,
      },
    ]);
    expect(data.skipped).toEqual([
      { file: 'routes/misplaced/route.ts', reason: expect.stringMatching(/^too shallow/) },
    ]);
    expect(data.rules[0]).toMatch(/<module>\/<version>\/route\.ts/);
  });

  it('GET /app-config shows the settings without secrets', async () => {
    const res = await get('/app-config');
    expect(res.body).not.toContain('secretkey');
    const settings = {
      app_type: 'example',
      app_name: 'Built-ins',
      app_description: 'Checks the built-in endpoints',
      app_icon_svg_url: null,
      cors_origins: [],
      routes_directory: 'routes',
      debug: false,
      host: '127.0.0.1',
      port: 2005,
      log_level: 'silent',
      sentry_enabled: true,
    };
    const { data } = JSON.parse(res.body);
    expect(data).toEqual({
      ...settings,
      environment: 'dev',
      app_settings: settings,
      modules: [module('hello', 'v1', 'Hello'), module('items', 'v2', 'Items')],
    });
  });

  it('GET /modules-list lists a module per mounted route folder', async () => {
    const { data } = JSON.parse((await get('/modules-list')).body);
    expect(data).toEqual({ modules: [module('hello', 'v1', 'Hello'), module('items', 'v2', 'Items')] });
  });

  it('GET /openapi.json is OpenAPI 3 with every route, its method and request schema', async () => {
    const doc = JSON.parse((await get('/openapi.json')).body);
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: 'Built-ins', description: 'Checks the built-in endpoints' });
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/app-config',
      '/health',
      '/hello/v1/execute',
      '/items/v2/list',
      '/modules-list',
      '/routes',
    ]);
    const hello = doc.paths['/hello/v1/execute'].post;
    expect(hello.tags).toEqual(['hello']);
    expect(hello.requestBody.content['application/json'].schema.properties.data).toMatchObject({
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' } },
    });
    expect(doc.paths['/items/v2/list'].get.summary).toBe('List items');
  });

  it('GET /docs renders a docs page from the OpenAPI document', async () => {
    const page = await get('/docs');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    expect(page.body).toContain('swagger-ui');
    const json = JSON.parse((await get('/docs/json')).body);
    expect(json.paths['/hello/v1/execute']).toBeDefined();
    expect((await get('/docs/static/swagger-ui-bundle.js')).status).toBe(200);
  });
});

/** A module entry without module_config.yaml: named from its folders. */
function module(type: string, version: string, name: string) {
  return {
    module_id: `example-${type}-${version.slice(1)}`,
    app_type: 'example',
    module_type: type,
    module_category: 'action',
    module_name: name,
    module_version: version.slice(1),
    module_description: '',
    module_path: `${type}/${version}`,
  };
}
