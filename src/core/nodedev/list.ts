/**
 * The node devices virtkit knows (PCI devices, the network interfaces on them, USB devices), their
 * parents, and virsh's `nodedev-list --tree` drawing (virshTreePrint in tools/virsh-nodedev.c,
 * reproduced line for line, blank lines included). Pure.
 */
import { netNodedevName, nodedevName } from './pci-address.js';
import type { PciDeviceInfo } from './types.js';
import { usbNodedevName, type UsbDeviceInfo } from './usb.js';

export type NodedevCap = 'pci' | 'net' | 'usb_device';

export interface NodedevEntry {
  readonly name: string;
  /** 'computer' for a device on the root complex. */
  readonly parent: string;
  readonly cap: NodedevCap;
}

export const ROOT_DEVICE = 'computer';

/** Every node device of `devices`, sorted by name (virsh sorts nodedev-list output). */
export function nodedevEntries(devices: readonly PciDeviceInfo[], caps?: readonly NodedevCap[], usb: readonly UsbDeviceInfo[] = []): NodedevEntry[] {
  const out: NodedevEntry[] = [];
  for (const d of devices) {
    const name = nodedevName(d.address);
    out.push({ name, parent: d.parent === null ? ROOT_DEVICE : nodedevName(d.parent), cap: 'pci' });
    for (const n of d.net) out.push({ name: netNodedevName(n.name, n.mac), parent: name, cap: 'net' });
  }
  // A USB device hangs from its hub or its PCI controller; from the root when virtkit lists neither.
  const known = new Set([...out.map((e) => e.name), ...usb.map((u) => usbNodedevName(u.sysname))]);
  for (const u of usb) out.push({ name: usbNodedevName(u.sysname), parent: u.parent !== null && known.has(u.parent) ? u.parent : ROOT_DEVICE, cap: 'usb_device' });
  const wanted = caps === undefined || caps.length === 0 ? undefined : new Set(caps);
  return out.filter((e) => wanted === undefined || wanted.has(e.cap)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * virsh's tree: the root device 'computer', then every child as "+- NAME" with "|" guides.
 * `entries` must hold every device (no --cap filter: virsh refuses --tree with --cap).
 */
export function nodedevTree(entries: readonly NodedevEntry[]): string {
  const names = [ROOT_DEVICE, ...entries.map((e) => e.name)];
  const parents: (string | null)[] = [null, ...entries.map((e) => e.parent)];
  const lines: string[] = [];
  const walk = (id: number, lastdev: number, root: boolean, indent: string): string => {
    lines.push(`${indent}${root ? '' : '+- '}${names[id] ?? ''}`);
    let ind = root ? indent : `${indent}${id === lastdev ? ' ' : '|'} `;
    let nextlast = -1;
    parents.forEach((p, i) => { if (p === names[id]) nextlast = i; });
    if (nextlast !== -1) lines.push(`${ind}  |`);
    ind += '  ';
    parents.forEach((p, i) => { if (p === names[id]) ind = walk(i, nextlast, false, ind); });
    ind = ind.slice(0, -2);
    if (nextlast === -1 && id === lastdev) lines.push(ind);
    return root ? ind : ind.slice(0, -2);
  };
  walk(0, 0, true, '');
  return `${lines.join('\n')}\n`;
}
