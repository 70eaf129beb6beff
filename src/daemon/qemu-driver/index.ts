/**
 * The QEMU driver (see docs/driver.md). The composition root plugs it in with
 *   loadDriver: async () => createQemuDriver({ cacheDir: join(layout.stateDir, 'cache'), warn: log.warn })
 * What it may import: core, host, and the daemon's driver contract.
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { capsView } from '../../core/qemu/argv/caps-view.js';
import type { DomainDef as CoreDomainDef } from '../../core/xml/domain/index.js';
import { prepareDomain } from '../../core/xml/domain/defaults/index.js';
import { readHostMemoryFacts } from '../../host/memory-facts.js';
import { readHostTopology } from '../../host/sysfs/topology.js';
import { getKvmStatus } from '../../host/qemu/kvm-probe.js';
import { getQemuCaps } from '../../host/qemu/probe-caps.js';
import { DEFAULT_OVS_DB, Ovs } from '../../host/net/ovs.js';
import type { QemuDriverDeps } from './driver.js';
import { QemuHypervisor } from './driver.js';
import { connectMonitor } from './monitor.js';

export { QemuHypervisor } from './driver.js';
export type { KvmVerdict, QemuDriverDeps } from './driver.js';
export type { Monitor, MonitorConnector } from './monitor.js';

export interface QemuDriverOptions {
  /**
   * Where QEMU capabilities and the KVM verdict are cached across daemon runs
   * (default: $XDG_CACHE_HOME/virtkit, else ~/.cache/virtkit). An instance
   * passes its own, e.g. join(layout.stateDir, 'cache').
   */
  readonly cacheDir?: string;
  /** QEMU binary for domains without <emulator> (default qemu-system-x86_64 on PATH). */
  readonly binary?: string;
  /** Prefix for /proc and /sys: the host facts of domxml-to-native and of starts with huge pages (default '/'). */
  readonly hostRoot?: string;
  /**
   * The directory that binary loads its modules from, part of the capabilities
   * cache key (default: where Debian's QEMU looks, relative to the binary; see
   * src/host/qemu/modules.ts).
   */
  readonly moduleDir?: string;
  /**
   * Open vSwitch's database (a socket path or an ovsdb remote) for interfaces with
   * <virtualport type='openvswitch'>; default $VIRTKIT_OVS_DB, else unix:/var/run/openvswitch/db.sock.
   */
  readonly ovsDb?: string;
}

/** The production dependencies: QEMU capabilities, prepareDomain, the KVM probe and the QMP client. */
export function defaultQemuDriverDeps(opts: QemuDriverOptions = {}): QemuDriverDeps {
  const binary = opts.binary ?? 'qemu-system-x86_64';
  const xdg = process.env['XDG_CACHE_HOME'];
  const cacheDir = opts.cacheDir ?? join(xdg !== undefined && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'virtkit');
  const prepare = (def: CoreDomainDef): CoreDomainDef => prepareDomain(def, { random: (n) => randomBytes(n) });
  // Both lookups are memoized by their modules (in this process and in cacheDir).
  const moduleDir = opts.moduleDir;
  const fullCaps = () => getQemuCaps(binary, moduleDir === undefined ? { cacheDir } : { cacheDir, moduleDir });
  const caps = async () => capsView(await fullCaps());
  const kvm = () => getKvmStatus({ binary, cacheDir });
  const hostFacts = () => readHostMemoryFacts(opts.hostRoot === undefined ? {} : { root: opts.hostRoot });
  const hostTopology = () => readHostTopology(opts.hostRoot === undefined ? {} : { root: opts.hostRoot });
  const ovs = new Ovs({ db: opts.ovsDb ?? process.env['VIRTKIT_OVS_DB'] ?? DEFAULT_OVS_DB });
  return { caps, fullCaps, prepare, kvm, hostFacts, hostTopology, connectMonitor, ovs };
}

export function createQemuDriver(opts: QemuDriverOptions & Partial<QemuDriverDeps> = {}): QemuHypervisor {
  return new QemuHypervisor({ ...defaultQemuDriverDeps(opts), ...opts });
}
