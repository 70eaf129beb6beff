/**
 * Test helper: 2 MiB huge pages for a test, given back exactly. reserveHugepages raises the
 * kernel's pool (/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages) by N and checks that
 * the kernel found them; giveBackHugepages lowers it by the same N (not to a remembered value,
 * so that a concurrent change by someone else is kept). mountHugetlbfs mounts a hugetlbfs of
 * 2 MiB pages in a directory of the test (made here; umount removes it again).
 *
 * holdHugepagePool serializes the tests that use the host's real pool: test files run two at a
 * time, and one test's reservation or guest changes the free count another asserts on (CI once
 * saw `HugePages_Free` 0 right after an `allocpages --add 64`, because a concurrent test had put
 * the pool back to the size it remembered). The lock is a directory made with mkdir (atomic)
 * holding the owner's pid; a lock whose owner is gone is taken over.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const NR = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages';
const FREE = '/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages';
const run = promisify(execFile);

const readNum = async (path: string): Promise<number> => Number((await readFile(path, 'utf8')).trim());

/** Adds `n` pages to the pool; `taken` is what to give back, `free` the free count before. */
export async function reserveHugepages(n: number): Promise<{ taken: number; free: number }> {
  const before = await readNum(NR);
  const free = await readNum(FREE);
  await writeFile(NR, String(before + n));
  const now = await readNum(NR);
  if (now < before + n) {
    await giveBackHugepages(now - before);
    throw new Error(`the kernel found only ${now - before} of ${n} huge pages of 2 MiB (fragmented memory?)`);
  }
  return { taken: n, free: free + n };
}

export async function giveBackHugepages(n: number): Promise<void> {
  await writeFile(NR, String(Math.max(0, (await readNum(NR)) - n)));
}

export async function mountHugetlbfs(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await run('mount', ['-t', 'hugetlbfs', '-o', 'pagesize=2M', 'none', dir]);
  return dir;
}

export async function umount(dir: string): Promise<void> {
  await run('umount', [dir]);
  await rmdir(dir);
}

const LOCK = join(tmpdir(), 'virtkit-tests-hugepage-pool.lock');

const ownerAlive = async (): Promise<boolean> => {
  const pid = Number(await readFile(join(LOCK, 'pid'), 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) return true; // being made right now: wait
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
};

/** Waits until this process alone uses the host's huge page pool among the tests; call the result to let go. */
export async function holdHugepagePool(timeoutMs = 600_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(LOCK);
      await writeFile(join(LOCK, 'pid'), String(process.pid));
      return async () => { await rm(LOCK, { recursive: true, force: true }); };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!(await ownerAlive())) {
      await rm(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${LOCK} held by another test for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
