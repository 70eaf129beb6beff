/**
 * "Does this network's subnet overlap a host route or another network?": the
 * daemon gathers the owners (from `ip -json route`, the other networks'
 * definitions) and asks here; each overlap is one XML_CONFLICT naming the
 * owner, at the path of the <ip> concerned.
 */
import { VirtkitError } from '../../errors.js';
import type { Subnet, SubnetOwner } from './address.js';
import { formatSubnet, overlappingSubnets } from './address.js';
import { resolveIp } from './ipdef.js';
import { step } from './problems.js';
import type { NetworkDef } from './schema.js';

/** The subnets of a network's <ip> elements, in document order (unusable ones skipped). */
export function networkSubnets(def: NetworkDef): Subnet[] {
  return (def.ip ?? []).flatMap((ip) => {
    const r = resolveIp(ip);
    return r === undefined ? [] : [r.subnet];
  });
}

/** One problem per (<ip>, owner) overlap. Owners labelled "network 'x'" or "route 10.0.0.0/8 dev eth0". */
export function subnetOverlapProblems(def: NetworkDef, owners: readonly SubnetOwner[]): VirtkitError[] {
  const ips = def.ip ?? [];
  const out: VirtkitError[] = [];
  ips.forEach((ip, i) => {
    const r = resolveIp(ip);
    if (!r) return;
    for (const o of overlappingSubnets(r.subnet, owners)) {
      const path = `/network/${step('ip', i, ips.length)}`;
      const subnet = formatSubnet(r.subnet);
      out.push(
        new VirtkitError('XML_CONFLICT', `${path}: the subnet ${subnet} overlaps ${o.label} (${formatSubnet(o.subnet)}); choose another subnet`, {
          details: { path, subnet, overlaps: o.label },
        }),
      );
    }
  });
  return out;
}
