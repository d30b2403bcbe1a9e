/** `createEngine({ denyPrivateNetworks })`: step calls to loopback are refused at connect time. */
import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { type ApiHarness, useApiHarness } from './harness.js';

interface StepView {
  status: string;
  attempts: number;
  error: { type: string; message: string } | null;
}

/** Publishes a one-step workflow calling `url` and runs it to its end. */
async function runOnce(h: ApiHarness, url: string): Promise<{ status: unknown; step: StepView }> {
  const workflow = {
    name: 'egress',
    default_retry: { total: 0 },
    steps: [{ name: 'call', apispec: { url } }],
  };
  const published = await h.call(h.keys.acmeMember, 'POST', '/v1/workflows', workflow);
  expect(published.status).toBe(201);
  const run = await h.call(
    h.keys.acmeMember,
    'POST',
    `/v1/workflows/${published.body.uid}/runs?wait=true`,
    {},
  );
  expect(run.status).toBe(200);
  return { status: run.body.status, step: (run.body.steps as StepView[])[0] as StepView };
}

describe('with denyPrivateNetworks', () => {
  const h = useApiHarness({ waitLimitMs: 10_000, engine: { denyPrivateNetworks: true } });

  it('fails a step calling 127.0.0.1 with class connect, naming the address, without calling it', async () => {
    h.server.script('/a', [{ status: 200, body: { ok: true } }]);
    const { status, step } = await runOnce(h, h.server.url('/a'));
    expect(status).toBe('failed');
    expect(step.status).toBe('failed');
    expect(step.error?.type).toBe('connect');
    expect(step.error?.message).toContain(
      'SLUICE_EGRESS_DENIED: 127.0.0.1 is a loopback address (127.0.0.0/8), and private networks are denied',
    );
    expect(step.attempts).toBe(1);
    expect(h.server.count('/a')).toBe(0);
  });

  // Refused before a socket exists; net.connect throws here, so nothing could reach those addresses.
  it.each([
    ['http://100.100.100.200/latest/meta-data/', 'a shared address (100.64.0.0/10)'],
    ['http://198.18.0.1/', 'a benchmarking address (198.18.0.0/15)'],
    [
      'http://[2002:a9fe:a9fe::]/',
      'a link-local address (169.254.0.0/16, embedded as 169.254.169.254 in 2002::/16)',
    ],
  ])('fails a step calling %s, naming the range, without opening a socket', async (url, range) => {
    const spy = vi.spyOn(net, 'connect').mockImplementation(() => {
      throw new Error('test: a socket was opened');
    });
    try {
      const { status, step } = await runOnce(h, url);
      expect(status).toBe('failed');
      expect(step.error?.type).toBe('connect');
      expect(step.error?.message).toContain(range);
      expect(step.error?.message).toMatch(/^SLUICE_EGRESS_DENIED: /);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a host name that resolves to loopback (localhost)', async () => {
    h.server.script('/a', [{ status: 200, body: { ok: true } }]);
    const port = new URL(h.server.origin).port;
    const { step } = await runOnce(h, `http://localhost:${port}/a`);
    expect(step.error?.type).toBe('connect');
    expect(step.error?.message).toMatch(/SLUICE_EGRESS_DENIED: localhost resolves to (127\.0\.0\.1|::1)/);
    expect(h.server.count('/a')).toBe(0);
  });
});

describe('without denyPrivateNetworks (the default)', () => {
  const h = useApiHarness({ waitLimitMs: 10_000 });

  it('calls 127.0.0.1', async () => {
    h.server.script('/a', [{ status: 200, body: { ok: true } }]);
    const { status, step } = await runOnce(h, h.server.url('/a'));
    expect([status, step.status, step.error]).toEqual(['succeeded', 'succeeded', null]);
    expect(h.server.count('/a')).toBe(1);
  });
});

describe('with denyPrivateNetworks, the service on loopback', () => {
  const h = useApiHarness({ waitLimitMs: 10_000, listen: true, engine: { denyPrivateNetworks: true } });

  it('still lets a step call the service itself (SYSTEM_APIS.sluice), and nothing else on loopback', async () => {
    const own = await runOnce(h, '{{ SYSTEM_APIS.sluice }}/health');
    expect([own.status, own.step.error]).toEqual(['succeeded', null]);
    h.server.script('/a', [{ status: 200, body: { ok: true } }]);
    const other = await runOnce(h, h.server.url('/a'));
    expect(other.step.error?.message).toContain('SLUICE_EGRESS_DENIED');
  });
});
