/**
 * The domain as the builder assembles it before it is written out once per phase (build-phases.ts):
 * each part a ready element, the parts that differ between the install phase and the final definition
 * (boot, install media, cloud-init additions) kept apart.
 */
import type { XNode } from './xml-out.js';

/** virt-install's order of the devices inside <devices> (its DeviceOrder). */
export const DEVICE_ORDER = ['disk', 'controller', 'filesystem', 'interface', 'smartcard', 'serial', 'parallel', 'console',
  'channel', 'input', 'tpm', 'graphics', 'sound', 'audio', 'video', 'hostdev', 'redirdev', 'watchdog', 'memballoon',
  'rng', 'panic', 'shmem', 'memory', 'vsock', 'iommu'] as const;

export interface DraftDevice {
  node: XNode;
  /** Install media (a --cdrom or --location ISO): emptied in the final definition unless the OS is Windows. */
  installMedia?: boolean;
}

export interface DraftOs {
  arch: string;
  machine: string;
  firmware: string | null;
  /** <loader>, <nvram>, <bootmenu>, <bios>, <acpi> written after the boot order, as given. */
  extra: XNode[];
  /** Boot devices in order for the final definition; [] when disks carry boot.order (no <boot dev>). */
  bootDevs: string[];
  /** Direct kernel boot given with --boot kernel= (kept in every phase). */
  kernel: { kernel: string | null; initrd: string | null; cmdline: string | null } | null;
  /** <smbios mode=>: `sysinfo` with --sysinfo smbios data, `host`/`emulate` as --sysinfo or --boot smbios.mode says. */
  smbios: string | null;
}

export interface Draft {
  name: string;
  uuid: string;
  /** Top-level elements before <os>, in virt-install's order (title, metadata, iothreads, memory, vcpu...). */
  head: XNode[];
  os: DraftOs;
  /** <features>, <cpu>, <clock>, <on_*>, <pm> in order. */
  tail: XNode[];
  emulator: string;
  devices: DraftDevice[];
  windows: boolean;
}
