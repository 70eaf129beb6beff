/**
 * The questions the argv builder asks of QEMU's capabilities, behind one small
 * interface so that the builder does not depend on how caps are stored.
 * `capsView()` adapts the project's QemuCaps (src/core/qemu/caps.ts).
 */
import { VirtkitError } from '../../errors.js';
import type { QemuCaps } from '../caps.js';
import { findMachine, hasAccel, hasCpuModel, hasDevice, hasDeviceProp, hasObject, versionAtLeast } from '../caps.js';

export interface ArgvCaps {
  binary: string | undefined;
  version: { major: number; minor: number; micro: number };
  /** The machine name as given if QEMU knows it as a name or an alias. */
  hasMachine(name: string): boolean;
  hasAccel(name: string): boolean;
  hasCpuModel(name: string): boolean;
  hasDevice(type: string): boolean;
  /** undefined when caps do not list the device's properties. */
  deviceHasProp(type: string, prop: string): boolean | undefined;
  hasObject(type: string): boolean;
  /** A -blockdev driver, -netdev type or -chardev backend; undefined when caps do not say. Optional. */
  hasBackend?(kind: 'blockdev' | 'netdev' | 'chardev', name: string): boolean | undefined;
  atLeast(major: number, minor: number): boolean;
}

// Names libvirt writes that are QEMU aliases of another QOM type (caps list QOM names).
const DEVICE_ALIASES: Readonly<Record<string, string>> = { lsi: 'lsi53c895a' };

/** The builder's view of the project's QemuCaps record. */
export function capsView(caps: QemuCaps): ArgvCaps {
  const dev = (t: string): string => DEVICE_ALIASES[t] ?? t;
  const backends = {
    blockdev: new Set(caps.qmp.blockdevDrivers),
    netdev: new Set(caps.qmp.netdevTypes),
    chardev: new Set(caps.qmp.chardevBackends),
  };
  return {
    binary: caps.binary,
    version: caps.version,
    hasMachine: (m) => findMachine(caps, m) !== undefined,
    hasAccel: (a) => hasAccel(caps, a),
    hasCpuModel: (m) => hasCpuModel(caps, m),
    hasDevice: (t) => hasDevice(caps, dev(t)),
    deviceHasProp: (t, p) => hasDeviceProp(caps, dev(t), p),
    hasObject: (t) => hasObject(caps, t),
    hasBackend: (kind, name) => (backends[kind].size === 0 ? undefined : backends[kind].has(name)),
    atLeast: (major, minor) => versionAtLeast(caps, major, minor),
  };
}

/** Accepts either the project's QemuCaps record or a ready view. */
export function toArgvCaps(caps: QemuCaps | ArgvCaps): ArgvCaps {
  return 'hasMachine' in caps ? caps : capsView(caps);
}

export function needBackend(caps: ArgvCaps, kind: 'blockdev' | 'netdev' | 'chardev', name: string, forWhat: string): void {
  if (caps.hasBackend?.(kind, name) === false) throw unsupported(`${forWhat} needs the ${kind} ${kind === 'blockdev' ? 'driver' : kind === 'netdev' ? 'type' : 'backend'} '${name}'`, caps);
}

export function unsupported(what: string, caps: ArgvCaps): VirtkitError {
  const v = caps.version;
  return new VirtkitError('QEMU_UNSUPPORTED', `${what}: QEMU ${v.major}.${v.minor}.${v.micro}${caps.binary ? ` (${caps.binary})` : ''} does not support it`, {
    details: { qemuVersion: `${v.major}.${v.minor}.${v.micro}` },
  });
}

export function needDevice(caps: ArgvCaps, type: string, forWhat: string): void {
  if (!caps.hasDevice(type)) throw unsupported(`${forWhat} needs the QEMU device '${type}'`, caps);
}

export function needObject(caps: ArgvCaps, type: string, forWhat: string): void {
  if (!caps.hasObject(type)) throw unsupported(`${forWhat} needs the QEMU object type '${type}'`, caps);
}

/** A device property that only some QEMU versions have: emit it only where it exists (unknown = assume yes). */
export function propOk(caps: ArgvCaps, type: string, prop: string): boolean {
  return caps.deviceHasProp(type, prop) !== false;
}
