/**
 * Mounts a hugetlbfs for one page size where the host has none (issue 10: "mounted by virtkit if
 * needed, one per page size"): `mount -t hugetlbfs -o pagesize=SIZEk virtkit DIR`. The source name
 * `virtkit` is what /proc/mounts shows in its first field, so every instance can tell the mounts
 * virtkit made (memory-facts.ts marks them) and uses only its own, never another instance's.
 * Idempotent within a process: concurrent starts of the same instance share one mount call; a
 * directory /proc/mounts already lists is the caller's to reuse (it reads the mounts first).
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { VirtkitError } from '../core/errors.js';

const run = promisify(execFile);

/** The source name of the mounts virtkit makes. */
export const VIRTKIT_MOUNT_SOURCE = 'virtkit';

export type HugetlbfsMounter = (dir: string, sizeKiB: number) => Promise<void>;

const inFlight = new Map<string, Promise<void>>();

/** Makes `dir` (0755: QEMU runs as the daemon's user) and mounts a hugetlbfs of `sizeKiB` pages on it. */
export const mountHugetlbfs: HugetlbfsMounter = (dir, sizeKiB) => {
  const pending = inFlight.get(dir);
  if (pending !== undefined) return pending;
  const p = (async () => {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    try {
      await run('mount', ['-t', 'hugetlbfs', '-o', `pagesize=${sizeKiB}k`, VIRTKIT_MOUNT_SOURCE, dir]);
    } catch (e) {
      const why = ((e as { stderr?: string }).stderr ?? '').trim() || (e as Error).message;
      throw new VirtkitError('IO_ERROR', `cannot mount a hugetlbfs of ${sizeKiB} KiB pages on ${dir}: ${why} (mounting needs root; ` +
        'or mount one yourself, e.g. on /dev/hugepages)', { cause: e, details: { dir, pageSizeKiB: sizeKiB } });
    }
  })().finally(() => inFlight.delete(dir));
  inFlight.set(dir, p);
  return p;
};
