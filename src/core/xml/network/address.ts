/**
 * IP addresses and subnets as numbers: parsing and formatting IPv4 and IPv6,
 * netmask <-> prefix, a subnet's network and broadcast addresses, and whether
 * two subnets overlap. Pure; used by network validation, dnsmasq configuration
 * and the daemon's "does this subnet overlap a route or another network" check.
 */
import type { ValueType } from '../values.js';

export type Family = 'ipv4' | 'ipv6';

export interface IpAddr {
  readonly family: Family;
  readonly value: bigint;
}

export interface Subnet {
  readonly family: Family;
  /** The network address (host bits cleared). */
  readonly network: bigint;
  readonly prefix: number;
}

export const familyBits = (f: Family): number => (f === 'ipv4' ? 32 : 128);

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  let text = s;
  // An embedded IPv4 tail (::ffff:1.2.3.4) is rewritten as its two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined): string[] => (h === undefined || h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const have = head.length + rest.length;
  if (halves.length === 1 ? have !== 8 : have > 7) return undefined;
  const all = [...head, ...Array<string>(8 - have).fill('0'), ...rest];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

/** Parses an address of either family; undefined when it is neither. */
export function parseIp(s: string): IpAddr | undefined {
  const t = s.trim();
  if (t.includes(':')) {
    const v = parseV6(t);
    return v === undefined ? undefined : { family: 'ipv6', value: v };
  }
  const v = parseV4(t);
  return v === undefined ? undefined : { family: 'ipv4', value: v };
}

/** Formats an address: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function formatIp(a: IpAddr): string {
  if (a.family === 'ipv4') return [24n, 16n, 8n, 0n].map((sh) => String((a.value >> sh) & 0xffn)).join('.');
  const g = Array.from({ length: 8 }, (_, i) => Number((a.value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The prefix length of an IPv4 netmask; undefined when the mask is not contiguous ones then zeros. */
export function netmaskPrefix(mask: string): number | undefined {
  const m = parseIp(mask);
  if (m?.family !== 'ipv4') return undefined;
  for (let p = 0; p <= 32; p++) if (prefixMask('ipv4', p) === m.value) return p;
  return undefined;
}

export function prefixMask(f: Family, prefix: number): bigint {
  const bits = BigInt(familyBits(f));
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefix))) & all;
}

export function prefixNetmask(prefix: number): string {
  return formatIp({ family: 'ipv4', value: prefixMask('ipv4', prefix) });
}

/** libvirt's classful default for an IPv4 address given without netmask or prefix (virSocketAddrPrefix). */
export function classfulPrefix(a: IpAddr): number {
  if (a.family === 'ipv6') return 64;
  const top = Number(a.value >> 24n);
  if (top < 128) return 8;
  if (top < 192) return 16;
  if (top < 224) return 24;
  return 0;
}

export function subnetOf(a: IpAddr, prefix: number): Subnet {
  return { family: a.family, network: a.value & prefixMask(a.family, prefix), prefix };
}

export function inSubnet(a: IpAddr, s: Subnet): boolean {
  return a.family === s.family && (a.value & prefixMask(s.family, s.prefix)) === s.network;
}

/** The highest address of the subnet (IPv4's broadcast). */
export function lastAddress(s: Subnet): bigint {
  const bits = BigInt(familyBits(s.family));
  return s.network | (((1n << bits) - 1n) >> BigInt(s.prefix));
}

export function formatSubnet(s: Subnet): string {
  return `${formatIp({ family: s.family, value: s.network })}/${s.prefix}`;
}

/** Parses 'ADDR/PREFIX'; undefined when it is not one. */
export function parseSubnet(s: string): Subnet | undefined {
  const [addr, len, extra] = s.trim().split('/');
  if (addr === undefined || len === undefined || extra !== undefined || !/^[0-9]{1,3}$/.test(len)) return undefined;
  const a = parseIp(addr);
  const p = Number(len);
  if (a === undefined || p > familyBits(a.family)) return undefined;
  return subnetOf(a, p);
}

/** Two subnets overlap when one contains the other's network address (same family only). */
export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  if (a.family !== b.family) return false;
  const p = Math.min(a.prefix, b.prefix);
  const m = prefixMask(a.family, p);
  return (a.network & m) === (b.network & m);
}

/** Something that holds a subnet: a host route, another network's <ip>. */
export interface SubnetOwner {
  /** Says what it is, for the error message: "route 10.0.0.0/8 dev eth0", "network 'default'". */
  readonly label: string;
  readonly subnet: Subnet;
}

/** The owners whose subnet overlaps `s`, in the order given. A default route (prefix 0) is never a conflict. */
export function overlappingSubnets(s: Subnet, owners: readonly SubnetOwner[]): SubnetOwner[] {
  return owners.filter((o) => o.subnet.prefix > 0 && subnetsOverlap(s, o.subnet));
}

/** An IPv4 or IPv6 address, kept as written (trimmed). */
export const ipType: ValueType<string> = {
  describe: 'an IPv4 or IPv6 address',
  parse: (s) => {
    const t = s.trim();
    if (parseIp(t) === undefined) throw new Error('is not an IPv4 or IPv6 address');
    return t;
  },
  format: (v) => v,
};

