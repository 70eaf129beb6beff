/**
 * Host CPU and memory facts, as `virsh nodeinfo` reports them, read from
 * procfs and sysfs under an injectable root (tests point it at a fake tree).
 *
 * Like libvirt (virHostCPUGetInfoPopulateLinux): CPU(s) counts online CPUs;
 * sockets are per NUMA node; when the topology does not multiply out to the
 * CPU count, it falls back to 1 node, 1 socket, N cores, 1 thread.
 */
import { readFile, readdir } from 'node:fs/promises';
import { machine } from 'node:os';
import { join } from 'node:path';

export interface NodeInfo {
  /** The CPU architecture (virsh calls it "CPU model"). */
  readonly model: string;
  readonly cpus: number;
  readonly mhz: number;
  readonly nodes: number;
  readonly sockets: number;
  readonly cores: number;
  readonly threads: number;
  readonly memoryKiB: number;
}

export interface NodeInfoSource {
  /** Prefix for /proc and /sys; '/' on a real host. */
  readonly root?: string;
  readonly arch?: string;
}

const read = (path: string): Promise<string | undefined> => readFile(path, 'utf8').catch(() => undefined);

/** Parses a kernel CPU list such as "0-3,8,10-11". */
export function parseCpuList(s: string): number[] {
  const out: number[] = [];
  for (const part of s.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    const end = b !== undefined && Number.isInteger(b) ? b : a;
    for (let i = a; i <= end; i++) out.push(i);
  }
  return out;
}

export async function readNodeInfo(src: NodeInfoSource = {}): Promise<NodeInfo> {
  const root = src.root ?? '/';
  const sys = join(root, 'sys/devices/system');
  const [online, cpuinfo, meminfo] = await Promise.all([
    read(join(sys, 'cpu/online')),
    read(join(root, 'proc/cpuinfo')),
    read(join(root, 'proc/meminfo')),
  ]);
  const cpus = online === undefined
    ? [...(cpuinfo ?? '').matchAll(/^processor\s*:\s*(\d+)/gm)].map((m) => Number(m[1]))
    : parseCpuList(online);
  const mhz = Math.trunc(Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo ?? '')?.[1] ?? 0));
  const memoryKiB = Number(/^MemTotal:\s*(\d+)/m.exec(meminfo ?? '')?.[1] ?? 0);
  const base = { model: src.arch ?? machine(), cpus: cpus.length, mhz, memoryKiB };

  const nodeCpus = await nodeCpuLists(sys, cpus);
  const onlineSet = new Set(cpus);
  let sockets = 0;
  let cores = 0;
  let threads = 0;
  for (const list of nodeCpus) {
    const byCore = new Map<string, number>();
    const coresBySocket = new Map<string, Set<string>>();
    for (const cpu of list.filter((c) => onlineSet.has(c))) {
      const topo = join(sys, `cpu/cpu${cpu}/topology`);
      const [pkg, core] = await Promise.all([read(join(topo, 'physical_package_id')), read(join(topo, 'core_id'))]);
      const socket = (pkg ?? '0').trim();
      const key = `${socket}/${(core ?? String(cpu)).trim()}`;
      byCore.set(key, (byCore.get(key) ?? 0) + 1);
      const set = coresBySocket.get(socket) ?? new Set<string>();
      set.add(key);
      coresBySocket.set(socket, set);
    }
    sockets = Math.max(sockets, coresBySocket.size);
    for (const s of coresBySocket.values()) cores = Math.max(cores, s.size);
    for (const n of byCore.values()) threads = Math.max(threads, n);
  }
  const nodes = nodeCpus.length;
  if (cpus.length === 0 || nodes * sockets * cores * threads !== cpus.length) {
    return { ...base, nodes: 1, sockets: 1, cores: Math.max(cpus.length, 1), threads: 1 };
  }
  return { ...base, nodes, sockets, cores, threads };
}

/** CPUs of each NUMA node (nodes without CPUs skipped); one node with every CPU when sysfs has none. */
async function nodeCpuLists(sys: string, cpus: number[]): Promise<number[][]> {
  const names = await readdir(join(sys, 'node')).catch(() => [] as string[]);
  const lists: number[][] = [];
  for (const n of names.filter((x) => /^node\d+$/.test(x)).sort()) {
    const list = parseCpuList((await read(join(sys, 'node', n, 'cpulist'))) ?? '');
    if (list.length > 0) lists.push(list);
  }
  return lists.length > 0 ? lists : [cpus];
}
