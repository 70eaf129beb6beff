/**
 * The host's CPU and NUMA topology from sysfs, under a root that tests point at a fake tree
 * (tests/helpers/fake-sysfs.ts writes one); on a real host the root is '/'. Per online CPU:
 * package, die, core and thread siblings (cpu/cpuN/topology/*); per NUMA node: its CPUs,
 * MemTotal/MemFree (nodeN/meminfo), distances (nodeN/distance) and huge page pools
 * (nodeN/hugepages/hugepages-SIZEkB/{nr,free}_hugepages).
 *
 * A kernel without NUMA has no /sys/devices/system/node: then one node 0 holds every CPU, its
 * memory comes from /proc/meminfo and its pools from /sys/kernel/mm/hugepages, as libvirt does.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostCpu, HostNumaTopology, HugepagePool, NumaNode } from '../../core/placement/topology.js';
import { parseCpuList } from '../cpu-list.js';
import { meminfoKiB } from '../node-stats.js';

const read = (path: string): Promise<string | undefined> => readFile(path, 'utf8').catch(() => undefined);
const num = (s: string | undefined, fallback: number): number => {
  const n = Number((s ?? '').trim());
  return s === undefined || s.trim() === '' || !Number.isInteger(n) ? fallback : n;
};

async function numbered(dir: string, prefix: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const re = new RegExp(`^${prefix}(\\d+)$`);
  return names.flatMap((n) => { const m = re.exec(n); return m ? [Number(m[1])] : []; }).sort((a, b) => a - b);
}

async function onlineCpus(sys: string): Promise<number[]> {
  const online = await read(join(sys, 'cpu/online'));
  return online === undefined ? numbered(join(sys, 'cpu'), 'cpu') : parseCpuList(online);
}

const memKiB = (text: string | undefined, field: string): number => meminfoKiB(text ?? '', field) ?? 0;

async function pools(dir: string): Promise<HugepagePool[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: HugepagePool[] = [];
  for (const n of names) {
    const m = /^hugepages-(\d+)kB$/.exec(n);
    if (!m) continue;
    const [total, free] = await Promise.all([read(join(dir, n, 'nr_hugepages')), read(join(dir, n, 'free_hugepages'))]);
    out.push({ sizeKiB: Number(m[1]), total: num(total, 0), free: num(free, 0) });
  }
  return out.sort((a, b) => a.sizeKiB - b.sizeKiB);
}

async function readCpu(sys: string, id: number, node: number): Promise<Omit<HostCpu, 'siblings'> & { listed: number[] | undefined }> {
  const t = join(sys, `cpu/cpu${id}/topology`);
  const [pkg, die, core, sib] = await Promise.all(['physical_package_id', 'die_id', 'core_id', 'thread_siblings_list'].map((f) => read(join(t, f))));
  return { id, node, socket: num(pkg, 0), die: num(die, 0), core: num(core, id), listed: sib === undefined ? undefined : parseCpuList(sib) };
}

/** Online NUMA node ids, ascending (node/online, else the nodeN directories); none on a kernel without NUMA. */
export async function readNumaNodeIds(root: string): Promise<number[]> {
  const dir = join(root, 'sys/devices/system/node');
  const online = await read(join(dir, 'online'));
  return online !== undefined && parseCpuList(online).length > 0 ? parseCpuList(online) : numbered(dir, 'node');
}

async function readNodes(root: string, sys: string, cpus: number[]): Promise<NumaNode[]> {
  const dir = join(sys, 'node');
  const ids = await readNumaNodeIds(root);
  if (ids.length === 0) {
    const meminfo = await read(join(root, 'proc/meminfo'));
    return [{
      id: 0, cpus, memTotalKiB: memKiB(meminfo, 'MemTotal'), memFreeKiB: memKiB(meminfo, 'MemFree'),
      distances: [{ node: 0, value: 10 }], hugepages: await pools(join(root, 'sys/kernel/mm/hugepages')),
    }];
  }
  const online = new Set(cpus);
  return Promise.all(ids.map(async (id): Promise<NumaNode> => {
    const nd = join(dir, `node${id}`);
    const [cpulist, meminfo, distance, hp] = await Promise.all([read(join(nd, 'cpulist')), read(join(nd, 'meminfo')), read(join(nd, 'distance')), pools(join(nd, 'hugepages'))]);
    const values = (distance ?? '').trim().split(/\s+/).filter((v) => v !== '').map(Number);
    return {
      id,
      cpus: parseCpuList(cpulist ?? '').filter((c) => online.has(c)),
      memTotalKiB: memKiB(meminfo, 'MemTotal'),
      memFreeKiB: memKiB(meminfo, 'MemFree'),
      // the kernel writes one value per online node, in node order
      distances: ids.flatMap((n, i) => (values[i] === undefined ? [] : [{ node: n, value: values[i] }])),
      hugepages: hp,
    };
  }));
}

export async function readHostTopology(src: { root?: string } = {}): Promise<HostNumaTopology> {
  const root = src.root ?? '/';
  const sys = join(root, 'sys/devices/system');
  const ids = await onlineCpus(sys);
  const nodes = await readNodes(root, sys, ids);
  const nodeOf = new Map<number, number>();
  for (const n of nodes) for (const c of n.cpus) nodeOf.set(c, n.id);
  const raw = await Promise.all(ids.map((id) => readCpu(sys, id, nodeOf.get(id) ?? nodes[0]?.id ?? 0)));
  const online = new Set(ids);
  const cpus = raw.map(({ listed, ...c }): HostCpu => {
    // without thread_siblings_list (old kernels), siblings are the CPUs of the same package, die and core
    const sib = listed ?? raw.filter((o) => o.socket === c.socket && o.die === c.die && o.core === c.core).map((o) => o.id);
    return { ...c, siblings: sib.filter((s) => online.has(s)).sort((a, b) => a - b) };
  });
  return { cpus, nodes };
}
