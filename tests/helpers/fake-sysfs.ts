/**
 * A fake host for the topology reader and placement: `fakeTopology(spec)` is the host as data,
 * `fakeSysfs(spec)` writes the same host as a real directory tree (sys/devices/system/{cpu,node},
 * nodeN/meminfo, distance, hugepages) that src/host/sysfs/topology.ts reads unchanged.
 *
 * One socket per NUMA node, `cores` cores per socket, `threads` threads per core, numbered as
 * Linux numbers a multi-socket x86 host: every core's first thread first (socket by socket),
 * then every core's second thread, and so on. So with 2 nodes of 4 cores and 2 threads, node 0
 * has CPUs 0-3 and their siblings 8-11 (CPU 0's sibling is 8).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatCpuset } from '../../src/core/placement/cpuset.js';
import type { HostCpu, HostNumaTopology, HugepagePool, NumaNode } from '../../src/core/placement/topology.js';

export interface FakeNodeSpec {
  readonly memTotalKiB?: number;
  readonly memFreeKiB?: number;
  readonly hugepages?: readonly HugepagePool[];
}

export interface FakeHostSpec {
  readonly nodes: number;
  /** Cores per node (socket). */
  readonly cores: number;
  readonly threads: number;
  /** Per node unless `node` overrides it: 16 GiB, 15 GiB free, no huge pages. */
  readonly memTotalKiB?: number;
  readonly memFreeKiB?: number;
  readonly hugepages?: readonly HugepagePool[];
  readonly node?: Readonly<Record<number, FakeNodeSpec>>;
  /** SLIT distance between two different nodes (10 to itself): 21 by default; or per pair. */
  readonly distance?: number | ((a: number, b: number) => number);
}

const GiB = 1024 * 1024;

export function fakeTopology(spec: FakeHostSpec): HostNumaTopology {
  const perThread = spec.nodes * spec.cores;
  const cpuId = (node: number, core: number, thread: number): number => thread * perThread + node * spec.cores + core;
  const cpus: HostCpu[] = [];
  const nodes: NumaNode[] = [];
  for (let n = 0; n < spec.nodes; n++) {
    for (let c = 0; c < spec.cores; c++) {
      const siblings = Array.from({ length: spec.threads }, (_, t) => cpuId(n, c, t));
      for (const id of siblings) cpus.push({ id, node: n, socket: n, die: 0, core: c, siblings });
    }
    const o = spec.node?.[n] ?? {};
    const dist = spec.distance ?? 21;
    nodes.push({
      id: n,
      cpus: cpus.filter((c) => c.node === n).map((c) => c.id).sort((a, b) => a - b),
      memTotalKiB: o.memTotalKiB ?? spec.memTotalKiB ?? 16 * GiB,
      memFreeKiB: o.memFreeKiB ?? spec.memFreeKiB ?? 15 * GiB,
      distances: Array.from({ length: spec.nodes }, (_, m) => ({ node: m, value: m === n ? 10 : typeof dist === 'number' ? dist : dist(n, m) })),
      hugepages: [...(o.hugepages ?? spec.hugepages ?? [])].sort((a, b) => a.sizeKiB - b.sizeKiB),
    });
  }
  return { cpus: cpus.sort((a, b) => a.id - b.id), nodes };
}

/** The files of that host, as sysfs has them (paths relative to the root). */
export function fakeSysfsFiles(topo: HostNumaTopology): Record<string, string> {
  const sys = 'sys/devices/system';
  const files: Record<string, string> = {
    [`${sys}/cpu/online`]: `${formatCpuset(topo.cpus.map((c) => c.id))}\n`,
    [`${sys}/node/online`]: `${formatCpuset(topo.nodes.map((n) => n.id))}\n`,
  };
  for (const c of topo.cpus) {
    const t = `${sys}/cpu/cpu${c.id}/topology`;
    files[`${t}/physical_package_id`] = `${c.socket}\n`;
    files[`${t}/die_id`] = `${c.die}\n`;
    files[`${t}/core_id`] = `${c.core}\n`;
    files[`${t}/thread_siblings_list`] = `${formatCpuset(c.siblings)}\n`;
  }
  for (const n of topo.nodes) {
    const d = `${sys}/node/node${n.id}`;
    files[`${d}/cpulist`] = `${formatCpuset(n.cpus)}\n`;
    const kb = (field: string, v: number): string => `Node ${n.id} ${`${field}:`.padEnd(16)}${String(v).padStart(10)} kB\n`;
    files[`${d}/meminfo`] = kb('MemTotal', n.memTotalKiB) + kb('MemFree', n.memFreeKiB) + kb('MemUsed', n.memTotalKiB - n.memFreeKiB);
    files[`${d}/distance`] = `${n.distances.map((x) => x.value).join(' ')}\n`;
    for (const p of n.hugepages) {
      files[`${d}/hugepages/hugepages-${p.sizeKiB}kB/nr_hugepages`] = `${p.total}\n`;
      files[`${d}/hugepages/hugepages-${p.sizeKiB}kB/free_hugepages`] = `${p.free}\n`;
      files[`${d}/hugepages/hugepages-${p.sizeKiB}kB/surplus_hugepages`] = '0\n';
    }
  }
  return files;
}

export interface FakeSysfs {
  readonly root: string;
  readonly topology: HostNumaTopology;
  remove(): Promise<void>;
}

/** Writes `files` (relative paths) under a new temp dir. */
export async function writeTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vk-fake-sysfs-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** The host of `spec` written as a tree; `remove()` deletes it. */
export async function fakeSysfs(spec: FakeHostSpec): Promise<FakeSysfs> {
  const topology = fakeTopology(spec);
  const root = await writeTree(fakeSysfsFiles(topology));
  return { root, topology, remove: () => rm(root, { recursive: true, force: true }) };
}
