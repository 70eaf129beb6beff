/**
 * A domain's own cgroup (docs/tuning.md): `virtkit/qemu-PID` under the cgroup root (a parameter:
 * /sys/fs/cgroup on a real host, a fake tree in tests). cgroup v1: one directory per controller
 * (cpu/virtkit/qemu-PID, cpuset/virtkit/qemu-PID), threads moved through `tasks`; cgroup v2: one
 * directory, the controllers enabled in the parents' cgroup.subtree_control, per-thread groups
 * made `threaded` and fed through `cgroup.threads`. Made after QEMU is spawned (still paused, -S),
 * removed once it is gone. v1 groups holding fifo/rr threads get a real-time budget (rt-budget.ts).
 */
import { access, mkdir, readdir, readFile, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import type { CgroupVersion, CgroupWrite } from '../../core/tuning/cgroup-files.js';
import { cpuWrites, memsWrite, parseCpuMax } from '../../core/tuning/cgroup-files.js';
import type { CgroupPlan, CpuBandwidth } from '../../core/tuning/plan.js';
import { giveRtBudget, releaseRtBudget } from './rt-budget.js';

export const DEFAULT_CGROUP_ROOT = '/sys/fs/cgroup';
const PARENT = 'virtkit';

export interface CgroupMount {
  readonly root: string;
  readonly version: CgroupVersion;
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** Which cgroup hierarchy `root` holds: v2 (cgroup.controllers at the root), v1 (a cpu controller directory), or none. */
export async function detectCgroup(root = DEFAULT_CGROUP_ROOT): Promise<CgroupMount | undefined> {
  if (await exists(join(root, 'cgroup.controllers'))) return { root, version: 2 };
  if (await exists(join(root, 'cpu', 'cpu.shares'))) return { root, version: 1 };
  return undefined;
}

function fail(what: string, e: unknown): VirtkitError {
  return new VirtkitError('HOST_TUNING_FAILED', `${what}: ${(e as Error).message}`, { cause: e });
}

export class DomainCgroup {
  readonly name: string;

  constructor(readonly mount: CgroupMount, pid: number) {
    this.name = `${PARENT}/qemu-${pid}`;
  }

  /** The directory of (sub-)group `group` ('' the domain's) in `controller`'s tree. */
  dir(controller: CgroupWrite['controller'], group = ''): string {
    const base = this.mount.version === 1 ? join(this.mount.root, controller, this.name) : join(this.mount.root, this.name);
    return group === '' ? base : join(base, group);
  }

  async #write(dir: string, file: string, value: string): Promise<void> {
    await writeFile(join(dir, file), value).catch((e: unknown) => {
      throw fail(`cannot write '${value}' to ${join(dir, file)}`, e);
    });
  }

  /** Makes the groups of `plan`, sets them and moves QEMU (`pid`) and its threads in. */
  async create(plan: CgroupPlan, pid: number): Promise<void> {
    const v = this.mount.version;
    const controllers = new Set<CgroupWrite['controller']>(['cpu']);
    if (plan.mems !== undefined) controllers.add('cpuset');
    if (v === 2) await this.#enableV2([...controllers]);
    for (const c of controllers) {
      if (v === 1 && c === 'cpuset') await this.#cpusetV1();
      else await mkdir(this.dir(c), { recursive: true }).catch((e: unknown) => { throw fail(`cannot make ${this.dir(c)}`, e); });
    }
    for (const g of plan.groups) {
      if (g.name !== '') {
        await mkdir(this.dir('cpu', g.name), { recursive: true }).catch((e: unknown) => { throw fail(`cannot make ${this.dir('cpu', g.name)}`, e); });
        if (v === 2) await this.#write(this.dir('cpu', g.name), 'cgroup.type', 'threaded');
      }
      for (const w of cpuWrites(v, g.cpu)) await this.#write(this.dir(w.controller, g.name), w.file, w.value);
    }
    await this.#removeGoneVcpuGroups(plan);
    // Before any thread joins: a fifo/rr thread cannot enter a group without a real-time budget (v2 has none).
    if (v === 1 && plan.rt !== undefined) await giveRtBudget(this.mount.root, join(this.mount.root, 'cpu', PARENT), this.dir('cpu'), plan.rt);
    if (plan.mems !== undefined) {
      const w = memsWrite(plan.mems);
      await this.#write(this.dir(w.controller), w.file, w.value);
    }
    for (const c of v === 1 ? controllers : ['cpu' as const]) await this.#write(this.dir(c), 'cgroup.procs', String(pid));
    for (const g of plan.groups.filter((x) => x.name !== '')) {
      for (const tid of g.tids) await this.#write(this.dir('cpu', g.name), v === 1 ? 'tasks' : 'cgroup.threads', String(tid));
    }
  }

  /**
   * Where every vCPU has a group of its own (per-vCPU <period>/<quota>), a `vcpuN` group the plan
   * lacks belongs to a vCPU unplugged since (setvcpus --live): removed, as libvirt does
   * (qemuDomainRemoveVcpu), and its real-time budget zeroed first (v1), so that the domain group's
   * budget can shrink to the vCPUs that are left.
   */
  async #removeGoneVcpuGroups(plan: CgroupPlan): Promise<void> {
    const isVcpu = (name: string): boolean => /^vcpu\d+$/.test(name);
    const keep = new Set(plan.groups.map((g) => g.name).filter(isVcpu));
    if (keep.size === 0) return;
    const entries = await readdir(this.dir('cpu'), { withFileTypes: true }).catch(() => []);
    const failed: string[] = [];
    for (const e of entries) {
      if (!e.isDirectory() || !isVcpu(e.name) || keep.has(e.name)) continue;
      const dir = this.dir('cpu', e.name);
      if (this.mount.version === 1) await writeFile(join(dir, 'cpu.rt_runtime_us'), '0').catch(() => undefined); // absent without RT_GROUP_SCHED
      await removeTree(dir, failed);
    }
    if (failed.length > 0) throw new VirtkitError('HOST_TUNING_FAILED', `cannot remove the cgroup of an unplugged vCPU: ${failed.join('; ')}`, { details: { failed } });
  }

  /** v2: the controllers must be enabled in each parent's subtree_control to appear below it. */
  async #enableV2(controllers: CgroupWrite['controller'][]): Promise<void> {
    const parent = join(this.mount.root, PARENT);
    await mkdir(parent, { recursive: true }).catch((e: unknown) => { throw fail(`cannot make ${parent}`, e); });
    const value = controllers.map((c) => `+${c}`).join(' ');
    await this.#write(this.mount.root, 'cgroup.subtree_control', value);
    await this.#write(parent, 'cgroup.subtree_control', value);
  }

  /** v1 cpuset: a new group has no CPUs and no nodes; each level copies its parent's before any task joins. */
  async #cpusetV1(): Promise<void> {
    let parent = join(this.mount.root, 'cpuset');
    for (const part of this.name.split('/')) {
      const dir = join(parent, part);
      await mkdir(dir, { recursive: true }).catch((e: unknown) => { throw fail(`cannot make ${dir}`, e); });
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        const mine = (await readFile(join(dir, f), 'utf8').catch(() => '')).trim();
        if (mine === '') await this.#write(dir, f, (await readFile(join(parent, f), 'utf8')).trim());
      }
      parent = dir;
    }
  }

  /** Sets the CPU bandwidth of a group of a running domain (schedinfo --set). */
  async setCpu(group: string, b: CpuBandwidth): Promise<void> {
    for (const w of cpuWrites(this.mount.version, b)) await this.#write(this.dir(w.controller, group), w.file, w.value);
  }

  /** The CPU bandwidth a group has now; undefined where the group does not exist. */
  async readCpu(group = ''): Promise<CpuBandwidth | undefined> {
    const num = async (file: string): Promise<number | undefined> => {
      const t = await this.read('cpu', file, group);
      return t === undefined || t === '' ? undefined : Number(t);
    };
    if (this.mount.version === 1) {
      const [shares, period, quota] = await Promise.all([num('cpu.shares'), num('cpu.cfs_period_us'), num('cpu.cfs_quota_us')]);
      if (shares === undefined && period === undefined) return undefined;
      return { ...(shares === undefined ? {} : { shares }), ...(period === undefined ? {} : { period }), ...(quota === undefined ? {} : { quota }) };
    }
    const [weight, max] = await Promise.all([num('cpu.weight'), this.read('cpu', 'cpu.max', group)]);
    if (weight === undefined && max === undefined) return undefined;
    return { ...(weight === undefined ? {} : { shares: weight }), ...(max === undefined ? {} : parseCpuMax(max)) };
  }

  /** Reads a file of the domain group; undefined when the group or the file is absent. */
  async read(controller: CgroupWrite['controller'], file: string, group = ''): Promise<string | undefined> {
    return readFile(join(this.dir(controller, group), file), 'utf8').then((s) => s.trim(), () => undefined);
  }

  /** Removes the groups (QEMU is gone: they are empty); says what could not be removed. */
  async remove(): Promise<string[]> {
    const dirs = this.mount.version === 1 ? [this.dir('cpu'), this.dir('cpuset')] : [this.dir('cpu')];
    const failed: string[] = [];
    if (this.mount.version === 1) failed.push(...(await releaseRtBudget(join(this.mount.root, 'cpu', PARENT), this.dir('cpu'))));
    for (const d of dirs) await removeTree(d, failed);
    return failed;
  }
}

/**
 * rmdir bottom-up. A cgroupfs directory goes with its control files (unlinking them is refused,
 * EPERM, and ignored); a fake tree's files are removed first. EBUSY is retried for up to 2 s, as libvirt
 * does: QEMU's last threads may still be leaving the group when the process is seen gone (a QEMU that is
 * not our child, after a daemon restart, is reaped by PID 1 only later).
 */
async function removeTree(dir: string, failed: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (entries === undefined) return;
  for (const e of entries) {
    if (e.isDirectory()) await removeTree(join(dir, e.name), failed);
    else await unlink(join(dir, e.name)).catch(() => undefined);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      if ((e as NodeJS.ErrnoException).code !== 'EBUSY' || attempt >= 20) {
        failed.push(`${dir}: ${(e as Error).message}`);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
