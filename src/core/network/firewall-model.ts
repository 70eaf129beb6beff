/**
 * The input of virtkit's network firewall (what firewallPlan takes) and the names it gives things.
 * The daemon maps a network definition onto FirewallNetwork; nothing here reads network XML.
 * Every name that ends up in nft text is checked or encoded here, so the ruleset text cannot be
 * bent by a bridge or network name (no quoting tricks, no injected statements).
 */
import { VirtkitError } from '../errors.js';

/** libvirt's forward modes that have firewall rules ('none' is 'isolated'); 'open' has none. */
export type FirewallForwardMode = 'nat' | 'route' | 'open' | 'isolated';

/** An address of the network and its prefix; the host part is masked off (libvirt writes the bridge's address). */
export interface FirewallSubnet {
  readonly address: string;
  readonly prefix: number;
}

export interface FirewallNat {
  /** `<nat><address start end/>`: SNAT to this range instead of masquerading to the uplink's address. */
  readonly addressStart?: string;
  readonly addressEnd?: string;
  /** `<nat><port start end/>`: the source ports tcp/udp are mapped to (libvirt's default 1024-65535). */
  readonly portStart?: number;
  readonly portEnd?: number;
}

export interface FirewallNetwork {
  readonly name: string;
  readonly mode: FirewallForwardMode;
  readonly bridge: string;
  readonly ipv4: readonly FirewallSubnet[];
  readonly ipv6: readonly FirewallSubnet[];
  /** `<forward dev=>`: forwarded traffic may leave (and come back) only through this interface. */
  readonly forwardDev?: string;
  readonly nat?: FirewallNat;
  /** `<tftp>` is configured: udp 69 from the bridge is accepted too. */
  readonly tftp?: boolean;
}

/** Every table virtkit owns starts with this; nothing else of virtkit's lives in a table of its own name. */
export const TABLE_PREFIX = 'virtkit_';
/** The comment that tags virtkit's rules in other tables' chains starts with this. */
export const TAG_PREFIX = 'virtkit:';

const SAFE = /^[A-Za-z0-9_.]$/;

/** The network name as an nft identifier: [A-Za-z0-9_.] kept, every other UTF-8 byte as -HH (so '-' never appears literally). */
export function encodeName(name: string): string {
  let out = '';
  for (const ch of name) {
    if (SAFE.test(ch)) out += ch;
    else for (const b of new TextEncoder().encode(ch)) out += `-${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function decodeName(encoded: string): string | undefined {
  if (!/^(?:[A-Za-z0-9_.]|-[0-9a-f]{2})*$/.test(encoded)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length;) {
    if (encoded[i] === '-') {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(encoded.charCodeAt(i));
      i += 1;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined; // not UTF-8: not a name virtkit encoded
  }
}

/** The network's own table (family inet). */
export function tableName(network: string): string {
  return `${TABLE_PREFIX}${encodeName(network)}`;
}

/** The network a table of ours belongs to, or undefined for a table that is not ours. */
export function networkOfTable(table: string): string | undefined {
  return table.startsWith(TABLE_PREFIX) ? decodeName(table.slice(TABLE_PREFIX.length)) : undefined;
}

/** The comment on every rule virtkit puts in another table's chain. */
export function ruleTag(network: string): string {
  return `${TAG_PREFIX}${encodeName(network)}`;
}

export function networkOfTag(comment: string | undefined): string | undefined {
  return comment?.startsWith(TAG_PREFIX) ? decodeName(comment.slice(TAG_PREFIX.length)) : undefined;
}

/** nft limits a comment to 128 bytes and a table name to 256; the tag is the tighter one. */
const MAX_TAG = 128;

/** The kernel's IFNAMSIZ - 1; no '/', ':', whitespace or quotes (never legal, and never quoted into the ruleset). */
const IFNAME = /^[A-Za-z0-9_.@+-]{1,15}$/;

function invalid(message: string, details: Record<string, unknown>): VirtkitError {
  return new VirtkitError('INVALID_ARGUMENT', message, { details });
}

export function checkNetwork(net: FirewallNetwork): void {
  if (net.name === '') throw invalid('a network needs a name for its firewall table', {});
  if (ruleTag(net.name).length > MAX_TAG) {
    throw invalid(`network name '${net.name}' is too long for its firewall tag (nft comments hold 128 bytes): use a shorter name`, { network: net.name });
  }
  for (const [what, dev] of [['bridge', net.bridge], ['forward dev', net.forwardDev]] as const) {
    if (dev !== undefined && !IFNAME.test(dev)) {
      throw invalid(`${what} '${dev}' of network '${net.name}' is not an interface name (1-15 of A-Z a-z 0-9 _ . @ + -)`, { network: net.name, [what]: dev });
    }
  }
  const nat = net.nat;
  if (nat !== undefined) {
    for (const p of [nat.portStart, nat.portEnd]) {
      if (p !== undefined && !(Number.isInteger(p) && p >= 1 && p <= 65535)) {
        throw invalid(`network '${net.name}': NAT port ${p} is not 1-65535`, { network: net.name });
      }
    }
    if ((nat.portStart ?? 0) > (nat.portEnd ?? 65535)) {
      throw invalid(`network '${net.name}': NAT port range ${nat.portStart}-${nat.portEnd} is backwards`, { network: net.name });
    }
  }
}
