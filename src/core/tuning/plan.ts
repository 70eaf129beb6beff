/**
 * What a domain's <cputune>, <vcpu cpuset> and cell-less <numatune> ask of the host once QEMU
 * runs, as a plan (docs/tuning.md): the CPU affinity and scheduler of each QEMU thread, and the
 * per-domain cgroup with its CPU bandwidth and memory nodes. Pure: the thread ids come in (from
 * QMP query-cpus-fast, query-iothreads and /proc/PID/task), src/host/tuning carries it out.
 */
import { parseCpuset } from '../xml/values.js';
import type { DomainDef } from '../xml/domain/index.js';
import type { RtDemand } from './rt-budget.js';
import { rtDemand } from './rt-budget.js';

/** QEMU's threads, as QMP and /proc name them. */
export interface QemuThreads {
  readonly pid: number;
  readonly vcpus: readonly { readonly vcpu: number; readonly tid: number }[];
  readonly iothreads: readonly { readonly id: number; readonly tid: number }[];
  /** Every thread of the process (/proc/PID/task), the emulator's being the others. */
  readonly all: readonly number[];
}

export type SchedPolicy = 'fifo' | 'rr' | 'batch' | 'idle';

export interface AffinityStep {
  readonly kind: 'affinity';
  readonly tids: readonly number[];
  readonly cpus: readonly number[];
  /** The element it applies, for messages. */
  readonly path: string;
}

export interface SchedStep {
  readonly kind: 'sched';
  readonly tids: readonly number[];
  readonly policy: SchedPolicy;
  /** 1-99 for fifo/rr, 0 for batch/idle. */
  readonly priority: number;
  readonly path: string;
}

/** CPU bandwidth of one cgroup; quota -1 (or any negative) is no limit. */
export interface CpuBandwidth {
  readonly shares?: number;
  readonly period?: number;
  readonly quota?: number;
}

/** One group of the domain's cgroup: '' the domain itself, else 'vcpuN', 'emulator', 'iothreadN'. */
export interface CgroupGroup {
  readonly name: string;
  readonly cpu: CpuBandwidth;
  /** Threads moved into this sub-group (the domain group takes the whole process). */
  readonly tids: readonly number[];
}

export interface CgroupPlan {
  readonly groups: readonly CgroupGroup[];
  /** cpuset.mems of the domain group (numatune strict/restrictive without guest NUMA cells). */
  readonly mems?: readonly number[];
  /** The fifo/rr threads per group, which need a real-time budget where the kernel has RT_GROUP_SCHED (rt-budget.ts). */
  readonly rt?: RtDemand;
}

export interface TuningPlan {
  readonly steps: readonly (AffinityStep | SchedStep)[];
  /** Absent: the domain needs no cgroup of its own. */
  readonly cgroup?: CgroupPlan;
}

const bw = (period: number | undefined, quota: number | undefined): CpuBandwidth =>
  ({ ...(period === undefined ? {} : { period }), ...(quota === undefined ? {} : { quota }) });

const isEmpty = (b: CpuBandwidth): boolean => b.shares === undefined && b.period === undefined && b.quota === undefined;

