/** The egress guard: which addresses are refused, and the transport refusing them at connect time. */
import { HttpTransportError } from '@sluice/sdk';
import { createUndiciTransport } from '@sluice/sdk/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deniedRange } from '../../src/http/egress-guard.js';
import { type LoopbackServer, startServer } from './loopback-server.js';

describe('deniedRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:2', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fdab:1234::9', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['FE80::abcd', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
  ])('refuses %s as %s', (address, range) => {
    expect(deniedRange(address)).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '172.15.255.255',
    '172.32.0.1',
    '192.169.0.1',
    '169.255.0.1',
    '11.0.0.1',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    'fec0::1',
    'example.com',
  ])('lets %s through', (address) => {
    expect(deniedRange(address)).toBeUndefined();
  });
});

describe('createUndiciTransport({ denyPrivateNetworks: true })', () => {
  let server: LoopbackServer;
  const guarded = createUndiciTransport({ denyPrivateNetworks: true });
  const open = createUndiciTransport();
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await Promise.all([guarded.close?.(), open.close?.(), server.close()]);
  });

  const failure = async (url: string): Promise<HttpTransportError> => {
    const err = await guarded.send({ method: 'GET', url, headers: {} }, {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HttpTransportError);
    return err as HttpTransportError;
  };

  it('refuses an IP literal on loopback as a connect error, before any byte is sent', async () => {
    const err = await failure(`${server.origin}/x`);
    expect(err.kind).toBe('connect');
    expect(err.code).toBe('SLUICE_HTTP_CONNECT');
    expect(err.message).toBe(
      `SLUICE_EGRESS_DENIED: 127.0.0.1 is a loopback address, and private networks are denied (GET ${server.origin}/x)`,
    );
    expect(err.hint).toMatch(/public address/);
    expect(server.received).toHaveLength(0);
  });

  it('refuses a host name that resolves to loopback, naming the host and the address', async () => {
    const port = new URL(server.origin).port;
    const err = await failure(`http://localhost:${port}/x`);
    expect(err.kind).toBe('connect');
    expect(err.message).toMatch(
      /^SLUICE_EGRESS_DENIED: localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
    );
    expect(server.received).toHaveLength(0);
  });

  it('refuses IPv6 and IPv4-mapped literals, and https too', async () => {
    expect((await failure('http://[::1]:9/')).message).toContain('::1 is a loopback address');
    expect((await failure('http://[::ffff:127.0.0.1]:9/')).message).toContain('is a loopback address');
    expect((await failure('https://169.254.169.254/latest/meta-data')).message).toContain(
      '169.254.169.254 is a link-local address',
    );
    expect((await failure('http://10.0.0.1:9/')).message).toContain('10.0.0.1 is a private address');
  });

  it('leaves the default transport open to loopback', async () => {
    const res = await open.send({ method: 'GET', url: `${server.origin}/x`, headers: {} }, {});
    expect(res.status).toBe(200);
    expect(server.received).toHaveLength(1);
  });
});
