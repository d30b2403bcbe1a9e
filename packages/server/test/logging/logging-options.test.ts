import { execFile } from 'node:child_process';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { closeRouters, makeRouter, tempProject } from '../fixtures.js';

const project = tempProject('logging');
project.write(
  'routes/hello/v1/route.ts',
  `import { route } from '@sluice/server';
export const execute = route({ path: '/execute' }, (request) => {
  request.log.info({ headers: request.headers }, 'handler saw headers');
  return { message: 'hi' };
});
export const crash = route({ path: '/crash' }, () => {
  throw new TypeError('kaboom');
});
`,
);
// The router with the settings given as JSON, logging to stdout as a service does; two calls with
// secrets in their headers and one that fails.
project.write(
  'serve-once.ts',
  `import { Router } from '@sluice/server';
const router = new Router({ cwd: process.cwd(), env: {}, envFile: false, settings: JSON.parse(process.argv[2] ?? '{}') });
await router.ready();
const headers = { authorization: 'Bearer s3cret-token', cookie: 'session=c00kie-value' };
for (let i = 0; i < 2; i += 1) await router.app.inject({ method: 'POST', url: '/hello/v1/execute', headers, payload: { data: {} } });
await router.app.inject({ method: 'POST', url: '/hello/v1/crash', payload: {} });
await router.close();
`,
);
afterAll(async () => {
  await closeRouters();
  project.remove();
});

type Line = Record<string, unknown> & { level: number; msg: string };

/** Runs `serve-once.ts` with `settings`; resolves to the raw stdout and its pino lines. */
function serveOnce(settings: Record<string, unknown>): Promise<{ text: string; lines: Line[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', 'serve-once.ts', JSON.stringify(settings)],
      { cwd: project.dir, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`serve-once failed: ${error.message}\n${stderr}`));
          return;
        }
        const lines = stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Line);
        resolve({ text: stdout, lines });
      },
    );
  });
}

const named = (lines: readonly Line[], msg: string) => lines.filter((line) => line.msg === msg);

describe('request logging', () => {
  it('writes no per-request lines at log_level info, but start-up lines, handler lines and errors', async () => {
    const { lines } = await serveOnce({ log_level: 'info' });
    expect(named(lines, 'incoming request')).toEqual([]);
    expect(named(lines, 'request completed')).toEqual([]);
    expect(named(lines, 'route mounted').length).toBeGreaterThan(0);
    expect(named(lines, 'handler saw headers')).toHaveLength(2);
    expect(named(lines, 'request failed').map((line) => line.level)).toEqual([50]);
  });

  it('logs each request at debug when log_level is debug', async () => {
    const { lines } = await serveOnce({ log_level: 'debug' });
    const incoming = named(lines, 'incoming request');
    const completed = named(lines, 'request completed');
    expect(incoming.map((line) => [line.level, (line.req as { url: string }).url])).toEqual([
      [20, '/hello/v1/execute'],
      [20, '/hello/v1/execute'],
      [20, '/hello/v1/crash'],
    ]);
    expect(completed.map((line) => [line.level, (line.res as { statusCode: number }).statusCode])).toEqual([
      [20, 200],
      [20, 200],
      [20, 500],
    ]);
    expect(completed.every((line) => typeof line.responseTime === 'number')).toBe(true);
    expect(incoming.map((line) => line.reqId)).toEqual(completed.map((line) => line.reqId));
  });

  it('logs each request when debug is true and log_level is not set', async () => {
    const { lines } = await serveOnce({ debug: true });
    expect(named(lines, 'incoming request')).toHaveLength(3);
    expect(named(lines, 'request completed')).toHaveLength(3);
  });

  it('never writes the authorization or cookie header, even at trace', async () => {
    const { text, lines } = await serveOnce({ log_level: 'trace' });
    expect(text).not.toContain('s3cret-token');
    expect(text).not.toContain('c00kie-value');
    const seen = named(lines, 'handler saw headers').map((line) => line.headers);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ authorization: '[Redacted]', cookie: '[Redacted]' });
  });
});

/** A logger of the caller's own (no pino): records each call as `[level, msg]`. */
function recordingLogger(level: 'info' | 'debug', calls: [string, string][]): FastifyBaseLogger {
  const ranks = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
  const make = (): FastifyBaseLogger => {
    const write = (name: keyof typeof ranks) => (first: unknown, second?: unknown) => {
      if (ranks[name] >= ranks[level]) calls.push([name, String(typeof first === 'string' ? first : second)]);
    };
    return {
      level,
      isLevelEnabled: (name: keyof typeof ranks) => ranks[name] >= ranks[level],
      trace: write('trace'),
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      fatal: write('fatal'),
      silent: () => undefined,
      child: () => make(),
    } as unknown as FastifyBaseLogger;
  };
  return make();
}

describe('a logger of your own', () => {
  it('gets the per-request lines at debug, and none when it logs at info', async () => {
    const debugCalls: [string, string][] = [];
    const infoCalls: [string, string][] = [];
    for (const [level, calls] of [
      ['debug', debugCalls],
      ['info', infoCalls],
    ] as const) {
      const router = await makeRouter(project.dir, { logger: recordingLogger(level, calls) });
      await router.app.inject({ method: 'POST', url: '/hello/v1/execute', payload: { data: {} } });
    }
    const requestLines = (calls: [string, string][]) =>
      calls.filter(([, msg]) => msg === 'incoming request' || msg === 'request completed');
    expect(requestLines(debugCalls)).toEqual([
      ['debug', 'incoming request'],
      ['debug', 'request completed'],
    ]);
    expect(requestLines(infoCalls)).toEqual([]);
  });
});
