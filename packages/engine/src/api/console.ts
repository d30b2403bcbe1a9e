/**
 * Serves a built web console (the folder `packages/console` builds, handed over by the caller) at `/`:
 * `index.html` from memory, never cached, with a content security policy that allows this origin only
 * (no CDN, no remote fonts, no inline script); the hashed files under `/assets/` through
 * `@fastify/static`, cached for good, sent as their prebuilt `.br` or `.gz` when the browser takes it.
 * The console's files need no key: what they show comes from the API, which does.
 *
 * @internal
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The paths the console's files answer on, opened without a key. */
export const CONSOLE_PATHS = /^\/(?:(?:index\.html|favicon\.svg)(?:\?|$)|assets\/|\?|$)/;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache',
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  vary: 'accept-encoding',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Sluice</title>
<p>The Sluice console is not built in this install. Run <code>npm run build</code> (it builds the console
too), then restart the service. The API itself works: see <a href="/docs">/docs</a>.</p>`;

interface Page {
  identity: Buffer;
  gzip: Buffer | undefined;
  brotli: Buffer | undefined;
}

function readPage(root: string): Page {
  const file = join(root, 'index.html');
  const optional = (path: string) => (existsSync(path) ? readFileSync(path) : undefined);
  return { identity: readFileSync(file), gzip: optional(`${file}.gz`), brotli: optional(`${file}.br`) };
}

function sendPage(page: Page, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const accepts = String(request.headers['accept-encoding'] ?? '');
  reply.headers(PAGE_HEADERS);
  if (page.brotli !== undefined && /\bbr\b/.test(accepts)) {
    return reply.header('content-encoding', 'br').send(page.brotli);
  }
  if (page.gzip !== undefined && /\bgzip\b/.test(accepts)) {
    return reply.header('content-encoding', 'gzip').send(page.gzip);
  }
  return reply.send(page.identity);
}

/**
 * Registers the console's routes on `app`, from the built console in the folder `root`. When that folder
 * holds no `index.html` (or is missing), `/` answers 503 with a page saying how to build it.
 */
export async function consoleRoutes(app: FastifyInstance, root: string): Promise<void> {
  const built = existsSync(join(root, 'index.html'));
  if (!built) {
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      reply
        .status(503)
        .headers({ ...PAGE_HEADERS, 'cache-control': 'no-store' })
        .send(NOT_BUILT),
    );
    return;
  }
  const page = readPage(root);
  const send = (request: FastifyRequest, reply: FastifyReply) => sendPage(page, request, reply);
  app.get('/', { schema: { hide: true } }, send);
  app.get('/index.html', { schema: { hide: true } }, send);
  const favicon = join(root, 'favicon.svg');
  if (existsSync(favicon)) {
    const icon = readFileSync(favicon);
    app.get('/favicon.svg', { schema: { hide: true } }, (_request, reply) =>
      reply.headers({ 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' }).send(icon),
    );
  }
  const { default: serveStatic } = await import('@fastify/static');
  // Its own scope: @fastify/swagger-ui registers @fastify/static too, for /docs.
  await app.register(async (scope) => {
    await scope.register(serveStatic, {
      root: join(root, 'assets'),
      prefix: '/assets/',
      // One route per built file (no catch-all), so unknown paths keep the API's JSON 404.
      wildcard: false,
      index: false,
      preCompressed: true,
      decorateReply: false,
      cacheControl: false,
      // Built file names carry their content hash: a changed file is a new name.
      setHeaders: (reply) => {
        reply.header('cache-control', 'public, max-age=31536000, immutable');
        reply.header('x-content-type-options', 'nosniff');
      },
    });
  });
}
