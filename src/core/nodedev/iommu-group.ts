/**
 * Whether a set of PCI devices can be given to a guest, judged from their IOMMU groups: VFIO
 * opens a group only when every device in it is bound to vfio-pci (or pci-stub, which the
 * kernel accepts too), is unbound, or is a PCI bridge. A device of the group that is not being
 * assigned and is bound to any other (host) driver blocks the whole group. Pure: the devices
 * come from src/host/pci.
 */
import { VirtkitError } from '../errors.js';
import { nodedevName } from './pci-address.js';
import { isPciBridge, VFIO_DRIVER, type PciDeviceInfo } from './types.js';

export interface GroupBlocker {
  readonly address: string;
  readonly driver: string;
  readonly iommuGroup: number;
  /** The device being assigned whose group it blocks. */
  readonly blocks: string;
}

const HARMLESS_DRIVERS = new Set([VFIO_DRIVER, 'pci-stub']);

/**
 * The devices that block assigning `assigning` (sysfs addresses), looking every group member up
 * in `devices`. A member the lookup does not know is treated as blocking (driver '?'): better
 * refuse than hand QEMU a group it cannot open.
 */
export function groupBlockers(assigning: readonly string[], devices: ReadonlyMap<string, PciDeviceInfo>): GroupBlocker[] {
  const chosen = new Set(assigning);
  const out: GroupBlocker[] = [];
  const seen = new Set<string>();
  for (const a of assigning) {
    const d = devices.get(a);
    if (d === undefined || d.iommuGroup === null) continue;
    for (const m of d.iommuGroupMembers) {
      if (chosen.has(m) || seen.has(m)) continue;
      const md = devices.get(m);
      if (md !== undefined && (md.driver === null || HARMLESS_DRIVERS.has(md.driver) || isPciBridge(md))) continue;
      seen.add(m);
      out.push({ address: m, driver: md?.driver ?? '?', iommuGroup: d.iommuGroup, blocks: a });
    }
  }
  return out;
}

/** IOMMU_GROUP_BUSY naming every blocking device, or nothing when the group is clear. */
export function checkGroups(assigning: readonly string[], devices: ReadonlyMap<string, PciDeviceInfo>): void {
  const blockers = groupBlockers(assigning, devices);
  if (blockers.length === 0) return;
  const list = blockers.map((b) => `${b.address} (${nodedevName(b.address)}, bound to host driver '${b.driver}', IOMMU group ${b.iommuGroup})`).join(', ');
  throw new VirtkitError('IOMMU_GROUP_BUSY',
    `cannot assign PCI device${assigning.length > 1 ? 's' : ''} ${assigning.join(', ')}: ${blockers.length === 1 ? 'another device' : 'other devices'} of the same IOMMU group still ${blockers.length === 1 ? 'belongs' : 'belong'} to a host driver: ${list}; detach ${blockers.length === 1 ? 'it' : 'them'} too (virtkit nodedev-detach NAME) or assign the whole group`,
    { details: { blockers } });
}
