/**
 * Addresses as the firewall writes them: a network's subnet with the host part masked off
 * ("192.168.122.1" prefix 24 -> "192.168.122.0/24"), IPv6 in its canonical short form.
 * Everything is parsed strictly, since it goes into nft text.
 */
import { VirtkitError } from '../errors.js';
import type { FirewallSubnet } from './firewall-model.js';

function bad(what: string): VirtkitError {
  return new VirtkitError('INVALID_ARGUMENT', `${what} is not a valid address`, { details: { address: what } });
}

export function parseIpv4(text: string): number[] {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) throw bad(text);
  return parts.map(Number);
}

export function parseIpv6(text: string): number[] {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.split('::').length > 2) throw bad(text);
  const [head = '', tail] = text.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const fill = 8 - h.length - t.length;
  if ((tail === undefined && fill !== 0) || (tail !== undefined && fill < 1)) throw bad(text);
  const all = [...h, ...Array<string>(tail === undefined ? 0 : fill).fill('0'), ...t];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) throw bad(text);
  return all.map((g) => parseInt(g, 16));
}

export function formatIpv6(groups: readonly number[]): string {
  // RFC 5952: the longest run (of two or more) of zero groups becomes '::', the first such run on a tie
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function mask(values: readonly number[], bitsEach: number, prefix: number): number[] {
  return values.map((v, i) => {
    const keep = Math.max(0, Math.min(bitsEach, prefix - i * bitsEach));
    return keep === 0 ? 0 : v & (((1 << bitsEach) - 1) ^ ((1 << (bitsEach - keep)) - 1));
  });
}

function checkPrefix(s: FirewallSubnet, max: number): void {
  if (!Number.isInteger(s.prefix) || s.prefix < 0 || s.prefix > max) {
    throw new VirtkitError('INVALID_ARGUMENT', `prefix ${s.prefix} of ${s.address} is not 0-${max}`, { details: { address: s.address, prefix: s.prefix } });
  }
}

export function ipv4Subnet(s: FirewallSubnet): string {
  checkPrefix(s, 32);
  return `${mask(parseIpv4(s.address), 8, s.prefix).join('.')}/${s.prefix}`;
}

export function ipv6Subnet(s: FirewallSubnet): string {
  checkPrefix(s, 128);
  return `${formatIpv6(mask(parseIpv6(s.address), 16, s.prefix))}/${s.prefix}`;
}
