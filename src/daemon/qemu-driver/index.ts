/**
 * The QEMU driver (see docs/driver.md). The composition root plugs it in with
 *   loadDriver: async () => createQemuDriver({ cacheDir: join(layout.stateDir, 'cache'), warn: log.warn })
 * What it may import: core, host, and the daemon's driver contract.
 */
import { randomBytes } from 'node:crypto';
import { capsView } from '../../core/qemu/argv/caps-view.js';
import type { DomainDef as CoreDomainDef } from '../../core/xml/domain/index.js';
import { prepareDomain } from '../../core/xml/domain/defaults/index.js';
import { getKvmStatus } from '../../host/qemu/kvm-probe.js';
import { getQemuCaps } from '../../host/qemu/probe-caps.js';
import type { QemuDriverDeps } from './driver.js';
import { QemuHypervisor } from './driver.js';
import { connectMonitor } from './monitor.js';

export { QemuHypervisor } from './driver.js';
export type { KvmVerdict, QemuDriverDeps } from './driver.js';
export type { Monitor, MonitorConnector } from './monitor.js';

export interface QemuDriverOptions {
  /** Where QEMU capabilities and the KVM verdict are cached across daemon runs. */
  readonly cacheDir: string;
  /** QEMU binary for domains without <emulator> (default qemu-system-x86_64 on PATH). */
  readonly binary?: string;
}

/** The production dependencies: QEMU capabilities, prepareDomain, the KVM probe and the QMP client. */
export function defaultQemuDriverDeps(opts: QemuDriverOptions): QemuDriverDeps {
  const binary = opts.binary ?? 'qemu-system-x86_64';
  const prepare = (def: CoreDomainDef): CoreDomainDef => prepareDomain(def, { random: (n) => randomBytes(n) });
  // Both lookups are memoized by their modules (in this process and in cacheDir).
  const caps = async () => capsView(await getQemuCaps(binary, { cacheDir: opts.cacheDir }));
  const kvm = () => getKvmStatus({ binary, cacheDir: opts.cacheDir });
  return { caps, prepare, kvm, connectMonitor };
}

export function createQemuDriver(opts: QemuDriverOptions & Partial<QemuDriverDeps>): QemuHypervisor {
  return new QemuHypervisor({ ...defaultQemuDriverDeps(opts), ...opts });
}
