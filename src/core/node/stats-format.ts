/**
 * virsh 9.0's text for nodememstats (`%-7s: %20llu KiB` per field) and nodecpustats (`%-15s
 * %20llu` per counter, in ns; with --percent, the shares of two samples as `%-15s %5.1lf%%`).
 * Pure: the counters come from the daemon (GET /v1/host/memory-stats, /v1/host/cpu-stats).
 */

export interface StatField {
  readonly field: string;
  readonly value: number;
}

export function formatMemStats(fields: readonly StatField[]): string {
  return fields.map((f) => `${f.field.padEnd(7)}: ${String(f.value).padStart(20)} KiB`).join('\n');
}

const valueOf = (fields: readonly StatField[], name: string): number => fields.find((f) => f.field === name)?.value ?? 0;

/** The counters in virsh's order and words: user, system (libvirt's kernel), idle, iowait. */
export function formatCpuStats(fields: readonly StatField[]): string {
  const rows: [string, string][] = [['user:', 'user'], ['system:', 'kernel'], ['idle:', 'idle'], ['iowait:', 'iowait']];
  return rows.filter(([, f]) => fields.some((x) => x.field === f))
    .map(([label, f]) => `${label.padEnd(15)} ${String(valueOf(fields, f)).padStart(20)}`).join('\n');
}

export interface CpuShares {
  readonly usage: number;
  readonly user: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number;
}

/** The share of each counter between two samples, in percent (usage: user + system). */
export function cpuShares(first: readonly StatField[], second: readonly StatField[]): CpuShares {
  const d = (f: string): number => valueOf(second, f) - valueOf(first, f);
  const total = d('user') + d('kernel') + d('idle') + d('iowait');
  const pct = (v: number): number => (total > 0 ? (v * 100) / total : 0);
  return { usage: pct(d('user') + d('kernel')), user: pct(d('user')), system: pct(d('kernel')), idle: pct(d('idle')), iowait: pct(d('iowait')) };
}

export function formatCpuShares(s: CpuShares): string {
  const rows: [string, number][] = [['usage:', s.usage], ['user:', s.user], ['system:', s.system], ['idle:', s.idle], ['iowait:', s.iowait]];
  return rows.map(([label, v]) => `${label.padEnd(15)} ${v.toFixed(1).padStart(5)}%`).join('\n');
}
