/**
 * The real-time budget of a domain's cpu cgroup (docs/tuning.md). Where the kernel has
 * RT_GROUP_SCHED (cgroup v1 `cpu.rt_runtime_us`), a thread can be SCHED_FIFO or SCHED_RR only in
 * a group with a runtime above 0, and every group's runtime must cover its children's. libvirt
 * leaves them at 0, so there fifo/rr fails as soon as the domain has a cgroup; virtkit gives the
 * groups that hold fifo/rr threads a budget: each such thread is worth one host CPU's share of the
 * host's runtime (`sched_rt_runtime_us` x threads / CPUs, at most all of it), so domains whose
 * real-time vCPUs have CPUs of their own fit side by side. Pure: src/host/tuning/cgroup.ts reads
 * the host's runtime and writes the files.
 */
import type { CgroupGroup, SchedStep } from './plan.js';

/** How many fifo/rr threads the domain has, and how many land in each of its groups ('' the domain's own). */
export interface RtDemand {
  readonly threads: number;
  readonly groups: readonly { readonly name: string; readonly threads: number }[];
}

/** The demand of a plan's steps given its cgroup groups; undefined when no thread is fifo or rr. */
export function rtDemand(steps: readonly SchedStep[], groups: readonly CgroupGroup[]): RtDemand | undefined {
  const rt = new Set(steps.filter((s) => s.policy === 'fifo' || s.policy === 'rr').flatMap((s) => s.tids));
  if (rt.size === 0) return undefined;
  const counts = new Map<string, number>([['', 0]]);
  for (const tid of rt) {
    // A thread moved into a sub-group runs there; the others stay in the domain group with the process.
    const name = groups.find((g) => g.name !== '' && g.tids.includes(tid))?.name ?? '';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return { threads: rt.size, groups: [...counts].map(([name, threads]) => ({ name, threads })) };
}

/**
 * cpu.rt_runtime_us per group for `d` on a host whose root group has `runtime` µs per period over
 * `cpus` CPUs: the domain group the whole budget, each sub-group holding fifo/rr threads its share.
 */
export function rtRuntimes(d: RtDemand, host: { readonly runtime: number; readonly cpus: number }): Map<string, number> {
  const cpus = Math.max(1, host.cpus);
  const budget = Math.floor((host.runtime * Math.min(d.threads, cpus)) / cpus);
  const out = new Map<string, number>([['', budget]]);
  for (const g of d.groups) {
    if (g.name !== '' && g.threads > 0) out.set(g.name, Math.floor((budget * g.threads) / d.threads));
  }
  return out;
}
