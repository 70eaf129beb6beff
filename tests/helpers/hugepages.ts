/**
 * Test helper: 2 MiB huge pages for a test, given back exactly. reserveHugepages raises the
 * kernel's pool (/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages) by N and checks that
 * the kernel found them; giveBackHugepages lowers it by the same N (not to a remembered value,
 * so that a concurrent change by someone else is kept). mountHugetlbfs mounts a hugetlbfs of
 * 2 MiB pages in a directory of the test (made here; umount removes it again).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
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
