/**
 * Which devices sit on PCI and how (qemuDomainDeviceCalculatePCIConnectFlags):
 * conventional PCI ('pci'), PCI Express ('pcie': on q35 these go behind a
 * pcie-root-port, on pc the same devices are plain PCI), or a PCI controller.
 * Virtio devices count as Express (QEMU's virtio-*-pci are transitional and
 * work in both; the -transitional models only in conventional slots).
 * Host devices are assumed Express: virtkit does not read the host's sysfs
 * here, as libvirt does when the device does not exist.
 */
import type { DeviceRef } from './devices.js';
import type { ConnectType, PciModel } from './pci-bus.js';
import type { Chr, Controller, Disk, Hostdev, Interface, MachineKind } from './types.js';

function virtio(model: string | undefined, pcie: ConnectType): ConnectType {
  return model === 'virtio-transitional' ? 'pci' : pcie;
}

function controllerType(c: Controller, pcie: ConnectType): ConnectType | undefined {
  switch (c.type) {
    case 'pci':
      return c.model === undefined || c.model === 'pci-root' || c.model === 'pcie-root' ? undefined : (c.model as Exclude<PciModel, 'pci-root' | 'pcie-root'>);
    case 'sata':
    case 'ide':
      return 'pci';
    case 'usb':
      if (c.model === 'none') return undefined;
      return c.model === 'qemu-xhci' || c.model === 'nec-xhci' ? pcie : 'pci';
    case 'scsi':
      if (c.model === 'ncr53c90' || c.model === undefined) return undefined;
      return c.model === 'virtio-scsi' || c.model === 'virtio-non-transitional' ? pcie : 'pci';
    case 'virtio-serial':
      return virtio(c.model, pcie);
    default:
      return undefined;
  }
}

function netType(n: Interface, pcie: ConnectType): ConnectType | undefined {
  if (n.type === 'hostdev') return pcie;
  const m = n.model?.type;
  if (m === 'virtio' || m === 'virtio-non-transitional') return pcie;
  if (m === 'virtio-transitional') return 'pci';
  if (m === 'e1000e' || m === 'igb') return pcie;
  if (m === 'usb-net') return undefined;
  return 'pci';
}

function diskType(d: Disk, pcie: ConnectType): ConnectType | undefined {
  return d.target?.bus === 'virtio' ? virtio(d.model, pcie) : undefined;
}

function hostdevType(h: Hostdev, pcie: ConnectType): ConnectType | undefined {
  return h.type === 'pci' || h.type === 'mdev' ? pcie : undefined;
}

function chrType(c: Chr, kind: string): ConnectType | undefined {
  return kind === 'serial' && c.target?.type === 'pci-serial' ? 'pci' : undefined;
}

/** The connect type of a device, or undefined when it does not use PCI. */
export function connectType(ref: DeviceRef, machine: MachineKind): ConnectType | undefined {
  const pcie: ConnectType = machine === 'q35' ? 'pcie' : 'pci';
  const dev = ref.dev as Record<string, unknown>;
  switch (ref.kind) {
    case 'controller':
      return controllerType(ref.dev as Controller, pcie);
    case 'interface':
      return netType(ref.dev as Interface, pcie);
    case 'disk':
      return diskType(ref.dev as Disk, pcie);
    case 'hostdev':
      return hostdevType(ref.dev as Hostdev, pcie);
    case 'serial':
      return chrType(ref.dev as Chr, ref.kind);
    case 'filesystem': {
      const driver = (dev['driver'] as { type?: string } | undefined)?.type;
      return driver === 'loop' || driver === 'nbd' || driver === 'ploop' ? undefined : pcie;
    }
    case 'sound': {
      const m = dev['model'];
      return m === 'es1370' || m === 'ac97' || m === 'ich6' || m === 'ich9' ? 'pci' : undefined;
    }
    case 'memballoon': {
      const m = dev['model'] as string;
      return m === 'none' ? undefined : virtio(m, pcie);
    }
    case 'rng':
    case 'vsock':
      return virtio(dev['model'] as string | undefined, pcie);
    case 'watchdog':
      return dev['model'] === 'i6300esb' ? 'pci' : undefined;
    case 'video': {
      const t = (dev['model'] as { type?: string } | undefined)?.type;
      if (t === 'virtio') return pcie;
      if (t === 'bochs') return pcie;
      return t === 'none' || t === 'ramfb' ? undefined : 'pci';
    }
    case 'input':
      return dev['bus'] === 'virtio' ? virtio(dev['model'] as string | undefined, pcie) : undefined;
    default:
      return undefined;
  }
}
