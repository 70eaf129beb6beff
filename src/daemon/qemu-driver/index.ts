/**
 * The QEMU driver (see docs/driver.md). The composition root plugs it in with
 *   loadDriver: async () => createQemuDriver({ warn: log.warn })
 * What it may import: core, host, and the daemon's driver contract.
 */
import { connectMonitor } from './monitor.js';
import type { QemuDriverDeps } from './driver.js';
import { QemuHypervisor } from './driver.js';
import { randomBytes } from 'node:crypto';
import type { DomainDef as CoreDomainDef } from '../../core/xml/domain/index.js';
import { prepareDomain } from '../../core/xml/domain/defaults/index.js';
import { interimCaps, interimKvm } from './interim-deps.js';

export { QemuHypervisor } from './driver.js';
export type { KvmVerdict, QemuDriverDeps } from './driver.js';
export type { Monitor, MonitorConnector } from './monitor.js';

/** The production dependencies: QEMU capabilities, prepareDomain, the KVM probe and the QMP client. */
export function defaultQemuDriverDeps(): QemuDriverDeps {
  const prepare = (def: CoreDomainDef): CoreDomainDef => prepareDomain(def, { random: (n) => randomBytes(n) });
  return { caps: interimCaps(), prepare, kvm: interimKvm(), connectMonitor };
}

export function createQemuDriver(overrides: Partial<QemuDriverDeps> = {}): QemuHypervisor {
  return new QemuHypervisor({ ...defaultQemuDriverDeps(), ...overrides });
}
