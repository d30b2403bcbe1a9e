/**
 * The egress guard of `createUndiciTransport({ denyPrivateNetworks: true })`: connections to loopback,
 * private, link-local and unspecified addresses (IPv4, IPv6 and IPv4-mapped IPv6) are refused. The
 * check runs on the address the socket is about to connect to, after DNS, so a public name that
 * resolves to `127.0.0.1` is refused as well as the literal.
 *
 * @internal
 * @module
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { buildConnector } from 'undici';

/** Why an address is refused. */
export type DeniedRange = 'loopback' | 'private' | 'link-local' | 'unspecified';

/** The error code the guard's failures carry (the engine's `SLUICE_EGRESS_DENIED`). */
export const EGRESS_DENIED = 'SLUICE_EGRESS_DENIED';

function blockList(v4: [string, number][], v6: [string, number][]): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return list;
}

// BlockList matches IPv4-mapped IPv6 (`::ffff:127.0.0.1`) against the IPv4 subnets.
const RANGES: readonly [DeniedRange, BlockList][] = [
  ['loopback', blockList([['127.0.0.0', 8]], [['::1', 128]])],
  [
    'private',
    blockList(
      [
        ['10.0.0.0', 8],
        ['172.16.0.0', 12],
        ['192.168.0.0', 16],
      ],
      [['fc00::', 7]],
    ),
  ],
  ['link-local', blockList([['169.254.0.0', 16]], [['fe80::', 10]])],
  // 0.0.0.0 (and the rest of 0/8) reaches the local host on Linux.
  ['unspecified', blockList([['0.0.0.0', 8]], [['::', 128]])],
];

/** The range that makes `address` (an IP literal) refused, or `undefined` when it may be reached. */
export function deniedRange(address: string): DeniedRange | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [range, list] of RANGES) if (list.check(address, type)) return range;
  return undefined;
}

/** A refused connection: `code` is {@link EGRESS_DENIED}; the transport reports it as a connect error. */
export class EgressDeniedError extends Error {
  readonly code = EGRESS_DENIED;

  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: DeniedRange,
  ) {
    const resolved = host === address ? `${address} is` : `${host} resolves to ${address},`;
    super(`${EGRESS_DENIED}: ${resolved} a ${range} address, and private networks are denied`);
    this.name = 'EgressDeniedError';
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** `dns.lookup`, then refuses the answer when any of its addresses is in a denied range. */
function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err !== null) return callback(err, []);
    for (const { address } of addresses) {
      const range = deniedRange(address);
      if (range !== undefined) return callback(new EgressDeniedError(hostname, address, range), []);
    }
    if (options.all === true) return callback(null, addresses);
    const first = addresses[0];
    if (first === undefined)
      return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}

/** Options of {@link guardedConnector}. */
export interface GuardOptions {
  /**
   * Origins (`host:port`, as the URL names them) reached even when their address is denied: the
   * service's own API, so a step can call `SYSTEM_APIS.credentials` on a loopback service. Read at each
   * connect, so the list may change once the service knows its address.
   */
  readonly allowed?: () => Iterable<string>;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/**
 * An undici `connect` function that refuses denied addresses: IP literals before connecting, names
 * through a DNS lookup that checks every address it returns. Allowed origins connect unchecked.
 */
export function guardedConnector(
  options: buildConnector.BuildOptions = {},
  guard: GuardOptions = {},
): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: guardedLookup } as buildConnector.BuildOptions);
  const plain = buildConnector(options);
  return (opts, callback) => {
    if (guard.allowed !== undefined) {
      const port = opts.port === '' || opts.port === undefined ? DEFAULT_PORTS[opts.protocol] : opts.port;
      const origin = `${opts.hostname}:${port}`;
      for (const allowed of guard.allowed()) {
        if (allowed === origin) {
          plain(opts, callback);
          return;
        }
      }
    }
    const range = deniedRange(opts.hostname);
    if (range !== undefined) {
      callback(new EgressDeniedError(opts.hostname, opts.hostname, range), null);
      return;
    }
    connect(opts, callback);
  };
}
