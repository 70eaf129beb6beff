/**
 * Host facts a pretend run (domxml-to-native) needs: the hugetlbfs mounts by
 * page size, the default huge page size, and the host's NUMA node ids. Read
 * from procfs and sysfs under an injectable root, like nodeinfo.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VIRTKIT_MOUNT_SOURCE } from './hugetlbfs.js';
import { meminfoKiB } from './node-stats.js';
import { readNumaNodeIds } from './sysfs/topology.js';

export interface HugetlbfsMount {
  /** Page size in KiB. */
  readonly sizeKiB: number;
  readonly path: string;
  /** Set when virtkit made the mount (its source is `virtkit`, host/hugetlbfs.ts): some instance's own. */
  readonly virtkit?: true;
}

export interface HostMemoryFacts {
  /** The kernel's default huge page size in KiB (/proc/meminfo Hugepagesize; 2048 when absent). */
  readonly defaultHugepageKiB: number;
  /** hugetlbfs mounts, in /proc/mounts order. */
  readonly hugetlbfs: readonly HugetlbfsMount[];
  /** Online NUMA node ids; [0] on a host without NUMA in sysfs. */
  readonly numaNodes: readonly number[];
}

const read = (path: string): Promise<string | undefined> => readFile(path, 'utf8').catch(() => undefined);

/** "2M", "1G", "64K" (the kernel's pagesize= mount option) in KiB. */
export function parsePageSize(s: string): number | undefined {
  const m = /^(\d+)([KMG])?B?$/i.exec(s.trim());
  if (!m) return undefined;
  const mult = { K: 1, M: 1024, G: 1024 * 1024 }[(m[2] ?? 'K').toUpperCase() as 'K' | 'M' | 'G'];
  return Number(m[1]) * mult;
}

/** /proc/mounts escapes spaces and such in paths as octal (\040). */
const unescapeMountPath = (p: string): string => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseHugetlbfsMounts(mounts: string, defaultKiB: number): HugetlbfsMount[] {
  const out: HugetlbfsMount[] = [];
  for (const line of mounts.split('\n')) {
    const [source, path, fstype, options] = line.split(' ');
    if (fstype !== 'hugetlbfs' || path === undefined) continue;
    const opt = (options ?? '').split(',').find((o) => o.startsWith('pagesize='));
    const size = opt === undefined ? defaultKiB : parsePageSize(opt.slice('pagesize='.length));
    if (size !== undefined) out.push({ sizeKiB: size, path: unescapeMountPath(path), ...(source === VIRTKIT_MOUNT_SOURCE ? { virtkit: true as const } : {}) });
  }
  return out;
}

async function numaNodes(root: string): Promise<number[]> {
  const ids = await readNumaNodeIds(root);
  return ids.length > 0 ? ids : [0];
}

export async function readHostMemoryFacts(src: { root?: string } = {}): Promise<HostMemoryFacts> {
  const root = src.root ?? '/';
  const [meminfo, mounts, nodes] = await Promise.all([read(join(root, 'proc/meminfo')), read(join(root, 'proc/mounts')), numaNodes(root)]);
  const defaultHugepageKiB = meminfoKiB(meminfo ?? '', 'Hugepagesize') ?? 2048;
  return { defaultHugepageKiB, hugetlbfs: parseHugetlbfsMounts(mounts ?? '', defaultHugepageKiB), numaNodes: nodes };
}
