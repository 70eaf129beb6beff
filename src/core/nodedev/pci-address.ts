/**
 * PCI addresses as sysfs names them ("0000:03:00.1") and as libvirt names the node device
 * ("pci_0000_03_00_1"); also the name of a network interface's node device
 * ("net_eth0_52_54_00_12_34_56"). Pure.
 */
import { VirtkitError } from '../errors.js';

export interface PciAddress {
  readonly domain: number;
  readonly bus: number;
  readonly slot: number;
  readonly function: number;
}

const SYSFS_RE = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i;
const NODEDEV_RE = /^pci_([0-9a-f]{4})_([0-9a-f]{2})_([0-9a-f]{2})_([0-7])$/i;

const hex = (v: number, width: number): string => v.toString(16).padStart(width, '0');

/** "0000:03:00.1", or undefined when `s` is not one. */
export function parseSysfsAddress(s: string): PciAddress | undefined {
  const m = SYSFS_RE.exec(s);
  if (!m) return undefined;
  return { domain: parseInt(m[1] ?? '', 16), bus: parseInt(m[2] ?? '', 16), slot: parseInt(m[3] ?? '', 16), function: Number(m[4]) };
}

function formatSysfsAddress(a: PciAddress): string {
  return `${hex(a.domain, 4)}:${hex(a.bus, 2)}:${hex(a.slot, 2)}.${a.function}`;
}

export function nodedevName(sysfsAddress: string): string {
  return `pci_${sysfsAddress.toLowerCase().replace(/[:.]/g, '_')}`;
}

export function netNodedevName(ifname: string, mac: string | null): string {
  return `net_${ifname}_${(mac ?? '00:00:00:00:00:00').replace(/:/g, '_')}`;
}

/**
 * The sysfs address that a node device name, or a sysfs address itself, stands for.
 * Anything else is INVALID_ARGUMENT (only PCI devices can be detached, reattached or reset).
 */
export function pciAddressOf(nameOrAddress: string): string {
  const n = NODEDEV_RE.exec(nameOrAddress);
  if (n) return `${n[1]}:${n[2]}:${n[3]}.${n[4]}`.toLowerCase();
  if (SYSFS_RE.test(nameOrAddress)) return nameOrAddress.toLowerCase();
  throw new VirtkitError('INVALID_ARGUMENT', `'${nameOrAddress}' is not a PCI node device: give its name (pci_0000_03_00_1) or address (0000:03:00.1), as nodedev-list --cap pci shows them`);
}

/** A domain XML <address domain= bus= slot= function=/> (hex or decimal strings) as a sysfs address. */
export interface XmlPciAddress {
  readonly domain?: string | number | undefined;
  readonly bus?: string | number | undefined;
  readonly slot?: string | number | undefined;
  readonly function?: string | number | undefined;
}

export function sysfsAddressOfXml(a: XmlPciAddress): string {
  const n = (v: string | number | undefined): number => Number(v ?? 0);
  return formatSysfsAddress({ domain: n(a.domain), bus: n(a.bus), slot: n(a.slot), function: n(a.function) });
}
