/**
 * One flat view over every addressable device of a domain, so the address
 * checks (duplicates, address type against bus) and the alias step can walk
 * them uniformly. Each entry points at the live object inside the def.
 */
import type { DeviceAddress, DevicesDef } from './types.js';
import { devicePath } from './types.js';

export type DeviceKind =
  | 'disk'
  | 'controller'
  | 'filesystem'
  | 'interface'
  | 'input'
  | 'sound'
  | 'video'
  | 'hostdev'
  | 'serial'
  | 'parallel'
  | 'console'
  | 'channel'
  | 'watchdog'
  | 'memballoon'
  | 'rng'
  | 'tpm'
  | 'panic'
  | 'vsock';

export interface Addressable {
  address?: DeviceAddress;
  alias?: { name: string };
}

export interface DeviceRef {
  kind: DeviceKind;
  index: number;
  path: string;
  dev: Addressable;
}

const LIST_KINDS = [
  'disk',
  'controller',
  'filesystem',
  'interface',
  'input',
  'sound',
  'video',
  'hostdev',
  'serial',
  'parallel',
  'console',
  'channel',
  'watchdog',
  'rng',
  'tpm',
  'panic',
] as const;

/** Every device with an address/alias, in the order libvirt iterates them (virDomainDeviceInfoIterate). */
export function listDevices(d: DevicesDef): DeviceRef[] {
  const out: DeviceRef[] = [];
  for (const kind of LIST_KINDS) {
    const list: Addressable[] = d[kind] ?? [];
    list.forEach((dev, index) => out.push({ kind, index, path: devicePath(kind, list, index), dev }));
  }
  if (d.memballoon) out.push({ kind: 'memballoon', index: 0, path: '/domain/devices/memballoon', dev: d.memballoon });
  if (d.vsock) out.push({ kind: 'vsock', index: 0, path: '/domain/devices/vsock', dev: d.vsock });
  return out;
}

/** Path of one element of a device list. */
export function pathOf(d: DevicesDef, kind: (typeof LIST_KINDS)[number], index: number): string {
  return devicePath(kind, d[kind] ?? [], index);
}
