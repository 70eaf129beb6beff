/**
 * The questions the argv builder asks of QEMU's capabilities, behind one small
 * interface so that the builder does not depend on how caps are stored.
 * `capsView()` adapts the project's QemuCaps (src/core/qemu/caps.ts).
 */
import { VirtkitError } from '../../errors.js';

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
  atLeast(major: number, minor: number): boolean;
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
