/**
 * What a network may not share with the other networks defined on the host: its
 * bridge name, its bridge MAC, its subnets (XML_DUPLICATE / XML_CONFLICT naming the
 * other network). The daemon calls this at define and start with the other
 * definitions; the host's own routes are checked with subnetOverlapProblems.
 */
import { VirtkitError } from '../../errors.js';
import type { SubnetOwner } from './address.js';
import { networkSubnets, subnetOverlapProblems } from './overlap.js';
import type { NetworkDef } from './schema.js';

export function otherNetworkProblems(def: NetworkDef, others: readonly NetworkDef[]): VirtkitError[] {
  const out: VirtkitError[] = [];
  const rest = others.filter((o) => o.name !== def.name);
  const br = def.bridge?.name;
  const sameBridge = br === undefined ? undefined : rest.find((o) => o.bridge?.name === br);
  if (br !== undefined && sameBridge) {
    const path = '/network/bridge/@name';
    out.push(new VirtkitError('XML_DUPLICATE', `${path}: bridge '${br}' belongs to network '${sameBridge.name}'; choose another name or leave it out`, { details: { path, network: sameBridge.name } }));
  }
  const mac = def.mac?.address;
  const sameMac = mac === undefined ? undefined : rest.find((o) => o.mac?.address === mac);
  if (mac !== undefined && sameMac) {
    const path = '/network/mac/@address';
    out.push(new VirtkitError('XML_DUPLICATE', `${path}: MAC ${mac} is the bridge MAC of network '${sameMac.name}'; leave <mac> out to get a fresh one`, { details: { path, network: sameMac.name } }));
  }
  const owners: SubnetOwner[] = rest.flatMap((o) => networkSubnets(o).map((subnet) => ({ label: `network '${o.name}'`, subnet })));
  out.push(...subnetOverlapProblems(def, owners));
  return out;
}
