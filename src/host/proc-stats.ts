/**
 * Figures of running processes and network devices from procfs and sysfs, under
 * injectable roots (tests point them at a fake tree): CPU time and last CPU of a
 * process or thread (/proc/PID[/task/TID]/stat), its allowed CPUs (status), and the
 * counters of a network device (/sys/class/net/DEV/statistics). The parsers are pure
 * and tested on captured text. procfs counts in USER_HZ ticks, which is 100 on every
 * Linux architecture virtkit runs on.
 */
import { readFile } from 'node:fs/promises';
import { parseCpuList } from './nodeinfo.js';

const NS_PER_TICK = 1e9 / 100;

export interface TaskTimes {
  /** utime + stime, ns. */
  readonly cpuTimeNs: number;
  readonly userNs: number;
  readonly systemNs: number;
  /** The host CPU it last ran on (field 39). */
  readonly cpu: number;
  /** One letter: R, S, D, Z... (field 3). */
  readonly state: string;
}

/** Parses /proc/PID/stat (or /proc/PID/task/TID/stat); undefined when it is not that format. */
export function parseTaskStat(text: string): TaskTimes | undefined {
  // The command name (field 2) is in parentheses and may itself hold ') ': fields follow the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).trim().split(' ');
  // f[0] is field 3; utime is field 14, stime 15, processor 39.
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const cpu = Number(f[36]);
  if (![utime, stime, cpu].every(Number.isInteger) || f[0] === undefined) return undefined;
  return { cpuTimeNs: (utime + stime) * NS_PER_TICK, userNs: utime * NS_PER_TICK, systemNs: stime * NS_PER_TICK, cpu, state: f[0] };
}

/** The Cpus_allowed_list of /proc/PID/status as CPU numbers; undefined without one. */
export function parseAllowedCpus(statusText: string): number[] | undefined {
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(statusText);
  return m?.[1] === undefined ? undefined : parseCpuList(m[1]);
}

const readText = (path: string): Promise<string | undefined> => readFile(path, 'utf8').then((t) => t, (e: unknown) => {
  // Gone (the process or thread exited) is an answer; anything else is an error to report.
  if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
  throw e;
});

/** CPU times of process `pid`, or of its thread `tid`; undefined when it is gone. */
export async function readTaskTimes(pid: number, tid?: number, procRoot = '/proc'): Promise<TaskTimes | undefined> {
  const path = tid === undefined ? `${procRoot}/${pid}/stat` : `${procRoot}/${pid}/task/${tid}/stat`;
  const text = await readText(path);
  return text === undefined ? undefined : parseTaskStat(text);
}

/** The CPUs thread `tid` of `pid` may run on; undefined when it is gone. */
export async function readAllowedCpus(pid: number, tid: number, procRoot = '/proc'): Promise<number[] | undefined> {
  const text = await readText(`${procRoot}/${pid}/task/${tid}/status`);
  return text === undefined ? undefined : parseAllowedCpus(text);
}

export interface NetDeviceCounters {
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly rxErrors: number;
  readonly rxDrops: number;
  readonly txBytes: number;
  readonly txPackets: number;
  readonly txErrors: number;
  readonly txDrops: number;
}

const COUNTERS = [
  ['rxBytes', 'rx_bytes'], ['rxPackets', 'rx_packets'], ['rxErrors', 'rx_errors'], ['rxDrops', 'rx_dropped'],
  ['txBytes', 'tx_bytes'], ['txPackets', 'tx_packets'], ['txErrors', 'tx_errors'], ['txDrops', 'tx_dropped'],
] as const;

/**
 * The counters of host network device `dev`, from the host's point of view; undefined when the
 * device does not exist (a tap that went away with its guest).
 */
export async function readNetDeviceCounters(dev: string, sysRoot = '/sys'): Promise<NetDeviceCounters | undefined> {
  const dir = `${sysRoot}/class/net/${dev}/statistics`;
  const values = await Promise.all(COUNTERS.map(([, file]) => readText(`${dir}/${file}`)));
  if (values.some((v) => v === undefined)) return undefined;
  const out: Record<string, number> = {};
  COUNTERS.forEach(([key], i) => {
    const n = Number(values[i]?.trim());
    out[key] = Number.isFinite(n) ? n : 0;
  });
  return out as unknown as NetDeviceCounters;
}
