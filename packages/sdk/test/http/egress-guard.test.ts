/** The egress guard: which addresses are refused, and the transport refusing them at connect time. */
import net from 'node:net';
import tls from 'node:tls';
import { HttpTransportError } from '@sluice/sdk';
import { createUndiciTransport } from '@sluice/sdk/internal';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deniedRange } from '../../src/http/egress-guard.js';
import { type DeniedRange, deniedBlock } from '../../src/http/special-addresses.js';
import { type LoopbackServer, startServer } from './loopback-server.js';

/**
 * Addresses and how the guard judges them: the range, and the block it names (`undefined`: let through).
 * One row per entry of the table in `special-addresses.ts`, its edges, and public neighbours.
 */
const ADDRESSES: readonly [address: string, range: DeniedRange | undefined, cidr?: string][] = [
  // IPv4 special-purpose registry
  ['0.0.0.0', 'unspecified', '0.0.0.0/8'],
  ['0.255.255.255', 'unspecified', '0.0.0.0/8'],
  ['10.0.0.0', 'private', '10.0.0.0/8'],
  ['10.255.255.255', 'private', '10.0.0.0/8'],
  ['100.64.0.0', 'shared', '100.64.0.0/10'],
  ['100.100.100.200', 'shared', '100.64.0.0/10'],
  ['100.127.255.255', 'shared', '100.64.0.0/10'],
  ['127.0.0.1', 'loopback', '127.0.0.0/8'],
  ['127.255.0.9', 'loopback', '127.0.0.0/8'],
  ['169.254.169.254', 'link-local', '169.254.0.0/16'],
  ['172.16.0.1', 'private', '172.16.0.0/12'],
  ['172.31.255.255', 'private', '172.16.0.0/12'],
  ['192.0.0.1', 'protocol', '192.0.0.0/24'],
  ['192.0.0.9', 'protocol', '192.0.0.0/24'], // PCP anycast: globally reachable, refused all the same
  ['192.0.0.170', 'protocol', '192.0.0.0/24'],
  ['192.0.2.1', 'documentation', '192.0.2.0/24'],
  ['192.88.99.1', 'reserved', '192.88.99.0/24'],
  ['192.168.1.1', 'private', '192.168.0.0/16'],
  ['198.18.0.1', 'benchmarking', '198.18.0.0/15'],
  ['198.19.255.255', 'benchmarking', '198.18.0.0/15'],
  ['198.51.100.7', 'documentation', '198.51.100.0/24'],
  ['203.0.113.9', 'documentation', '203.0.113.0/24'],
  ['240.0.0.1', 'reserved', '240.0.0.0/4'],
  ['255.255.255.254', 'reserved', '240.0.0.0/4'],
  ['255.255.255.255', 'broadcast', '255.255.255.255/32'],
  ['224.0.0.1', 'multicast', '224.0.0.0/4'],
  ['239.255.255.250', 'multicast', '224.0.0.0/4'],
  // IPv4 neighbours that are public
  ['8.8.8.8', undefined],
  ['1.1.1.1', undefined],
  ['9.255.255.255', undefined],
  ['11.0.0.1', undefined],
  ['100.63.255.255', undefined],
  ['100.128.0.0', undefined],
  ['126.255.255.255', undefined],
  ['128.0.0.1', undefined],
  ['169.253.255.255', undefined],
  ['169.255.0.1', undefined],
  ['172.15.255.255', undefined],
  ['172.32.0.1', undefined],
  ['192.0.1.1', undefined],
  ['192.0.3.1', undefined],
  ['192.31.196.1', undefined], // AS112-v4: globally reachable
  ['192.52.193.1', undefined], // AMT: globally reachable
  ['192.169.0.1', undefined],
  ['192.175.48.1', undefined], // AS112 direct delegation: globally reachable
  ['198.17.255.255', undefined],
  ['198.20.0.0', undefined],
  ['223.255.255.255', undefined],
  // IPv6 special-purpose registry
  ['::', 'unspecified', '::/128'],
  ['::1', 'loopback', '::1/128'],
  ['0:0:0:0:0:0:0:1', 'loopback', '::1/128'],
  ['::2', 'reserved', '::/96'], // IPv4-compatible (deprecated)
  ['::7f00:1', 'reserved', '::/96'],
  ['64:ff9b:1::1', 'translation', '64:ff9b:1::/48'],
  ['100::1', 'discard', '100::/64'],
  ['100:0:0:1::1', 'discard', '100:0:0:1::/64'],
  ['2001::1', 'protocol', '2001::/23'], // Teredo
  ['2001:1::1', 'protocol', '2001::/23'], // PCP anycast: globally reachable, refused all the same
  ['2001:1ff:ffff::1', 'protocol', '2001::/23'],
  ['2001:2::1', 'benchmarking', '2001:2::/48'],
  ['2001:db8::1', 'documentation', '2001:db8::/32'],
  ['2001:DB8:FFFF::1', 'documentation', '2001:db8::/32'],
  ['3fff::1', 'documentation', '3fff::/20'],
  ['3fff:fff:ffff::1', 'documentation', '3fff::/20'],
  ['5f00::1', 'segment-routing', '5f00::/16'],
  ['fc00::1', 'private', 'fc00::/7'],
  ['fdab:1234::9', 'private', 'fc00::/7'],
  ['fe80::1', 'link-local', 'fe80::/10'],
  ['FE80::abcd', 'link-local', 'fe80::/10'],
  ['fe80::1%eth0', 'link-local', 'fe80::/10'],
  ['febf::1', 'link-local', 'fe80::/10'],
  ['fec0::1', 'reserved', 'fec0::/10'], // site-local (deprecated)
  ['ff02::1', 'multicast', 'ff00::/8'],
  // IPv6 neighbours that are public
  ['2001:4860:4860::8888', undefined],
  ['2001:200::1', undefined],
  ['2001:db7:ffff::1', undefined],
  ['2001:db9::1', undefined],
  ['2003::1', undefined],
  ['2606:4700::1111', undefined],
  ['3ffe::1', undefined],
  ['3fff:1000::1', undefined],
  ['5f01::1', undefined],
  ['64:ff9b:2::1', undefined],
  // embedded IPv4: judged by the IPv4 address
  ['::ffff:127.0.0.1', 'loopback', '127.0.0.0/8'],
  ['::ffff:7f00:2', 'loopback', '127.0.0.0/8'],
  ['0:0:0:0:0:ffff:127.0.0.1', 'loopback', '127.0.0.0/8'],
  ['::ffff:192.168.1.1', 'private', '192.168.0.0/16'],
  ['::ffff:169.254.169.254', 'link-local', '169.254.0.0/16'],
  ['::ffff:100.100.100.200', 'shared', '100.64.0.0/10'],
  ['::ffff:0.0.0.0', 'unspecified', '0.0.0.0/8'],
  ['64:ff9b::127.0.0.1', 'loopback', '127.0.0.0/8'],
  ['64:ff9b::a9fe:a9fe', 'link-local', '169.254.0.0/16'],
  ['2002:7f00:1::', 'loopback', '127.0.0.0/8'],
  ['2002:a00:1:1::5', 'private', '10.0.0.0/8'],
  ['2002:c000:201::1', 'documentation', '192.0.2.0/24'],
  ['::ffff:8.8.8.8', undefined],
  ['64:ff9b::808:808', undefined],
  ['2002:808:808::1', undefined],
  // not IP literals: judged after DNS
  ['example.com', undefined],
  ['localhost', undefined],
];

