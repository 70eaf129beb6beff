/**
 * A fake cgroup hierarchy for src/host/tuning/cgroup.ts: a temporary directory laid out as
 * cgroup v2 (cgroup.controllers, cgroup.subtree_control at the root) or v1 (one directory per
 * controller, cpu with cpu.shares, cpuset with its root's CPUs and nodes). Plain files: the kernel's
 * side effects (a new group's control files, controllers appearing) are not imitated, so the
 * tests read back exactly what the code wrote.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeCgroup {
  readonly root: string;
  read(path: string): Promise<string>;
  remove(): Promise<void>;
}

/** v1 `rtRuntime`: the root's cpu.rt_runtime_us, as a kernel with RT_GROUP_SCHED has it (absent otherwise). */
export async function fakeCgroup(version: 1 | 2, opts: { cpus?: string; mems?: string; rtRuntime?: number } = {}): Promise<FakeCgroup> {
  const root = await mkdtemp(join(tmpdir(), `vk-cg${version}-`));
  if (version === 2) {
    await writeFile(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    await writeFile(join(root, 'cgroup.subtree_control'), '');
  } else {
    await mkdir(join(root, 'cpu'));
    await writeFile(join(root, 'cpu', 'cpu.shares'), '1024\n');
    if (opts.rtRuntime !== undefined) await writeFile(join(root, 'cpu', 'cpu.rt_runtime_us'), `${opts.rtRuntime}\n`);
    await mkdir(join(root, 'cpuset'));
    await writeFile(join(root, 'cpuset', 'cpuset.cpus'), `${opts.cpus ?? '0-3'}\n`);
    await writeFile(join(root, 'cpuset', 'cpuset.mems'), `${opts.mems ?? '0-1'}\n`);
  }
  return {
    root,
    read: (path) => readFile(join(root, path), 'utf8'),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
