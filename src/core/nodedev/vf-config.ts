/**
 * What an <interface type='hostdev'> on an SR-IOV VF needs from the host before start: its
 * guest MAC (and VLAN tag) set on the VF through the PF's netdev, as libvirt does
 * (`ip link set PF vf N mac M vlan V`), and, at stop, the VLAN cleared again
 * (`ip link set PF vf N vlan 0`). The VF's index is its place among the PF's virtfnN links.
 * Pure: the argv lists go to an ip runner (src/daemon/nodedev/hostdevs.ts).
 */
import { VirtkitError } from '../errors.js';
import type { DomainPciDevice } from './domain-hostdevs.js';
import type { PciDeviceInfo } from './types.js';

export interface VfLocation {
  readonly pf: string;
  /** The PF's network interface name. */
  readonly pfNetdev: string;
  readonly index: number;
}

/** Where VF `address` sits on its PF; XML_CONFLICT when it is no VF, OPERATION_INVALID when its PF has no netdev. */
function vfLocation(address: string, devices: ReadonlyMap<string, PciDeviceInfo>, where: string): VfLocation {
  const vf = devices.get(address);
  const pf = vf?.physfn === null || vf?.physfn === undefined ? undefined : devices.get(vf.physfn);
  if (vf === undefined || pf === undefined) {
    throw new VirtkitError('XML_CONFLICT', `${where}: <interface type='hostdev'> needs an SR-IOV virtual function, and PCI device ${address} is not one (use <hostdev> to assign a whole device)`, { details: { path: where, address } });
  }
  const index = pf.virtfns.indexOf(address);
  const netdev = pf.net[0]?.name;
  if (netdev === undefined || index < 0) {
    throw new VirtkitError('OPERATION_INVALID', `${where}: the PF ${pf.address} of VF ${address} has no network interface (is its driver loaded?), so the VF's MAC and VLAN cannot be set`, { details: { path: where, address, pf: pf.address } });
  }
  return { pf: pf.address, pfNetdev: netdev, index };
}

/** The `ip` argv lists that set each VF's MAC and VLAN, in the domain's interface order. */
export function vfSetupCommands(items: readonly DomainPciDevice[], devices: ReadonlyMap<string, PciDeviceInfo>): string[][] {
  const out: string[][] = [];
  for (const it of items) {
    if (it.vf === undefined || (it.vf.mac === undefined && it.vf.vlan === undefined)) continue;
    const loc = vfLocation(it.address, devices, it.where);
    const cmd = ['link', 'set', loc.pfNetdev, 'vf', String(loc.index)];
    if (it.vf.mac !== undefined) cmd.push('mac', it.vf.mac);
    if (it.vf.vlan !== undefined) cmd.push('vlan', String(it.vf.vlan));
    out.push(cmd);
  }
  return out;
}

/** The commands that take the VLAN tags off again at stop. */
export function vfTeardownCommands(items: readonly DomainPciDevice[], devices: ReadonlyMap<string, PciDeviceInfo>): string[][] {
  return items.filter((it) => it.vf?.vlan !== undefined).map((it) => {
    const loc = vfLocation(it.address, devices, it.where);
    return ['link', 'set', loc.pfNetdev, 'vf', String(loc.index), 'vlan', '0'];
  });
}
