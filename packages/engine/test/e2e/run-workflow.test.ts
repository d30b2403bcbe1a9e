import { readFileSync } from 'node:fs';
import { getRunRecord, REDACTED, type Workflow } from '@sluice/engine';
import type { Logger } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { type Harness, oneStep, useEngineHarness } from '../helpers/engine-harness.js';
import type { FlakyServer } from '../helpers/flaky-server.js';

let server: FlakyServer;
let engine: Harness;
useEngineHarness((s, e) => {
  server = s;
  engine = e;
});

const ok = (body: unknown, delayMs?: number) => ({
  status: 200,
  body: body as object,
  ...(delayMs === undefined ? {} : { delayMs }),
});

describe('runWorkflow', () => {
  it('runs the steps in order, passing outputs through STEPS, and records the run', async () => {
    server.script('/auth', [ok({ token: 'tok-123456789' })]);
    server.script('/me', [ok({ name: 'Ann' })]);
    const workflow: Workflow = {
      name: 'chain',
      scope: 'workspace',
      steps: [
        {
          name: 'auth',
          apispec: { url: server.url('/auth'), method: 'POST', json_body: { user: '{{ INPUT.user }}' } },
        },
        {
          name: 'me',
          apispec: {
            url: server.url('/me'),
            method: 'GET',
            headers: { 'X-Token': '{{ STEPS.auth.output.token }}' },
            params: { run: '{{ RUN.id }}', wf: '{{ WORKFLOW.name }}', api: '{{ SYSTEM_APIS.x }}' },
          },
        },
      ],
    };
    const { outcome, record } = await engine.run(workflow, {
      input: { user: 'ann' },
      systemApis: { x: 'X' },
    });
    expect(outcome).toEqual({ id: record.id, status: 'succeeded', error: null });
    expect(JSON.parse(server.requests('/auth')[0]?.body ?? '')).toEqual({ user: 'ann' });
    const me = server.requests('/me')[0];
    expect(me?.headers['x-token']).toBe('tok-123456789');
    expect(Object.fromEntries(me?.query ?? [])).toEqual({ run: record.id, wf: 'chain', api: 'X' });
    expect(record).toMatchObject({
      id: outcome.id,
      status: 'succeeded',
      workflow: 'chain',
      input: { user: 'ann' },
      error: null,
      steps: [
        {
          name: 'auth',
          status: 'succeeded',
          attempts: 1,
          output: { token: REDACTED },
          error: null,
          items: [],
        },
        { name: 'me', status: 'succeeded', attempts: 1, output: { name: 'Ann' }, error: null, items: [] },
      ],
    });
    expect(record.steps[0]?.history).toHaveLength(1);
    expect(engine.events.map((e) => e.type)).toEqual([
      'run-started',
      'step-started',
      'item-finished',
      'step-finished',
      'step-started',
      'item-finished',
      'step-finished',
      'run-finished',
    ]);
  });

  it('fails the run at a failed step with the last status and the start of the body; later steps are skipped', async () => {
    server.script('/fail-1', [ok({})]);
    server.script('/fail-2', [{ status: 422, body: `{"error": "bad ${'x'.repeat(2000)}"}` }]);
    const workflow: Workflow = {
      name: 'fails',
      scope: 'workspace',
      steps: [
        { name: 'one', apispec: { url: server.url('/fail-1'), method: 'GET' } },
        { name: 'two', apispec: { url: server.url('/fail-2'), method: 'POST' } },
        { name: 'three', apispec: { url: server.url('/fail-1'), method: 'GET' } },
      ],
    };
    const { outcome, record } = await engine.run(workflow);
    expect(outcome.status).toBe('failed');
    expect(record.status).toBe('failed');
    expect(record.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'skipped']);
    expect(record.steps[1]?.error).toMatchObject({ type: 'status', status: 422 });
    expect(record.error?.message).toMatch(/^steps\.two: POST http:\/\/127\.0\.0\.1:\d+\/fail-2 answered 422/);
    expect(record.error?.body).toHaveLength(1024);
    expect(record.error?.body?.startsWith('{"error": "bad xxx')).toBe(true);
    expect(server.count('/fail-1')).toBe(1);
  });

  it('fails a step on a template error, naming the template, its position and the missing name', async () => {
    const workflow: Workflow = {
      name: 'tpl',
      scope: 'workspace',
      steps: [
        {
          name: 'first',
          apispec: { url: server.url('/never'), method: 'GET', params: { id: '{{ INPUT.missing.id }}' } },
        },
        { name: 'second', apispec: { url: server.url('/never'), method: 'GET' } },
      ],
    };
    const { record } = await engine.run(workflow, { input: {} });
    expect(record.status).toBe('failed');
    expect(record.steps.map((s) => s.status)).toEqual(['failed', 'skipped']);
    const error = record.steps[0]?.error;
    expect(error?.type).toBe('template');
    expect(error?.message).toContain('steps.first.apispec.params.id');
    expect(error?.message).toContain('missing');
    expect(error?.message).toContain('{{ INPUT.missing.id }}');
    expect(error?.message).toMatch(/line 1/);
    expect(server.count('/never')).toBe(0);
  });

  it('fails a step whose input template fails before any call', async () => {
    const workflow: Workflow = {
      name: 'tpl-input',
      scope: 'workspace',
      steps: [
        {
          name: 's',
          input: '{{ STEPS.nope.output }}',
          apispec: { url: server.url('/never'), method: 'GET' },
        },
      ],
    };
    const { record } = await engine.run(workflow);
    expect(record.steps[0]).toMatchObject({ status: 'failed', attempts: 0, error: { type: 'template' } });
    expect(record.steps[0]?.error?.message).toContain('steps.s.input');
  });

  it('fails an item whose output template fails after the call, keeping its attempts', async () => {
    server.script('/out', [ok({ a: 1 })]);
    const { record } = await engine.run(
      oneStep(server.url('/out'), { output: '{{ CURRENT_STEP.response.body.b.c }}' }),
    );
    expect(record.steps[0]).toMatchObject({ status: 'failed', attempts: 1, error: { type: 'template' } });
    expect(record.steps[0]?.error?.message).toContain('steps.call.output');
    expect(record.steps[0]?.history).toHaveLength(1);
  });

  it('sends data as a form or raw, json_body as JSON, and the rendered headers and query', async () => {
    server.script('/form', [ok({})]);
    server.script('/raw', [ok({})]);
    server.script('/json', [ok({})]);
    const workflow: Workflow = {
      name: 'bodies-out',
      scope: 'workspace',
      steps: [
        {
          name: 'form',
          apispec: {
            url: server.url('/form'),
            method: 'post',
            data: { name: '{{ INPUT.name }}', tags: ['a', 'b'] },
          },
        },
        {
          name: 'raw',
          apispec: {
            url: server.url('/raw'),
            method: 'PUT',
            data: '<x>{{ INPUT.name }}</x>',
            headers: { 'Content-Type': 'application/xml' },
          },
        },
        {
          name: 'json',
          apispec: {
            url: server.url('/json'),
            method: 'patch',
            json_body: { n: '{{ INPUT.n }}', list: '{{ [1, 2] }}' },
            headers: { 'X-Count': '{{ INPUT.n }}' },
            params: { q: 'a b' },
          },
        },
      ],
    };
    const { record } = await engine.run(workflow, { input: { name: 'Ann Lee', n: 3 } });
    expect(record.status).toBe('succeeded');
    const form = server.requests('/form')[0];
    expect([form?.method, form?.headers['content-type'], form?.body]).toEqual([
      'POST',
      'application/x-www-form-urlencoded',
      'name=Ann+Lee&tags%5B%5D=a&tags%5B%5D=b',
    ]);
    const raw = server.requests('/raw')[0];
    expect([raw?.method, raw?.headers['content-type'], raw?.body]).toEqual([
      'PUT',
      'application/xml',
      '<x>Ann Lee</x>',
    ]);
    const json = server.requests('/json')[0];
    expect([
      json?.method,
      json?.headers['content-type'],
      json?.headers['x-count'],
      json?.query.get('q'),
    ]).toEqual(['PATCH', 'application/json', '3', 'a b']);
    expect(JSON.parse(json?.body ?? '')).toEqual({ n: 3, list: [1, 2] });
  });

  it('parses JSON bodies by content type and keeps other bodies as text', async () => {
    server.script('/text', [
      { status: 200, body: '{"looks": "like json"}', headers: { 'content-type': 'text/plain' } },
    ]);
    server.script('/json', [
      { status: 200, body: '{"a": 1}', headers: { 'content-type': 'application/problem+json' } },
    ]);
    const workflow: Workflow = {
      name: 'bodies',
      scope: 'workspace',
      steps: [
        { name: 'text', apispec: { url: server.url('/text'), method: 'GET' } },
        { name: 'json', apispec: { url: server.url('/json'), method: 'GET' } },
      ],
    };
    const { record } = await engine.run(workflow);
    expect(record.steps.map((s) => s.output)).toEqual(['{"looks": "like json"}', { a: 1 }]);
  });

  it('redacts secrets in everything it stores and logs', async () => {
    const token = 'user-token-abcdef123';
    const password = 'hunter2-password';
    server.script('/secret', [ok({ access_token: 'issued-token-9876543', echoed: token })]);
    server.script('/after', [{ status: 500, body: `bad token issued-token-9876543 for ${token}` }]);
    const lines: unknown[] = [];
    const logger: Logger = {
      debug: (...args: unknown[]) => lines.push(args),
      info: (...args: unknown[]) => lines.push(args),
      warn: (...args: unknown[]) => lines.push(args),
      error: (...args: unknown[]) => lines.push(args),
      child: () => logger,
    };
    const workflow: Workflow = {
      name: 'secrets',
      scope: 'workspace',
      steps: [
        {
          name: 'login',
          apispec: {
            url: server.url('/secret'),
            method: 'POST',
            headers: { Authorization: 'Bearer {{ USER.token }}' },
            params: { api_token: '{{ USER.token }}' },
            json_body: { password: '{{ INPUT.password }}' },
          },
        },
        {
          name: 'use',
          apispec: {
            url: server.url('/after'),
            method: 'GET',
            params: { t: '{{ STEPS.login.output.access_token }}', u: '{{ USER.token }}' },
          },
        },
      ],
    };
    const { record } = await engine.run(workflow, { user: { token }, input: { password }, logger });
    expect(server.requests('/secret')[0]?.headers.authorization).toBe(`Bearer ${token}`);
    const stored = JSON.stringify(record) + JSON.stringify(await engine.store.runs.listStepItems(record.id));
    const logged = JSON.stringify(lines);
    const database = readFileSync(engine.file, 'latin1') + readFileSync(`${engine.file}-wal`, 'latin1');
    for (const secret of [token, password, 'issued-token-9876543']) {
      expect(stored).not.toContain(secret);
      expect(logged).not.toContain(secret);
      expect(database).not.toContain(secret);
    }
    expect(record.input).toEqual({ password: REDACTED });
    expect(record.error?.message).toContain(`u=${REDACTED}`);
    expect(record.error?.body).toBe(`bad token ${REDACTED} for ${REDACTED}`);
    expect(lines.length).toBeGreaterThan(0);
  });

  it('stores a long wait as the run resume time while it waits, and clears it after', async () => {
    server.script('/long', [{ status: 503, headers: { 'retry-after': '30' } }, { status: 200 }]);
    let during: string | null | undefined;
    const { record } = await engine.run(oneStep(server.url('/long')), {
      runId: 'run-long',
      sleep: async () => {
        during = (await engine.store.runs.getRun('run-long'))?.resume_at;
      },
    });
    expect(during).toBe(new Date(Date.parse('2024-05-01T12:00:30Z')).toISOString());
    expect(record).toMatchObject({ status: 'succeeded', resume_at: null });
  });

  it('records a cancelled run and rejects with the signal reason', async () => {
    server.script('/hang', [{ hang: true }]);
    const controller = new AbortController();
    const running = engine.run(oneStep(server.url('/hang')), {
      runId: 'run-cancel',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stop now')), 50);
    await expect(running).rejects.toThrow('stop now');
    const record = await getRunRecord(engine.store.runs, 'run-cancel');
    expect(record.status).toBe('cancelled');
    expect(record.steps[0]?.status).toBe('failed');
  });
});
