/**
 * Names that are special to JavaScript objects, and headers HTTP cannot carry, in real runs against a
 * loopback server (issue 12). Step names such as `constructor` and `toString` are own keys of `STEPS`
 * like any other; `__proto__` is refused at validation (test/workflow/). A header that renders to a
 * value HTTP cannot carry fails its item once, naming the header, and is never sent or retried.
 */
import type { Workflow } from '@sluice/engine';
import { describe, expect, it } from 'vitest';
import { type Harness, oneStep, useEngineHarness } from '../helpers/engine-harness.js';
import type { FlakyServer } from '../helpers/flaky-server.js';

let server: FlakyServer;
let engine: Harness;
useEngineHarness((s, e) => {
  server = s;
  engine = e;
});

describe('step names that Object.prototype also has', () => {
  it.each(['constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
    'passes STEPS.%s.output to a later step, and it is undefined before the step ran',
    async (name) => {
      server.script('/before', [{ status: 200, body: {} }]);
      server.script('/named', [{ status: 200, body: { v: `out-${name}` } }]);
      server.script('/after', [{ status: 200, body: {} }]);
      const workflow: Workflow = {
        name: 'names',
        scope: 'workspace',
        steps: [
          {
            name: 'before',
            apispec: {
              url: server.url('/before'),
              method: 'GET',
              headers: { 'X-Defined': `{{ STEPS.${name} is defined }}` },
            },
          },
          { name, apispec: { url: server.url('/named'), method: 'GET' } },
          {
            name: 'after',
            apispec: {
              url: server.url('/after'),
              method: 'GET',
              headers: {
                'X-Dot': `{{ STEPS.${name}.output.v }}`,
                'X-Index': `{{ STEPS['${name}'].output.v }}`,
              },
            },
          },
        ],
      };
      const { outcome } = await engine.run(workflow);
      expect(outcome).toMatchObject({ status: 'succeeded', error: null });
      expect(server.requests('/before')[0]?.headers['x-defined']).toBe('false');
      const after = server.requests('/after')[0]?.headers;
      expect([after?.['x-dot'], after?.['x-index']]).toEqual([`out-${name}`, `out-${name}`]);
    },
  );
});

describe('a header that renders to what HTTP cannot carry', () => {
  it.each([
    ['a CR LF (header injection)', 'tok\r\nX-Injected: 1', 'a line break (CR or LF)'],
    ['a NUL', 'tok\u0000', 'a NUL character'],
  ])('fails the item once for %s, naming the header, and sends nothing', async (_what, token, found) => {
    server.script('/x', [{ status: 200, body: {} }]);
    // No retry settings: urllib3's Retry(3), which retried the client's refusal 3 times before.
    const workflow = oneStep(server.url('/x'), {
      apispec: { url: server.url('/x'), method: 'GET', headers: { 'X-Token': '{{ INPUT.token }}' } },
    });
    const { outcome, record } = await engine.run(workflow, { input: { token } });
    const message =
      `steps.call.apispec.headers: the value of header X-Token contains ${found} once rendered, ` +
      'which an HTTP header value cannot hold; the request was not sent';
    expect(outcome).toMatchObject({ status: 'failed', error: { type: 'other', message } });
    // Nothing was sent, so no attempt is counted (as for a template error), and nothing waited to retry.
    expect(record.steps[0]).toMatchObject({
      status: 'failed',
      attempts: 0,
      error: { type: 'other', message },
    });
    expect(server.count('/x')).toBe(0);
    expect(engine.waits).toEqual([]);
  });

  it('fails the item for a header name rendered from a template string', async () => {
    server.script('/x', [{ status: 200, body: {} }]);
    const workflow = oneStep(server.url('/x'), {
      apispec: { url: server.url('/x'), method: 'GET', headers: '{{ INPUT.headers }}' },
    });
    const { outcome, record } = await engine.run(workflow, { input: { headers: { 'X\r\nY': 'v' } } });
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { message: expect.stringContaining('"X\\r\\nY" is not an HTTP header name') },
    });
    expect(record.steps[0]).toMatchObject({ attempts: 0 });
    expect(server.count('/x')).toBe(0);
  });
});
