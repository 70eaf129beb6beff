/**
 * Figures for domstats, dominfo and vcpuinfo: QEMU's (query-cpus-fast,
 * query-balloon, query-blockstats) over the monitor, and the host's (CPU time
 * of the QEMU process and of each vCPU thread, tap counters) through the
 * procfs/sysfs readers of src/host/proc-stats.ts.
 */
import { VirtkitError } from '../../core/errors.js';
import { readAllowedCpus, readNetDeviceCounters, readTaskTimes } from '../../host/proc-stats.js';
import { summarizeDomain } from '../domain-xml.js';
import type { DomainDef } from '../domain-xml.js';
import type { BlockStats, DetailedStats, DomainStats, NetStats, VcpuInfo } from '../driver.js';
import type { Monitor } from './monitor.js';

export async function vcpuInfo(monitor: Monitor, pid: number, procRoot = '/proc'): Promise<VcpuInfo[]> {
  const cpus = (await monitor.execute('query-cpus-fast')) as { 'cpu-index': number; 'thread-id': number }[];
  return Promise.all(cpus.map(async (c) => {
    const tid = c['thread-id'];
    const [t, affinity] = await Promise.all([readTaskTimes(pid, tid, procRoot), readAllowedCpus(pid, tid, procRoot)]);
    return {
      vcpu: c['cpu-index'], threadId: tid, state: 'running' as const, cpuTimeNs: t?.cpuTimeNs ?? 0, cpu: t?.cpu ?? 0,
      ...(affinity === undefined ? {} : { affinity }),
    };
  }));
}

export async function blockStats(monitor: Monitor): Promise<BlockStats[]> {
  type Raw = { device?: string; qdev?: string; stats: Record<string, number> };
  const raw = (await monitor.execute('query-blockstats')) as Raw[];
  return raw.map((b) => ({
    device: b.device !== undefined && b.device !== '' ? b.device : (b.qdev ?? ''),
    rdReqs: b.stats['rd_operations'] ?? 0,
    rdBytes: b.stats['rd_bytes'] ?? 0,
    wrReqs: b.stats['wr_operations'] ?? 0,
    wrBytes: b.stats['wr_bytes'] ?? 0,
    flReqs: b.stats['flush_operations'] ?? 0,
    rdTimesNs: b.stats['rd_total_time_ns'] ?? 0,
    wrTimesNs: b.stats['wr_total_time_ns'] ?? 0,
    flTimesNs: b.stats['flush_total_time_ns'] ?? 0,
  }));
}

/**
 * The guest's current memory in KiB from the balloon, or undefined when the domain has no
 * balloon device (QEMU answers DeviceNotActive; the configured memory is what the guest has).
 * Any other failure (the monitor gone, a timeout) is the caller's error, not "no balloon".
 */
export async function balloonKiB(monitor: Monitor): Promise<number | undefined> {
  try {
    const b = (await monitor.execute('query-balloon')) as { actual: number };
    return Math.floor(b.actual / 1024);
  } catch (e) {
    if (e instanceof VirtkitError && e.code === 'QMP_COMMAND_FAILED' && e.details?.['class'] === 'DeviceNotActive') return undefined;
    throw e;
  }
}

/** Counters of host tap devices, swapped to the guest's point of view; a tap that is gone counts zeros. */
export async function netStats(devices: readonly string[], sysRoot = '/sys'): Promise<NetStats[]> {
  return Promise.all(devices.map(async (device) => {
    const c = await readNetDeviceCounters(device, sysRoot);
    return {
      device, rxBytes: c?.txBytes ?? 0, rxPackets: c?.txPackets ?? 0, rxErrors: c?.txErrors ?? 0, rxDrops: c?.txDrops ?? 0,
      txBytes: c?.rxBytes ?? 0, txPackets: c?.rxPackets ?? 0, txErrors: c?.rxErrors ?? 0, txDrops: c?.rxDrops ?? 0,
    };
  }));
}

export async function collectDetailedStats(
  monitor: Monitor, pid: number, def: DomainDef, taps: readonly string[], roots: { proc?: string; sys?: string } = {},
): Promise<DetailedStats> {
  const summary = summarizeDomain(def);
  const [proc, balloon, vcpus, block, net] = await Promise.all([
    readTaskTimes(pid, undefined, roots.proc),
    balloonKiB(monitor),
    vcpuInfo(monitor, pid, roots.proc),
    blockStats(monitor),
    netStats(taps, roots.sys),
  ]);
  return {
    cpuTimeNs: proc?.cpuTimeNs ?? 0,
    cpuUserNs: proc?.userNs ?? 0,
    cpuSystemNs: proc?.systemNs ?? 0,
    balloon: { currentKiB: balloon ?? summary.currentMemoryKiB, maximumKiB: summary.maxMemoryKiB },
    vcpus, block, net,
  };
}

export async function collectStats(monitor: Monitor, pid: number, def: DomainDef, procRoot = '/proc'): Promise<DomainStats> {
  const summary = summarizeDomain(def);
  const [proc, balloon, vcpus] = await Promise.all([
    readTaskTimes(pid, undefined, procRoot),
    balloonKiB(monitor),
    monitor.execute('query-cpus-fast').then((c) => (c as unknown[]).length),
  ]);
  return { cpuTimeNs: proc?.cpuTimeNs ?? 0, currentMemoryKiB: balloon ?? summary.currentMemoryKiB, vcpus };
}
