/**
 * The egress guard of `createUndiciTransport({ denyPrivateNetworks: true })`: connections to every
 * address that is not globally reachable (loopback, private, link-local, carrier-grade NAT,
 * documentation, benchmarking, reserved, multicast, ...: the table in `special-addresses.ts`, from the
 * IANA special-purpose registries) are refused, IPv4 and IPv6 alike; IPv4-mapped, NAT64 and 6to4
 * addresses are judged by the IPv4 address they embed. The check runs on the address the socket is
 * about to connect to, after DNS, so a public name that resolves to `127.0.0.1` is refused as well as
 * the literal.
 *
 * @internal
 * @module
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { buildConnector } from 'undici';
import { type DeniedBlock, type DeniedRange, deniedBlock } from './special-addresses.js';

/** The error code the guard's failures carry (the engine's `SLUICE_EGRESS_DENIED`). */
export const EGRESS_DENIED = 'SLUICE_EGRESS_DENIED';

/** The kind of block that makes `address` (an IP literal) refused, or `undefined` when it may be reached. */
export function deniedRange(address: string): DeniedRange | undefined {
  return deniedBlock(address)?.range;
}

/** A refused connection: `code` is {@link EGRESS_DENIED}; the transport reports it as a connect error. */
export class EgressDeniedError extends Error {
  readonly code = EGRESS_DENIED;

  readonly range: DeniedRange;

  constructor(
    readonly host: string,
    readonly address: string,
    readonly block: DeniedBlock,
  ) {
    const resolved = host === address ? `${address} is` : `${host} resolves to ${address},`;
    const where =
      block.via === undefined ? block.cidr : `${block.cidr}, embedded as ${block.embedded} in ${block.via}`;
    super(
      `${EGRESS_DENIED}: ${resolved} a ${block.range} address (${where}), and private networks are denied`,
    );
    this.name = 'EgressDeniedError';
    this.range = block.range;
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
      const block = deniedBlock(address);
      if (block !== undefined) return callback(new EgressDeniedError(hostname, address, block), []);
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
    const block = deniedBlock(opts.hostname);
    if (block !== undefined) {
      callback(new EgressDeniedError(opts.hostname, opts.hostname, block), null);
      return;
    }
    connect(opts, callback);
  };
}
