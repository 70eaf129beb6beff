/** The QEMU 7.2 capabilities the golden and integration tests build against. */
import type { ArgvCaps } from '../../src/core/qemu/argv/index.js';

// TEMPORARY until src/core/qemu/caps.ts and tests/fixtures/qemu-caps/qemu-7.2.json land.
export function qemu72Caps(): ArgvCaps {
  return {
    binary: '/usr/bin/qemu-system-x86_64',
    version: { major: 7, minor: 2, micro: 0 },
    hasMachine: () => true,
    hasAccel: () => true,
    hasCpuModel: () => true,
    hasDevice: () => true,
    deviceHasProp: () => undefined,
    hasObject: () => true,
    atLeast: (maj, min) => 7 > maj || (7 === maj && 2 >= min),
  };
}
