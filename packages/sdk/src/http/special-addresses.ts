/**
 * The address blocks the egress guard refuses: ONE table, taken from the IANA IPv4 and IPv6
 * Special-Purpose Address Registries (RFC 6890; iana-ipv4-special-registry and
 * iana-ipv6-special-registry, as of 2025), every entry whose "Globally Reachable" is False, plus
 * multicast (the IANA multicast registries) and a few deprecated blocks named below. Three blocks
 * embed an IPv4 address (IPv4-mapped, NAT64, 6to4): those are judged by the address they embed.
 *
 * Globally reachable exceptions inside a refused block (192.0.0.9/32 and 192.0.0.10/32, the PCP and
 * TURN anycast addresses; in 2001::/23, the PCP, TURN and DNS-SD SRP anycast addresses, AMT
 * 2001:3::/32, AS112 2001:4:112::/48, ORCHIDv2 2001:20::/28 and DETs 2001:30::/28) stay refused: none
 * serves HTTP to a step, and Teredo (2001::/32) embeds an address we cannot vouch for.
 *
 * @internal
 * @module
 */
import { isIP } from 'node:net';

/** Why an address is refused: the kind of block it is in. */
export type DeniedRange =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  /** Shared Address Space (carrier-grade NAT; 100.100.100.200 is a cloud metadata address). */
  | 'shared'
  /** IETF protocol assignments (192.0.0.0/24, 2001::/23). */
  | 'protocol'
  | 'documentation'
  | 'benchmarking'
  /** Reserved for future use, or deprecated (240.0.0.0/4, IPv4-compatible IPv6, site-local, 6to4 relays). */
  | 'reserved'
  | 'broadcast'
  | 'multicast'
  /** Local-use IPv4/IPv6 translation (64:ff9b:1::/48). */
  | 'translation'
  | 'discard'
  | 'segment-routing';

/** Which IPv4 address an IPv6 block embeds: in the low 32 bits, or after the 16-bit 6to4 prefix. */
type Embeds = 'low-32' | '6to4';

interface BlockRow {
  cidr: string;
  range: DeniedRange;
  /** The block is judged by the IPv4 address it embeds, not refused as a whole. */
  embeds?: Embeds;
}

// "Globally Reachable: False" unless noted. Order does not matter: the longest matching prefix wins.
const TABLE: readonly BlockRow[] = [
  // IPv4 Special-Purpose Address Registry.
  { cidr: '0.0.0.0/8', range: 'unspecified' }, // "this network"; 0.0.0.0 reaches the local host on Linux
  { cidr: '10.0.0.0/8', range: 'private' },
  { cidr: '100.64.0.0/10', range: 'shared' },
  { cidr: '127.0.0.0/8', range: 'loopback' },
  { cidr: '169.254.0.0/16', range: 'link-local' },
  { cidr: '172.16.0.0/12', range: 'private' },
  { cidr: '192.0.0.0/24', range: 'protocol' }, // whole /24, its two anycast /32s included (see above)
  { cidr: '192.0.2.0/24', range: 'documentation' },
  { cidr: '192.88.99.0/24', range: 'reserved' }, // deprecated 6to4 relay anycast (RFC 7526)
  { cidr: '192.168.0.0/16', range: 'private' },
  { cidr: '198.18.0.0/15', range: 'benchmarking' },
  { cidr: '198.51.100.0/24', range: 'documentation' },
  { cidr: '203.0.113.0/24', range: 'documentation' },
  { cidr: '240.0.0.0/4', range: 'reserved' },
  { cidr: '255.255.255.255/32', range: 'broadcast' },
  // IPv4 Multicast Address Space Registry.
  { cidr: '224.0.0.0/4', range: 'multicast' },
  // IPv6 Special-Purpose Address Registry.
  { cidr: '::/128', range: 'unspecified' },
  { cidr: '::1/128', range: 'loopback' },
  { cidr: '::ffff:0:0/96', range: 'reserved', embeds: 'low-32' }, // IPv4-mapped
  { cidr: '64:ff9b::/96', range: 'translation', embeds: 'low-32' }, // NAT64 well-known prefix (reachable)
  { cidr: '64:ff9b:1::/48', range: 'translation' },
  { cidr: '100::/64', range: 'discard' },
  { cidr: '100:0:0:1::/64', range: 'discard' }, // Dummy IPv6 Prefix (RFC 9780)
  { cidr: '2001::/23', range: 'protocol' }, // whole /23, its reachable exceptions included (see above)
  { cidr: '2001:2::/48', range: 'benchmarking' },
  { cidr: '2001:db8::/32', range: 'documentation' },
  { cidr: '2002::/16', range: 'reserved', embeds: '6to4' },
  { cidr: '3fff::/20', range: 'documentation' },
  { cidr: '5f00::/16', range: 'segment-routing' },
  { cidr: 'fc00::/7', range: 'private' }, // unique-local
  { cidr: 'fe80::/10', range: 'link-local' },
  // Not in the registry, refused all the same: IPv4-compatible IPv6 (deprecated, RFC 4291 2.5.5.1),
  // site-local (deprecated, RFC 3879) and multicast (IPv6 Multicast Address Space Registry).
  { cidr: '::/96', range: 'reserved' },
  { cidr: 'fec0::/10', range: 'reserved' },
  { cidr: 'ff00::/8', range: 'multicast' },
];

/** Where an address is refused: the block's kind and CIDR, and for embedded IPv4, the block it embeds it by. */
export interface DeniedBlock {
  range: DeniedRange;
  cidr: string;
  /** The IPv6 block (`2002::/16`) whose embedded IPv4 address is in `cidr`. */
  via?: string;
  /** That embedded IPv4 address. */
  embedded?: string;
}

interface Block extends BlockRow {
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

const BLOCKS: readonly Block[] = TABLE.map((row) => {
  const [net = '', prefix = ''] = row.cidr.split('/');
  const family = isIP(net) as 4 | 6;
  return { ...row, family, base: toBits(net, family), prefix: Number(prefix) };
});

/** An IP literal as an integer of 32 (IPv4) or 128 (IPv6) bits. */
function toBits(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((bits, part) => (bits << 8n) | BigInt(part), 0n);
  let text = address.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) is no part of the address
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    const v4 = toBits(dotted, 4);
    text = `${text.slice(0, -dotted.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((bits, group) => (bits << 16n) | BigInt(`0x${group}`), 0n);
}

function contains(block: Block, bits: bigint): boolean {
  const width = block.family === 4 ? 32 : 128;
  const shift = BigInt(width - block.prefix);
  return bits >> shift === block.base >> shift;
}

function v4Text(bits: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((bits >> shift) & 0xffn)).join('.');
}

function blockOf(bits: bigint, family: 4 | 6): DeniedBlock | undefined {
  let best: Block | undefined;
  for (const block of BLOCKS) {
    if (block.family === family && contains(block, bits) && block.prefix > (best?.prefix ?? -1)) best = block;
  }
  if (best === undefined) return undefined;
  if (best.embeds === undefined) return { range: best.range, cidr: best.cidr };
  const v4 = best.embeds === 'low-32' ? bits & 0xffffffffn : (bits >> 80n) & 0xffffffffn;
  const inner = blockOf(v4, 4);
  return inner === undefined ? undefined : { ...inner, via: best.cidr, embedded: v4Text(v4) };
}

/** The block that makes `address` (an IP literal) refused, or `undefined` when it may be reached. */
export function deniedBlock(address: string): DeniedBlock | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  return blockOf(toBits(address, family as 4 | 6), family as 4 | 6);
}
