/**
 * The host's memory and CPU counters as virsh nodememstats and nodecpustats report them
 * (libvirt's virHostMemGetStats and virHostCPUGetStatsLinux), from procfs and sysfs under an
 * injectable root. The parsers are pure and tested on captured text.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../core/errors.js';
import type { StatField } from '../core/node/stats-format.js';

export type { StatField } from '../core/node/stats-format.js';

/** procfs counts in USER_HZ ticks, 100 on every Linux architecture virtkit runs on. */
const NS_PER_TICK = 1e9 / 100;

const MEM_FIELDS: readonly (readonly [string, string])[] = [['MemTotal', 'total'], ['MemFree', 'free'], ['Buffers', 'buffers'], ['Cached', 'cached']];

/**
 * /proc/meminfo or a node's meminfo ("Node 0 MemTotal: ... kB") as libvirt's fields, KiB:
 * total, free, buffers, cached, in that order; those the text lacks are left out (a node's
 * meminfo has no Buffers or Cached, so a cell reports total and free).
 */
export function parseMemStats(text: string): StatField[] {
  const out: StatField[] = [];
  for (const [key, field] of MEM_FIELDS) {
    const value = meminfoKiB(text, key);
    if (value !== undefined) out.push({ field, value });
  }
  return out;
}

/** One field of /proc/meminfo ("MemTotal:  9398088 kB") or a node's meminfo ("Node 0 MemTotal: ..."), KiB; undefined when absent. */
export function meminfoKiB(text: string, key: string): number | undefined {
  const m = new RegExp(`^(?:Node \\d+ )?${key}:\\s*(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * One "cpu" or "cpuN" line of /proc/stat as libvirt's fields, ns: kernel (system + irq +
 * softirq), user (user + nice), idle, iowait. Undefined when the line is not there.
 */
export function parseCpuStats(text: string, cpu?: number): StatField[] | undefined {
  const name = cpu === undefined ? 'cpu' : `cpu${cpu}`;
  const line = text.split('\n').find((l) => l.split(/\s+/)[0] === name);
  if (line === undefined) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return [
    { field: 'kernel', value: (system + irq + softirq) * NS_PER_TICK },
    { field: 'user', value: (user + nice) * NS_PER_TICK },
    { field: 'idle', value: idle * NS_PER_TICK },
    { field: 'iowait', value: iowait * NS_PER_TICK },
  ];
}

async function readOrFail(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new VirtkitError('IO_ERROR', `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
}

export async function readMemStats(root: string, cell?: number): Promise<StatField[]> {
  if (cell === undefined) return parseMemStats(await readOrFail(join(root, 'proc/meminfo')));
  const file = join(root, `sys/devices/system/node/node${cell}/meminfo`);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) throw new VirtkitError('INVALID_ARGUMENT', `NUMA cell ${cell} does not exist (no ${file})`, { details: { cell } });
  return parseMemStats(text);
}

export async function readCpuStats(root: string, cpu?: number): Promise<StatField[]> {
  const r = parseCpuStats(await readOrFail(join(root, 'proc/stat')), cpu);
  if (r === undefined) throw new VirtkitError('INVALID_ARGUMENT', `CPU ${cpu ?? ''} does not exist or is offline (no cpu${cpu ?? ''} line in /proc/stat)`, { details: { cpu } });
  return r;
}
