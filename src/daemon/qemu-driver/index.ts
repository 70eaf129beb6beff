/**
 * The QEMU driver (see docs/driver.md). The composition root plugs it in with
 *   loadDriver: async () => createQemuDriver({ warn: log.warn })
 * What it may import: core, host, and the daemon's driver contract.
 */
import { connectMonitor } from './monitor.js';
import type { QemuDriverDeps } from './driver.js';
import { QemuHypervisor } from './driver.js';
import { interimCaps, interimKvm, interimPrepare } from './interim-deps.js';

export { QemuHypervisor } from './driver.js';
export type { KvmVerdict, QemuDriverDeps } from './driver.js';
export type { Monitor, MonitorConnector } from './monitor.js';

/** The production dependencies: QEMU capabilities, prepareDomain, the KVM probe and the QMP client. */
export function defaultQemuDriverDeps(): QemuDriverDeps {
  return { caps: interimCaps(), prepare: interimPrepare, kvm: interimKvm(), connectMonitor };
}

export function createQemuDriver(overrides: Partial<QemuDriverDeps> = {}): QemuHypervisor {
  return new QemuHypervisor({ ...defaultQemuDriverDeps(), ...overrides });
}
