/**
 * Host CPU and memory facts, as `virsh nodeinfo` reports them: the topology from the sysfs
 * reader (src/host/sysfs/topology.ts) summed up as libvirt does (src/core/node/summary.ts),
 * the frequency from /proc/cpuinfo and the memory from /proc/meminfo, all under an injectable
 * root (tests point it at a fake tree).
 */
import { readFile } from 'node:fs/promises';
import { machine } from 'node:os';
import { join } from 'node:path';
import { summarizeTopology } from '../core/node/summary.js';
import { meminfoKiB } from './node-stats.js';
import { readHostTopology } from './sysfs/topology.js';

export { parseCpuList } from './cpu-list.js';

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

export async function readNodeInfo(src: NodeInfoSource = {}): Promise<NodeInfo> {
  const root = src.root ?? '/';
  const [topology, cpuinfo, meminfo] = await Promise.all([
    readHostTopology({ root }),
    read(join(root, 'proc/cpuinfo')),
    read(join(root, 'proc/meminfo')),
  ]);
  const mhz = Math.trunc(Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo ?? '')?.[1] ?? 0));
  const memoryKiB = meminfoKiB(meminfo ?? '', 'MemTotal') ?? 0;
  const s = summarizeTopology(topology);
  // nodeinfo has no dies: libvirt folds them into the cores per socket
  return {
    model: src.arch ?? machine(), cpus: s.cpus, mhz, nodes: s.nodes, sockets: s.sockets,
    cores: s.cores * s.dies, threads: s.threads, memoryKiB,
  };
}
