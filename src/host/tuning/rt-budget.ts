/**
 * Gives a domain's cgroup v1 cpu groups the real-time budget its fifo/rr threads need where the
 * kernel has RT_GROUP_SCHED (`cpu.rt_runtime_us` in the cpu tree; the sizes: src/core/tuning/rt-budget.ts),
 * and takes it back. The parent `virtkit` holds exactly what its domains hold: raised before a
 * domain's group takes its budget, lowered to the rest once a group is gone, so it keeps nothing
 * once no real-time domain runs. The kernel refuses a budget its parent cannot cover (EBUSY); the
 * steps here are serialized within the process, and the message names who holds the host's budget.
 */
import { availableParallelism } from 'node:os';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { SerialQueue } from '../../core/serial-queue.js';
import type { RtDemand } from '../../core/tuning/rt-budget.js';
import { rtRuntimes } from '../../core/tuning/rt-budget.js';
import { parseCpuList } from '../cpu-list.js';

const RT = 'cpu.rt_runtime_us';

/** One budget change at a time in this process: each reads its siblings' budgets, then writes. */
const budgetQueue = new SerialQueue();

const readRuntime = (dir: string): Promise<number | undefined> =>
  readFile(join(dir, RT), 'utf8').then((s) => Number(s.trim()), () => undefined);

/** The budgets held by the groups under `dir`, but `except`. (All share the root's rt_period_us, 1 s unless changed.) */
async function children(dir: string, except?: string): Promise<{ name: string; runtime: number }[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: { name: string; runtime: number }[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name === except) continue;
    const runtime = await readRuntime(join(dir, e.name));
    if (runtime !== undefined && runtime > 0) out.push({ name: e.name, runtime });
  }
  return out;
}

const sum = (xs: { runtime: number }[]): number => xs.reduce((s, x) => s + x.runtime, 0);

/** The host's CPUs, as many as the cpuset root has (the cpu tree says nothing of them). */
async function hostCpus(cgroupRoot: string): Promise<number> {
  const cpus = await readFile(join(cgroupRoot, 'cpuset', 'cpuset.cpus'), 'utf8').then(parseCpuList, () => []);
  return cpus.length > 0 ? cpus.length : availableParallelism();
}

async function write(dir: string, value: number, why: () => Promise<string>): Promise<void> {
  try {
    await writeFile(join(dir, RT), String(value));
  } catch (e) {
    throw new VirtkitError('HOST_TUNING_FAILED', `cannot write '${value}' to ${join(dir, RT)}: ${(e as Error).message}${await why()}`, { cause: e });
  }
}

/**
 * Sets the budgets of the domain group `group` (a directory under `parent`, the cpu tree's
 * `virtkit`) and its sub-groups for `demand`. Nothing to do where the root has no rt_runtime_us
 * (no RT_GROUP_SCHED) or an unlimited one (-1: the kernel then checks no group's budget).
 */
export async function giveRtBudget(cgroupRoot: string, parent: string, group: string, demand: RtDemand): Promise<void> {
  const cpuRoot = join(cgroupRoot, 'cpu');
  const rootRuntime = await readRuntime(cpuRoot);
  if (rootRuntime === undefined || rootRuntime < 0) return;
  const want = rtRuntimes(demand, { runtime: rootRuntime, cpus: await hostCpus(cgroupRoot) });
  const mine = want.get('') ?? 0;
  await budgetQueue.run(async () => {
    // Another daemon on the host may lower the parent between our two writes (its releaseRtBudget): then once more.
    for (let attempt = 1; ; attempt++) {
      await raiseParent(cpuRoot, parent, group, rootRuntime, mine);
      try {
        await write(group, mine, () => Promise.resolve(''));
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
    for (const [name, runtime] of want) if (name !== '') await write(join(group, name), runtime, () => Promise.resolve(''));
  });
}

/** Raises `parent` to what its other groups hold plus `mine`, unless it has that already. */
async function raiseParent(cpuRoot: string, parent: string, group: string, rootRuntime: number, mine: number): Promise<void> {
  const need = sum(await children(parent, basename(group))) + mine;
  if (need <= ((await readRuntime(parent)) ?? 0)) return;
  await write(parent, need, async () => {
    const holders = [...(await children(cpuRoot, basename(parent))), ...(await children(parent, basename(group))).map((c) => ({ ...c, name: `${basename(parent)}/${c.name}` }))];
    return `; the host's real-time budget is ${rootRuntime} µs per period (sched_rt_runtime_us), this domain's fifo/rr threads need ${mine}, ` +
      `and ${holders.length === 0 ? 'no other group holds any' : `${holders.map((h) => `${h.name} holds ${h.runtime}`).join(', ')}`}`;
  });
}

/**
 * Takes back the budget of the domain group `group` (its QEMU is gone) and lowers `parent`'s to what
 * its other groups hold; what failed. The groups are zeroed before they are removed: a removed group
 * lingers in the kernel's accounting for a while, and its parent could not go below its budget meanwhile.
 */
export async function releaseRtBudget(parent: string, group: string): Promise<string[]> {
  return budgetQueue.run(async () => {
    const have = await readRuntime(parent);
    if (have === undefined || have <= 0) return [];
    const failed: string[] = [];
    const zero = (dir: string): Promise<void> =>
      writeFile(join(dir, RT), '0').catch((e: unknown) => { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') failed.push(`${join(dir, RT)}: ${(e as Error).message}`); });
    for (const c of await children(group)) await zero(join(group, c.name));
    if (((await readRuntime(group)) ?? 0) > 0) await zero(group);
    const rest = sum(await children(parent));
    if (rest < have) await writeFile(join(parent, RT), String(rest)).catch((e: unknown) => { failed.push(`${join(parent, RT)}: ${(e as Error).message}`); });
    return failed;
  });
}
