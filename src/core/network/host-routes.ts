/**
 * The host's routes (`ip -json route show table main`, `ip -6 -json ...`) as subnet owners
 * for the overlap check (../xml/network/overlap.ts): a network's subnet must not overlap a
 * route the host already has. Default routes are not owners; routes through the devices in
 * `ownDevs` (the network's own bridge, when it is running) are skipped.
 */
import type { SubnetOwner } from '../xml/network/address.js';
import { parseIp, parseSubnet, subnetOf } from '../xml/network/address.js';

interface IpRoute {
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
