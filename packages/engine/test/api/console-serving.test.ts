/**
 * How the API serves the web console's files: `/` from memory with a same-origin content security policy
 * and no caching, hashed assets cached for good and sent precompressed, no key needed for either, the
 * API's own 404 for unknown files, a clear 503 page when the console is not built, and nothing at all
 * with `console: false`. The console here is a stand-in build laid out as `packages/console` builds it
 * (the engine does not depend on the console package; its browser tests serve the real one).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { useApiHarness } from './harness.js';

/**
 * Writes a console build into a fresh folder, as Vite and the console's precompress plugin lay it out:
 * `index.html` naming a hashed script under `assets/`, and a `.gz` and `.br` of each text file.
 */
function writeBuiltConsole(): string {
  const root = mkdtempSync(join(tmpdir(), 'sluice-built-console-'));
  mkdirSync(join(root, 'assets'));
  const script = `${'export function render(root) { root.textContent = "Sluice"; }\n'.repeat(200)}`;
  const files: Record<string, string> = {
    'index.html': `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Sluice</title>
    <link rel="icon" href="/favicon.svg" />
    <script type="module" crossorigin src="/assets/index-3f9a1c2b.js"></script>
  </head>
  <body>
    <div id="app"></div>
  </body>
</html>
`,
    'favicon.svg': '<svg viewBox="0 0 16 16"><rect width="16" height="16"/></svg>',
    'assets/index-3f9a1c2b.js': script,
  };
  for (const [name, text] of Object.entries(files)) {
    const path = join(root, name);
    writeFileSync(path, text);
    writeFileSync(`${path}.gz`, gzipSync(text, { level: 9 }));
    writeFileSync(`${path}.br`, brotliCompressSync(text));
  }
  return root;
}

const BUILT = writeBuiltConsole();
afterAll(() => rmSync(BUILT, { recursive: true, force: true }));

const ASSETS = join(BUILT, 'assets');
const firstScript = () => readdirSync(ASSETS).find((name) => /^index-.*\.js$/.test(name)) as string;

describe('the console at /', () => {
  const h = useApiHarness({ console: BUILT });

  it('answers index.html without a key, not cached, with a policy that allows this origin only', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.body).toContain(`/assets/${firstScript()}`);
    // Nothing is fetched from elsewhere: no CDN, no remote fonts.
    expect(res.body).not.toMatch(/https?:\/\//);
  });

  it('sends the gzipped page to a browser that takes gzip', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.rawPayload).toString()).toContain('<div id="app">');
  });

  it('serves hashed assets cached for good, precompressed when accepted', async () => {
    const url = `/assets/${firstScript()}`;
    const plain = await h.app.inject({ method: 'GET', url });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/javascript/);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const br = await h.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(Number(br.headers['content-length'])).toBeLessThan(plain.body.length);
  });

  it("answers the API's JSON 404 for a file that is not there, without asking for a key", async () => {
    const res = await h.app.inject({ method: 'GET', url: '/assets/nope.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'SLUICE_API_NOT_FOUND' } });
  });

  it('is not in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths).filter((path) => !path.startsWith('/v1/') && path !== '/health')).toEqual([
      '/metrics',
    ]);
  });
});

describe('console: false', () => {
  const h = useApiHarness({ console: false });

  it('serves no console: / is an unknown path like any other, behind a key', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(401);
    const res = await h.call(h.keys.acmeMember, 'GET', '/');
    expect(res.status).toBe(404);
  });
});

describe('a console folder that holds no build', () => {
  const empty = mkdtempSync(join(tmpdir(), 'sluice-console-'));
  const h = useApiHarness({ console: empty });

  it('answers 503 with a page saying how to build it', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('a console folder that does not exist', () => {
  const h = useApiHarness({ console: join(tmpdir(), 'sluice-console-never-built', 'dist') });

  it('answers the same 503 page, without a key', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
  });
});
