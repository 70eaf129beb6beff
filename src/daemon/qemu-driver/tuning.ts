/**
 * Applies <cputune> and the cgroup part of <numatune> to a QEMU that is still paused (-S): the
 * thread ids from QMP (query-cpus-fast, query-iothreads) and /proc, the plan from
 * src/core/tuning, carried out with taskset/chrt and the domain's cgroup (src/host/tuning).
 * docs/tuning.md says which host facility does what.
 */
import { VirtkitError } from '../../core/errors.js';
import type { SchedValues } from '../../core/tuning/change.js';
import type { QemuThreads, TuningPlan } from '../../core/tuning/plan.js';
import { planTuning } from '../../core/tuning/plan.js';
import type { DomainDef } from '../../core/xml/domain/index.js';
import { DEFAULT_CGROUP_ROOT, DomainCgroup, detectCgroup } from '../../host/tuning/cgroup.js';
import type { TuneRunner } from '../../host/tuning/threads.js';
import { processThreads, runTuneTool, setAffinity, setScheduler } from '../../host/tuning/threads.js';
import type { Monitor } from './monitor.js';

export interface TuningHost {
  /** Where the cgroup hierarchy is mounted (default /sys/fs/cgroup; tests: a fake tree). */
  readonly cgroupRoot?: string;
  readonly procRoot?: string;
  readonly run?: TuneRunner;
}

/** QEMU's vCPU, I/O and other threads. */
export async function qemuThreads(monitor: Monitor, pid: number, procRoot = '/proc'): Promise<QemuThreads> {
  const cpus = (await monitor.execute('query-cpus-fast')) as { 'cpu-index': number; 'thread-id': number }[];
  const ios = (await monitor.execute('query-iothreads')) as { id: string; 'thread-id': number }[];
  return {
    pid,
    vcpus: cpus.map((c) => ({ vcpu: c['cpu-index'], tid: c['thread-id'] })),
    iothreads: ios.flatMap((x) => {
      const m = /^iothread(\d+)$/.exec(x.id);
      return m === null ? [] : [{ id: Number(m[1]), tid: x['thread-id'] }];
    }),
    all: await processThreads(pid, procRoot),
  };
}

/** The domain's cgroup on this host, or undefined where no hierarchy with a cpu controller is mounted. */
export async function domainCgroup(host: TuningHost, pid: number): Promise<DomainCgroup | undefined> {
  const mount = await detectCgroup(host.cgroupRoot ?? DEFAULT_CGROUP_ROOT);
  return mount === undefined ? undefined : new DomainCgroup(mount, pid);
}

/** Carries out `plan`: the cgroup first (a thread's affinity must fit in its cpuset), then affinity and policies. */
export async function applyTuningPlan(plan: TuningPlan, pid: number, host: TuningHost): Promise<void> {
  const run = host.run ?? runTuneTool;
  if (plan.cgroup !== undefined) {
    const cg = await domainCgroup(host, pid);
    if (cg === undefined) {
      throw new VirtkitError('HOST_UNSUPPORTED', `/domain/cputune: CPU shares, bandwidth and cgroup memory nodes need a cgroup hierarchy with the cpu controller at ${host.cgroupRoot ?? DEFAULT_CGROUP_ROOT}, which this host lacks`);
    }
    await cg.create(plan.cgroup, pid);
  }
  for (const s of plan.steps) {
    try {
      if (s.kind === 'affinity') await setAffinity(s.tids, s.cpus, run);
      else await setScheduler(s.tids, s.policy, s.priority, run);
    } catch (e) {
      if (e instanceof VirtkitError) throw new VirtkitError(e.code, `${s.path}: ${e.message}`, { ...(e.details === undefined ? {} : { details: e.details }), cause: e });
      throw e;
    }
  }
}

/** Plans and applies the tuning of `def` on the running QEMU `pid`. */
export async function applyTuning(monitor: Monitor, def: DomainDef, pid: number, host: TuningHost): Promise<void> {
  // Most domains have none of it: no QMP round trips, no /proc reads for them.
  if (def.cputune === undefined && def.vcpu?.cpuset === undefined && def.numatune?.memory === undefined) return;
  const plan = planTuning(def, await qemuThreads(monitor, pid, host.procRoot));
  if (plan.steps.length === 0 && plan.cgroup === undefined) return;
  await applyTuningPlan(plan, pid, host);
}

/** Removes the cgroup of a QEMU that is gone; what could not be removed. */
export async function removeTuning(pid: number, host: TuningHost): Promise<string[]> {
  const cg = await domainCgroup(host, pid);
  return cg === undefined ? [] : cg.remove();
}

/** schedinfo of a running domain: read from its cgroup groups, the kernel's defaults where a group is absent. */
export async function readSched(pid: number, host: TuningHost): Promise<SchedValues> {
  const cg = await domainCgroup(host, pid);
  const none = { shares: cg?.mount.version === 2 ? 100 : 1024, period: 100_000, quota: -1 };
  const of = async (group: string): Promise<{ shares: number; period: number; quota: number }> => ({ ...none, ...((await cg?.readCpu(group)) ?? {}) });
  const [top, vcpu, emulator, iothread] = await Promise.all([of(''), of('vcpu0'), of('emulator'), of('iothread1')]);
  return {
    cpu_shares: top.shares, vcpu_period: vcpu.period, vcpu_quota: vcpu.quota, emulator_period: emulator.period, emulator_quota: emulator.quota,
    global_period: top.period, global_quota: top.quota, iothread_period: iothread.period, iothread_quota: iothread.quota,
  };
}
