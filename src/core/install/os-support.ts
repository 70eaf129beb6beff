/**
 * What an OS supports, asked the way virt-install's osdict.py asks libosinfo (`supports_virtionet`,
 * `supports_usb3`, `is_windows`...): by the device ids the OS lists. Pure: OsInfo in, booleans out.
 */
import type { OsInfo } from './types.js';

/** libosinfo device ids: the transitional and the modern (virtio 1.0) PCI id of each virtio device. */
const VIRTIO: Record<string, string[]> = {
  net: ['http://pcisig.com/pci/1af4/1000', 'http://pcisig.com/pci/1af4/1041'],
  block: ['http://pcisig.com/pci/1af4/1001', 'http://pcisig.com/pci/1af4/1042'],
  balloon: ['http://pcisig.com/pci/1af4/1002', 'http://pcisig.com/pci/1af4/1045'],
  console: ['http://pcisig.com/pci/1af4/1003', 'http://pcisig.com/pci/1af4/1043'],
  scsi: ['http://pcisig.com/pci/1af4/1004', 'http://pcisig.com/pci/1af4/1048'],
  rng: ['http://pcisig.com/pci/1af4/1005', 'http://pcisig.com/pci/1af4/1044'],
  gpu: ['http://pcisig.com/pci/1af4/1050'],
};

const hasAny = (os: OsInfo, ids: readonly string[]): boolean => ids.some((id) => os.devices.includes(id));

export const supportsVirtio = (os: OsInfo, kind: keyof typeof VIRTIO): boolean => hasAny(os, VIRTIO[kind] ?? []);

/** The q35 chipset (virt-install's default machine then is q35). */
export const supportsQ35 = (os: OsInfo): boolean => hasAny(os, ['http://qemu.org/chipset/x86/q35']);

/** USB 3 (qemu-xhci or nec-xhci): virt-install then gives one qemu-xhci controller instead of ich9 EHCI+UHCI. */
export const supportsUsb3 = (os: OsInfo): boolean =>
  hasAny(os, ['http://pcisig.com/pci/1b36/000d', 'http://pcisig.com/pci/1033/0194']);

export const isWindows = (os: OsInfo): boolean => os.family === 'winnt' || os.distro === 'win';

/** The libosinfo metadata virt-install writes: every OS but the generic one. */
export const osMetadataId = (os: OsInfo): string | null => (os.generic ? null : os.id);

/** Recommended (else minimum) resource for x86_64 (else `all`), or null. */
export function recommended(os: OsInfo, what: 'ram' | 'nCpus' | 'storage', arch = 'x86_64'): number | null {
  for (const set of [os.recommendedResources, os.minimumResources]) {
    const r = set.find((s) => s.arch === arch) ?? set.find((s) => s.arch === 'all');
    const v = r?.[what];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}
