/**
 * Figures for domstats, dominfo and vcpuinfo, read from QEMU (query-cpus-fast,
 * query-balloon, query-blockstats) and from procfs (CPU time of the QEMU
 * process and of each vCPU thread). procfs counts in USER_HZ ticks, which is
 * 100 on every Linux architecture virtkit runs on.
 */
import { readFile } from 'node:fs/promises';
import { summarizeDomain } from '../domain-xml.js';
import type { DomainDef } from '../domain-xml.js';
import { parseCpuList } from '../../host/nodeinfo.js';
import type { BlockStats, DetailedStats, DomainStats, NetStats, VcpuInfo } from '../driver.js';
import type { Monitor } from './monitor.js';

const NS_PER_TICK = 1e9 / 100;

interface TaskTimes {
  /** utime + stime, ns. */
  readonly cpuTimeNs: number;
  readonly userNs: number;
  readonly systemNs: number;
  /** The host CPU it last ran on (field 39). */
  readonly cpu: number;
  readonly state: string;
}

async function taskTimes(path: string): Promise<TaskTimes | undefined> {
  let stat: string;
  try {
    stat = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3; utime is field 14, stime 15, processor 39.
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  return { cpuTimeNs: (utime + stime) * NS_PER_TICK, userNs: utime * NS_PER_TICK, systemNs: stime * NS_PER_TICK, cpu: Number(f[36]), state: f[0] ?? '?' };
}

async function allowedCpus(path: string): Promise<number[] | undefined> {
  try {
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(await readFile(path, 'utf8'));
    return m?.[1] === undefined ? undefined : parseCpuList(m[1]);
  } catch {
    return undefined;
  }
}

export async function vcpuInfo(monitor: Monitor, pid: number, procRoot = '/proc'): Promise<VcpuInfo[]> {
  const cpus = (await monitor.execute('query-cpus-fast')) as { 'cpu-index': number; 'thread-id': number }[];
  return Promise.all(cpus.map(async (c) => {
    const task = `${procRoot}/${pid}/task/${c['thread-id']}`;
    const [t, affinity] = await Promise.all([taskTimes(`${task}/stat`), allowedCpus(`${task}/status`)]);
    return {
      vcpu: c['cpu-index'], threadId: c['thread-id'], state: 'running' as const, cpuTimeNs: t?.cpuTimeNs ?? 0, cpu: t?.cpu ?? 0,
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

/** The guest's current memory in KiB from the balloon, or undefined without one. */
export async function balloonKiB(monitor: Monitor): Promise<number | undefined> {
  try {
    const b = (await monitor.execute('query-balloon')) as { actual: number };
    return Math.floor(b.actual / 1024);
  } catch {
    return undefined; // no balloon device: the configured memory is what the guest has
  }
}

async function readCounter(dir: string, name: string): Promise<number> {
  try {
    return Number((await readFile(`${dir}/${name}`, 'utf8')).trim());
  } catch {
    return 0;
  }
}

/** Counters of host tap devices from sysfs (root injectable), swapped to the guest's point of view. */
export async function netStats(devices: readonly string[], sysRoot = '/sys'): Promise<NetStats[]> {
  return Promise.all(devices.map(async (device) => {
    const dir = `${sysRoot}/class/net/${device}/statistics`;
    const [rb, rp, re, rd, tb, tp, te, td] = await Promise.all(
      ['rx_bytes', 'rx_packets', 'rx_errors', 'rx_dropped', 'tx_bytes', 'tx_packets', 'tx_errors', 'tx_dropped'].map((n) => readCounter(dir, n)),
    );
    return {
      device, rxBytes: tb ?? 0, rxPackets: tp ?? 0, rxErrors: te ?? 0, rxDrops: td ?? 0,
      txBytes: rb ?? 0, txPackets: rp ?? 0, txErrors: re ?? 0, txDrops: rd ?? 0,
    };
  }));
}

export async function collectDetailedStats(
  monitor: Monitor, pid: number, def: DomainDef, taps: readonly string[], roots: { proc?: string; sys?: string } = {},
): Promise<DetailedStats> {
  const summary = summarizeDomain(def);
  const [proc, balloon, vcpus, block, net] = await Promise.all([
    taskTimes(`${roots.proc ?? '/proc'}/${pid}/stat`),
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
    taskTimes(`${procRoot}/${pid}/stat`),
    balloonKiB(monitor),
    monitor.execute('query-cpus-fast').then((c) => (c as unknown[]).length, () => summary.vcpus),
  ]);
  return { cpuTimeNs: proc?.cpuTimeNs ?? 0, currentMemoryKiB: balloon ?? summary.currentMemoryKiB, vcpus };
}
