/**
 * virsh 9.0's output for the tuning commands (docs/tuning.md), from a TuningReport: vcpupin's and
 * iothreadinfo's tables, emulatorpin's "*:" line, schedinfo's and numatune's "%-15s: %s" fields.
 * Also the options they share.
 */
import type { TuningReport } from '../../client/types.js';
import { usageError } from '../framework.js';
import { table } from '../format.js';
import { IMPACT_OPTIONS } from './setmem.js';

export { IMPACT_OPTIONS, impactOf } from './setmem.js';

/** virsh's --live/--config/--current. */
export const TUNE_OPTIONS = IMPACT_OPTIONS;

export function vcpupinTable(r: TuningReport, vcpu?: number): string {
  const rows = r.vcpupin.filter((p) => vcpu === undefined || p.vcpu === vcpu).map((p) => [String(p.vcpu), p.cpuset]);
  return table(['VCPU', 'CPU Affinity'], rows);
}

export function emulatorpinLines(r: TuningReport): string {
  return ['emulator: CPU Affinity', '-'.repeat(34), `       *: ${r.emulatorpin}`].join('\n');
}

export function iothreadTable(r: TuningReport): string {
  return table(['IOThread ID', 'CPU Affinity'], r.iothreadpin.map((p) => [String(p.iothread), p.cpuset]));
}

const field = (k: string, v: string): string => `${k.padEnd(15)}: ${v}`;

export function schedinfoLines(r: TuningReport): string {
  return [field('Scheduler', 'posix'), ...Object.entries(r.sched).map(([k, v]) => field(k, String(v)))].join('\n');
}

export function numatuneLines(r: TuningReport): string {
  return [field('numa_mode', r.numatune.mode), field('numa_nodeset', r.numatune.nodeset)].join('\n');
}

/** A non-negative whole number given as `what`. */
export function wholeNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`Numeric value '${text}' for <${what}> option is malformed or out of range`);
  return Number(text);
}
