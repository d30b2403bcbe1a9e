/**
 * Runs the example service as a user would (`main.ts`, its app_config.yaml, on port 0) and calls its
 * routes over HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess;
let base = '';

beforeAll(async () => {
  child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'main.ts'], {
    cwd: DIR,
    env: {
      ...process.env,
      SLUICE_PORT: '0',
      SLUICE_HOST: '127.0.0.1',
      ENVIRONMENT: 'dev',
      SLUICE_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += String(chunk);
  });
  // pino logs one JSON object per line; Fastify logs the address it listens on.
  for await (const chunk of child.stdout ?? []) {
    output += String(chunk);
    const listening = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
    if (listening?.[1] !== undefined) {
      base = listening[1];
      break;
    }
  }
  if (base === '') throw new Error(`the service did not start:\n${output}`);
});

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
});

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('examples/hello-service', () => {
  it('greets on POST /hello/v1/execute', async () => {
    expect(await post('/hello/v1/execute', { data: { name: 'Ada' } })).toEqual({
      status: 200,
      body: { data: { message: 'Hello, Ada!' } },
    });
    expect((await post('/hello/v1/execute', {})).body).toEqual({ data: { message: 'Hello, World!' } });
  });

  it('validates the hello data with schema.json', async () => {
    const res = await post('/hello/v1/execute', { data: { name: 42 } });
    expect(res.status).toBe(400);
    expect(res.body.data).toEqual({ errors: [{ path: 'data.name', message: 'must be string' }] });
  });

  it('sends a message with credentials, and answers ManagedErrors with their status', async () => {
    const credentials = { connection_data: { value: { api_key: 'k' } } };
    expect(
      await post('/send_message/v1/execute', { data: { channel: 'general', text: 'hi' }, credentials }),
    ).toEqual({
      status: 200,
      body: { data: { channel: 'general', text: 'hi', sent: true } },
    });
    const noKey = await post('/send_message/v1/execute', { data: { channel: 'general', text: 'hi' } });
    expect([noKey.status, noKey.body.error]).toEqual([401, 'credentials.api_key is missing']);
    const channel = await post('/send_message/v1/execute', {
      data: { channel: 'nope', text: 'hi' },
      credentials,
    });
    expect([channel.status, channel.body.error]).toEqual([404, 'Channel not found: nope']);
  });

  it('has the built-in endpoints', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ data: { status: 'healthy' } });
    const routes = (await (await fetch(`${base}/routes`)).json()) as { data: { routes: { url: string }[] } };
    expect(routes.data.routes.map((r) => r.url)).toEqual([
      '/hello/v1/schema',
      '/hello/v1/execute',
      '/send_message/v1/execute',
    ]);
    const docs = (await (await fetch(`${base}/openapi.json`)).json()) as { info: { title: string } };
    expect(docs.info.title).toBe('Hello Service');
  });
});
