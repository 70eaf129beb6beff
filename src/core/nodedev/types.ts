/**
 * A host PCI device as src/host/pci reads it from sysfs: what nodedev-list, nodedev-dumpxml and
 * the assignment checks need. Pure data (addresses are sysfs names, "0000:03:00.1").
 */
export interface PciNetInterface {
  readonly name: string;
  /** net/IFNAME/address; null when unreadable. */
  readonly mac: string | null;
}

export interface PciDeviceInfo {
  readonly address: string;
  /** The device's real sysfs directory (/sys/devices/pci0000:00/...), as libvirt's <path>. */
  readonly path: string;
  /** The PCI device above it in the sysfs hierarchy (its bridge), or null when that is the root complex. */
  readonly parent: string | null;
  readonly vendor: number;
  readonly device: number;
  /** The 24-bit class code (0x020000 an Ethernet controller, 0x060400 a PCI bridge). */
  readonly class: number;
  /** The bound driver's name, null when unbound. */
  readonly driver: string | null;
  /** driver_override's content, null when empty or absent. */
  readonly driverOverride: string | null;
  readonly iommuGroup: number | null;
  /** Every device in that IOMMU group, this one included, sorted. */
  readonly iommuGroupMembers: readonly string[];
  readonly numaNode: number | null;
  /** For an SR-IOV VF: its PF. */
  readonly physfn: string | null;
  /** For an SR-IOV PF: its VFs, virtfn0 first. */
  readonly virtfns: readonly string[];
  /** sriov_totalvfs for a PF (null when the device is not SR-IOV capable). */
  readonly totalVfs: number | null;
  readonly net: readonly PciNetInterface[];
  /** Whether the device has a `reset` file (a reset method the kernel offers). */
  readonly canReset: boolean;
}

/** The driver virtkit binds a device to for assignment. */
export const VFIO_DRIVER = 'vfio-pci';

/** Bridges stay with their host driver: the kernel does not count them against a VFIO group. */
export function isPciBridge(d: Pick<PciDeviceInfo, 'class'>): boolean {
  return (d.class >> 8) === 0x0604;
}