/** The plan for `def` on the running QEMU whose threads are `t`. */
export function planTuning(def: DomainDef, t: QemuThreads): TuningPlan {
  const ct = def.cputune;
  const vcpuTids = new Set(t.vcpus.map((v) => v.tid));
  const ioTids = new Set(t.iothreads.map((x) => x.tid));
  const emulator = t.all.filter((tid) => !vcpuTids.has(tid) && !ioTids.has(tid));
  const steps: (AffinityStep | SchedStep)[] = [];
  const vcpuSet = def.vcpu?.cpuset;
  // libvirt: <vcpu cpuset> is the default of every vCPU and of the emulator; vcpupin/emulatorpin override it.
  if (ct?.emulatorpin !== undefined) steps.push({ kind: 'affinity', tids: emulator, cpus: parseCpuset(ct.emulatorpin.cpuset), path: '/domain/cputune/emulatorpin' });
  else if (vcpuSet !== undefined) steps.push({ kind: 'affinity', tids: emulator, cpus: parseCpuset(vcpuSet), path: '/domain/vcpu/@cpuset' });
  for (const v of t.vcpus) {
    const i = (ct?.vcpupin ?? []).findIndex((p) => p.vcpu === v.vcpu);
    const pin = ct?.vcpupin?.[i];
    if (pin !== undefined) steps.push({ kind: 'affinity', tids: [v.tid], cpus: parseCpuset(pin.cpuset), path: `/domain/cputune/vcpupin[${i + 1}]` });
    else if (vcpuSet !== undefined) steps.push({ kind: 'affinity', tids: [v.tid], cpus: parseCpuset(vcpuSet), path: '/domain/vcpu/@cpuset' });
  }
  (ct?.iothreadpin ?? []).forEach((p, i) => {
    const io = t.iothreads.find((x) => x.id === p.iothread);
    if (io !== undefined) steps.push({ kind: 'affinity', tids: [io.tid], cpus: parseCpuset(p.cpuset), path: `/domain/cputune/iothreadpin[${i + 1}]` });
  });
  const sched = (tids: number[], s: { scheduler: SchedPolicy; priority?: number | undefined }, path: string): void => {
    if (tids.length > 0) steps.push({ kind: 'sched', tids, policy: s.scheduler, priority: s.scheduler === 'fifo' || s.scheduler === 'rr' ? (s.priority ?? 1) : 0, path });
  };
  (ct?.vcpusched ?? []).forEach((s, i) => {
    const ids = parseCpuset(s.vcpus);
    sched(t.vcpus.filter((v) => ids.includes(v.vcpu)).map((v) => v.tid), s, `/domain/cputune/vcpusched[${i + 1}]`);
  });
  if (ct?.emulatorsched !== undefined) sched(emulator, ct.emulatorsched, '/domain/cputune/emulatorsched');
  (ct?.iothreadsched ?? []).forEach((s, i) => {
    const ids = parseCpuset(s.iothreads);
    sched(t.iothreads.filter((x) => ids.includes(x.id)).map((x) => x.tid), s, `/domain/cputune/iothreadsched[${i + 1}]`);
  });
  const groups = planCgroup(def, t, emulator);
  const rt = groups === undefined ? undefined : rtDemand(steps.filter((s) => s.kind === 'sched'), groups.groups);
  const cgroup = groups === undefined || rt === undefined ? groups : { ...groups, rt };
  return { steps, ...(cgroup === undefined ? {} : { cgroup }) };
}

/** The domain group and the per-thread groups that carry a bandwidth of their own (libvirt's layout). */
function planCgroup(def: DomainDef, t: QemuThreads, emulator: number[]): CgroupPlan | undefined {
  const ct = def.cputune;
  const groups: CgroupGroup[] = [];
  const top: CpuBandwidth = { ...(ct?.shares === undefined ? {} : { shares: ct.shares }), ...bw(ct?.global_period, ct?.global_quota) };
  const perVcpu = bw(ct?.period, ct?.quota);
  const perEmulator = bw(ct?.emulator_period, ct?.emulator_quota);
  const perIothread = bw(ct?.iothread_period, ct?.iothread_quota);
  if (!isEmpty(perVcpu)) for (const v of t.vcpus) groups.push({ name: `vcpu${v.vcpu}`, cpu: perVcpu, tids: [v.tid] });
  if (!isEmpty(perEmulator)) groups.push({ name: 'emulator', cpu: perEmulator, tids: emulator });
  if (!isEmpty(perIothread)) for (const x of t.iothreads) groups.push({ name: `iothread${x.id}`, cpu: perIothread, tids: [x.tid] });
  const mems = cgroupMems(def);
  if (groups.length === 0 && isEmpty(top) && mems === undefined) return undefined;
  return { groups: [{ name: '', cpu: top, tids: [] }, ...groups], ...(mems === undefined ? {} : { mems }) };
}

/**
 * The domain-wide memory nodes that go through cpuset.mems (libvirt does the same): mode strict
 * without guest NUMA cells (with cells each cell's backend carries host-nodes and policy on the
 * command line), and mode restrictive always.
 */
function cgroupMems(def: DomainDef): number[] | undefined {
  const m = def.numatune?.memory;
  if (m === undefined || m.nodeset === undefined) return undefined;
  const cells = def.cpu?.numa?.cell ?? [];
  const mode = m.mode ?? 'strict';
  if (mode === 'restrictive' || (mode === 'strict' && cells.length === 0)) return parseCpuset(m.nodeset);
  return undefined;
}
