/** A QEMU 7.2-like capabilities view for the argv builder's unit tests: everything there, overridable. */
import type { ArgvCaps } from '../../src/core/qemu/argv/caps-view.js';

export function testArgvCaps(over: Partial<ArgvCaps> = {}): ArgvCaps {
  return {
    binary: '/usr/bin/qemu-system-x86_64',
    version: { major: 7, minor: 2, micro: 0 },
    hasMachine: (m) => ['pc', 'q35', 'pc-i440fx-7.2', 'pc-q35-7.2'].includes(m),
    hasAccel: (a) => a === 'tcg' || a === 'kvm',
    hasCpuModel: (m) => ['qemu64', 'Haswell', 'max'].includes(m),
    hasDevice: () => true,
    deviceHasProp: () => undefined,
    hasObject: () => true,
    hasBackend: () => undefined,
    atLeast: (maj, min) => 7 > maj || (7 === maj && 2 >= min),
    ...over,
  };
}
