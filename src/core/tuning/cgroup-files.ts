/**
 * The files a cgroup's CPU bandwidth and memory nodes are written to, per cgroup version
 * (docs/tuning.md). v1: cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us in the cpu
 * controller's tree and cpuset.mems in the cpuset one. v2: cpu.weight (libvirt writes the shares
 * value as it is, 1-10000) and cpu.max ("QUOTA PERIOD", "max" for none), cpuset.mems.
 */
import { VirtkitError } from '../errors.js';
import { formatCpuset } from '../placement/cpuset.js';
import type { CpuBandwidth } from './plan.js';

export type CgroupVersion = 1 | 2;

/** One write: the v1 controller whose tree holds the file (v2 has one tree), the file, its value. */
export interface CgroupWrite {
  readonly controller: 'cpu' | 'cpuset';
  readonly file: string;
  readonly value: string;
}

/** libvirt's bounds (virCgroupSetCpuCfsPeriod/Quota): period 1000-1000000 us, quota 1000-17592186044415 us or negative. */
const PERIOD = { min: 1000, max: 1_000_000 };
const QUOTA_MAX = 17_592_186_044_415;

function check(path: string, b: CpuBandwidth, version: CgroupVersion): void {
  if (b.period !== undefined && (b.period < PERIOD.min || b.period > PERIOD.max)) {
    throw new VirtkitError('INVALID_ARGUMENT', `${path}: period ${b.period} is out of range [${PERIOD.min}, ${PERIOD.max}] (microseconds)`);
  }
  if (b.quota !== undefined && b.quota >= 0 && (b.quota < 1000 || b.quota > QUOTA_MAX)) {
    throw new VirtkitError('INVALID_ARGUMENT', `${path}: quota ${b.quota} is out of range [1000, ${QUOTA_MAX}] (microseconds; negative for no limit)`);
  }
  if (b.shares !== undefined && version === 2 && (b.shares < 1 || b.shares > 10_000)) {
    throw new VirtkitError('INVALID_ARGUMENT', `${path}: shares ${b.shares} is out of range [1, 10000] on cgroup v2 (cpu.weight)`);
  }
  if (b.shares !== undefined && version === 1 && b.shares < 2) {
    throw new VirtkitError('INVALID_ARGUMENT', `${path}: shares ${b.shares} is below 2, the least cpu.shares takes`);
  }
}

/** The writes that set `b` (`path` names the XML element in errors). */
export function cpuWrites(version: CgroupVersion, b: CpuBandwidth, path = '/domain/cputune'): CgroupWrite[] {
  check(path, b, version);
  const out: CgroupWrite[] = [];
  if (version === 1) {
    if (b.shares !== undefined) out.push({ controller: 'cpu', file: 'cpu.shares', value: String(b.shares) });
    if (b.period !== undefined) out.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(b.period) });
    if (b.quota !== undefined) out.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(b.quota < 0 ? -1 : b.quota) });
    return out;
  }
  if (b.shares !== undefined) out.push({ controller: 'cpu', file: 'cpu.weight', value: String(b.shares) });
  if (b.period !== undefined || b.quota !== undefined) {
    const quota = b.quota === undefined || b.quota < 0 ? 'max' : String(b.quota);
    // cpu.max takes the quota alone, or both; the kernel's default period is 100000 us.
    out.push({ controller: 'cpu', file: 'cpu.max', value: b.period === undefined ? quota : `${quota} ${b.period}` });
  }
  return out;
}

export function memsWrite(mems: readonly number[]): CgroupWrite {
  return { controller: 'cpuset', file: 'cpuset.mems', value: formatCpuset(mems) };
}

/** Reads back cpu.max ("max 100000", "50000 100000") as a bandwidth. */
export function parseCpuMax(text: string): { period: number; quota: number } {
  const [q, p] = text.trim().split(/\s+/);
  return { quota: q === 'max' ? -1 : Number(q), period: Number(p ?? 100_000) };
}