describe('deniedBlock and deniedRange', () => {
  it.each(ADDRESSES)('%s: %s %s', (address, range, cidr) => {
    expect(deniedRange(address)).toBe(range);
    expect(deniedBlock(address)?.cidr).toBe(cidr);
  });

  it('names the IPv6 block an embedded IPv4 address came through', () => {
    expect(deniedBlock('2002:7f00:1::')).toEqual({
      range: 'loopback',
      cidr: '127.0.0.0/8',
      via: '2002::/16',
      embedded: '127.0.0.1',
    });
    expect(deniedBlock('::ffff:7f00:2')).toMatchObject({ via: '::ffff:0:0/96', embedded: '127.0.0.2' });
    expect(deniedBlock('64:ff9b::a9fe:a9fe')).toMatchObject({
      via: '64:ff9b::/96',
      embedded: '169.254.169.254',
    });
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
      `SLUICE_EGRESS_DENIED: 127.0.0.1 is a loopback address (127.0.0.0/8), and private networks are denied (GET ${server.origin}/x)`,
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

  // Only loopback may see traffic in tests: every other address is refused before a socket exists,
  // and net.connect / tls.connect throw here, so a guard that let one through could not send a packet.
  it.each([
    ['http://[::1]:9/', '::1 is a loopback address (::1/128)'],
    [
      'http://[::ffff:127.0.0.1]:9/',
      '::ffff:7f00:1 is a loopback address (127.0.0.0/8, embedded as 127.0.0.1 in ::ffff:0:0/96)',
    ],
    ['https://169.254.169.254/latest/meta-data', '169.254.169.254 is a link-local address (169.254.0.0/16)'],
    ['http://100.100.100.200/latest/meta-data', '100.100.100.200 is a shared address (100.64.0.0/10)'],
    ['http://10.0.0.1:9/', '10.0.0.1 is a private address (10.0.0.0/8)'],
    ['http://198.18.0.1/', '198.18.0.1 is a benchmarking address (198.18.0.0/15)'],
    ['http://192.0.0.9/', '192.0.0.9 is a protocol address (192.0.0.0/24)'],
    ['http://0x7f.1/', '127.0.0.1 is a loopback address (127.0.0.0/8)'],
    ['http://2130706433/', '127.0.0.1 is a loopback address (127.0.0.0/8)'],
    ['http://[fd00::1]/', 'fd00::1 is a private address (fc00::/7)'],
    [
      'http://[2002:a9fe:a9fe::1]/',
      '2002:a9fe:a9fe::1 is a link-local address (169.254.0.0/16, embedded as 169.254.169.254 in 2002::/16)',
    ],
    [
      'http://[64:ff9b::a9fe:a9fe]/',
      '64:ff9b::a9fe:a9fe is a link-local address (169.254.0.0/16, embedded as 169.254.169.254 in 64:ff9b::/96)',
    ],
    ['http://[ff02::1]/', 'ff02::1 is a multicast address (ff00::/8)'],
    ['http://255.255.255.255/', '255.255.255.255 is a broadcast address (255.255.255.255/32)'],
  ])('refuses %s in the connect hook, without opening a socket', async (url, message) => {
    const sockets = [
      vi.spyOn(net, 'connect').mockImplementation(() => {
        throw new Error('test: a socket was opened');
      }),
      vi.spyOn(tls, 'connect').mockImplementation(() => {
        throw new Error('test: a TLS socket was opened');
      }),
    ];
    try {
      const err = await failure(url);
      expect(err.kind).toBe('connect');
      expect(err.message).toBe(
        `SLUICE_EGRESS_DENIED: ${message}, and private networks are denied (GET ${url})`,
      );
      for (const spy of sockets) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of sockets) spy.mockRestore();
    }
  });

  it('would see a socket being opened (the spy above catches the unguarded transport on loopback)', async () => {
    const spy = vi.spyOn(net, 'connect').mockImplementation(() => {
      throw new Error('test: a socket was opened');
    });
    try {
      const err = await open.send({ method: 'GET', url: `${server.origin}/spy`, headers: {} }, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HttpTransportError);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('leaves the default transport open to loopback', async () => {
    const res = await open.send({ method: 'GET', url: `${server.origin}/x`, headers: {} }, {});
    expect(res.status).toBe(200);
    expect(server.received).toHaveLength(1);
  });
});
