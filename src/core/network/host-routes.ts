/**
 * The host's routes (`ip -json route show table main`, `ip -6 -json ...`, or the same read from
 * /proc/net/route and /proc/net/ipv6_route by procRoutes / procIpv6Routes) as subnet owners
 * for the overlap check (../xml/network/overlap.ts): a network's subnet must not overlap a
 * route the host already has. Default routes are not owners; routes through the devices in
 * `ownDevs` (the network's own bridge, when it is running) are skipped.
 */
import type { SubnetOwner } from '../xml/network/address.js';
import { formatIp, parseIp, parseSubnet, subnetOf } from '../xml/network/address.js';

export interface IpRoute {
  dst?: unknown;
  dev?: unknown;
  gateway?: unknown;
}

export function hostRouteOwners(json: unknown, ownDevs: ReadonlySet<string> = new Set()): SubnetOwner[] {
  if (!Array.isArray(json)) throw new Error('ip -json route: expected a JSON array');
  const out: SubnetOwner[] = [];
  for (const r of json as IpRoute[]) {
    if (typeof r.dst !== 'string' || r.dst === 'default') continue;
    const dev = typeof r.dev === 'string' ? r.dev : undefined;
    if (dev !== undefined && ownDevs.has(dev)) continue;
    let subnet = parseSubnet(r.dst);
    if (subnet === undefined) {
      // A host route is written without its prefix: 10.1.2.3 is 10.1.2.3/32.
      const a = parseIp(r.dst);
      if (a === undefined) continue;
      subnet = subnetOf(a, a.family === 'ipv4' ? 32 : 128);
    }
    const via = typeof r.gateway === 'string' ? ` via ${r.gateway}` : '';
    out.push({ label: `route ${r.dst}${via}${dev === undefined ? '' : ` dev ${dev}`}`, subnet });
  }
  return out;
}

/** A little-endian hex IPv4 word of /proc/net/route ("0102000A" is 10.0.2.1). */
function v4(hex: string): { value: bigint; ok: boolean } {
  if (!/^[0-9A-Fa-f]{8}$/u.test(hex)) return { value: 0n, ok: false };
  const b = (hex.match(/../gu) ?? []).reverse().join('');
  return { value: BigInt(`0x${b}`), ok: true };
}

const RTF_GATEWAY = 0x2;
const RTF_REJECT = 0x200;

/**
 * /proc/net/route (the main table, as `ip route show` lists it) as `ip -json route` entries: a
 * default route as 'default', a /32 without its prefix (as ip writes it), a reject route ("*") without dev.
 */
export function procRoutes(text: string): IpRoute[] {
  const out: IpRoute[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [iface, dst, gw, flags, , , , mask] = line.trim().split(/\s+/u);
    if (iface === undefined || dst === undefined || gw === undefined || flags === undefined || mask === undefined) continue;
    const d = v4(dst);
    const m = v4(mask);
    const g = v4(gw);
    const f = Number.parseInt(flags, 16);
    if (!d.ok || !m.ok || !g.ok || Number.isNaN(f)) continue;
    const prefix = m.value.toString(2).replace(/0+$/u, '').length;
    const addr = formatIp({ family: 'ipv4', value: d.value });
    const r: IpRoute = { dst: prefix === 0 && d.value === 0n ? 'default' : prefix === 32 ? addr : `${addr}/${prefix}` };
    if (iface !== '*' && (f & RTF_REJECT) === 0) r.dev = iface;
    if ((f & RTF_GATEWAY) !== 0) r.gateway = formatIp({ family: 'ipv4', value: g.value });
    out.push(r);
  }
  return out;
}

const RTF_CACHE = 0x01000000;
const RTF_LOCAL = 0x80000000;
const FF00 = 0xffn << 120n;

/**
 * /proc/net/ipv6_route as `ip -6 -json route show table main` entries. The file lists every table:
 * the local table's entries are left out as ip leaves them out (the host's own addresses, RTF_LOCAL;
 * the multicast ff00::/8 per link), and so are the null route (reject, on lo) and cached routes.
 */
export function procIpv6Routes(text: string): IpRoute[] {
  const out: IpRoute[] = [];
  for (const line of text.split('\n')) {
    const [dst, plen, , , hop, , , , flags, dev] = line.trim().split(/\s+/u);
    if (dst === undefined || plen === undefined || hop === undefined || flags === undefined || dev === undefined) continue;
    if (!/^[0-9a-f]{32}$/u.test(dst) || !/^[0-9a-f]{32}$/u.test(hop)) continue;
    const f = Number.parseInt(flags, 16);
    const prefix = Number.parseInt(plen, 16);
    const value = BigInt(`0x${dst}`);
    if ((f & (RTF_LOCAL | RTF_CACHE)) !== 0 || ((f & RTF_REJECT) !== 0 && dev === 'lo' && prefix === 0)) continue;
    if (prefix === 8 && value === FF00) continue;
    const addr = formatIp({ family: 'ipv6', value });
    const r: IpRoute = { dst: prefix === 0 && value === 0n ? 'default' : prefix === 128 ? addr : `${addr}/${prefix}`, dev };
    if ((f & RTF_GATEWAY) !== 0) r.gateway = formatIp({ family: 'ipv6', value: BigInt(`0x${hop}`) });
    out.push(r);
  }
  return out;
}
