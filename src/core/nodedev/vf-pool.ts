/**
 * The VF pool of a <network><forward mode='hostdev'>: the VFs of its <pf dev='...'/> (read
 * from the host), or its own <address type='pci' .../> list, handed out first free first, in
 * pool order (libvirt's networkAllocatePort for VIR_NETWORK_FORWARD_HOSTDEV). Pure.
 */
import { VirtkitError } from '../errors.js';
import type { DomainDef } from '../xml/domain/schema/domain.js';
import { parseSysfsAddress, sysfsAddressOfXml, type XmlPciAddress } from './pci-address.js';
import type { PciDeviceInfo } from './types.js';

export interface HostdevForward {
  readonly pf?: readonly { readonly dev: string }[] | undefined;
  readonly address?: readonly XmlPciAddress[] | undefined;
}

/** The pool's VF addresses, in order. A <pf dev> that names no SR-IOV PF on the host is OPERATION_INVALID. */
export function vfPool(network: string, forward: HostdevForward, devices: readonly PciDeviceInfo[]): string[] {
  if ((forward.address ?? []).length > 0) return (forward.address ?? []).map((a) => sysfsAddressOfXml(a));
  const out: string[] = [];
  for (const p of forward.pf ?? []) {
    const pf = devices.find((d) => d.net.some((n) => n.name === p.dev));
    if (pf === undefined || pf.virtfns.length === 0) {
      throw new VirtkitError('OPERATION_INVALID', `network '${network}': <pf dev='${p.dev}'/> is not an SR-IOV physical function with VFs on this host (set sriov_numvfs on it first)`, { details: { network, pf: p.dev } });
    }
    out.push(...pf.virtfns);
  }
  return out;
}

/** The first VF of `pool` not in `inUse`; VF_POOL_EXHAUSTED when there is none. */
export function allocateVf(network: string, pool: readonly string[], inUse: ReadonlySet<string>): string {
  const free = pool.find((a) => !inUse.has(a));
  if (free === undefined) {
    throw new VirtkitError('VF_POOL_EXHAUSTED', `network '${network}' has no free VF: all ${pool.length} of its pool are in use by running domains`, { details: { network, size: pool.length } });
  }
  return free;
}

type DomainInterface = NonNullable<NonNullable<DomainDef['devices']>['interface']>[number];
type NetVlan = NonNullable<DomainInterface['vlan']>;

/**
 * `n` (type='network' on a hostdev network) as the <interface type='hostdev'> it becomes: the
 * VF's address as its source, managed as the network's <forward managed=>, its own <vlan> or
 * else the network's. MAC, model, alias, boot order and guest address stay.
 */
export function asHostdevInterface(n: DomainInterface, vf: string, managed: boolean, networkVlan: NetVlan | undefined): DomainInterface {
  const a = parseSysfsAddress(vf);
  const h = (v: number, w: number): string => `0x${v.toString(16).padStart(w, '0')}`;
  const { source: _source, ...rest } = n;
  const vlan = n.vlan ?? networkVlan;
  return {
    ...rest,
    type: 'hostdev',
    managed,
    source: { hostAddress: { type: 'pci', domain: h(a?.domain ?? 0, 4), bus: h(a?.bus ?? 0, 2), slot: h(a?.slot ?? 0, 2), function: h(a?.function ?? 0, 1) } },
    ...(vlan === undefined ? {} : { vlan }),
  };
}
