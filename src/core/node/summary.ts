/**
 * The host's CPU topology as libvirt sums it up (virHostCPUGetInfoPopulateLinux), for
 * `nodeinfo` and the `<topology sockets dies cores threads>` of the capabilities XML:
 * NUMA nodes with CPUs, sockets per node, dies per socket, cores per die, threads per core
 * (each the maximum over the host). When those do not multiply out to the online CPU count
 * (an offline CPU, an uneven host), libvirt reports 1 node, 1 socket, 1 die, N cores,
 * 1 thread, and so does this. Pure: the topology comes from src/host/sysfs/topology.ts.
 */
import type { HostNumaTopology } from '../placement/topology.js';

export interface TopologySummary {
  readonly cpus: number;
  readonly nodes: number;
  readonly sockets: number;
  readonly dies: number;
  readonly cores: number;
  readonly threads: number;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = m.get(k);
    if (list) list.push(i);
    else m.set(k, [i]);
  }
  return m;
}

export function summarizeTopology(topo: HostNumaTopology): TopologySummary {
  const cpus = topo.cpus.length;
  let nodes = 0;
  let sockets = 0;
  let dies = 0;
  let cores = 0;
  let threads = 0;
  for (const n of topo.nodes) {
    const inNode = new Set(n.cpus);
    const list = topo.cpus.filter((c) => inNode.has(c.id));
    // libvirt skips a node without CPUs (memory only)
    if (list.length === 0) continue;
    nodes++;
    const bySocket = countBy(list, (c) => String(c.socket));
    sockets = Math.max(sockets, bySocket.size);
    for (const s of bySocket.values()) {
      const byDie = countBy(s, (c) => String(c.die));
      dies = Math.max(dies, byDie.size);
      for (const d of byDie.values()) {
        const byCore = countBy(d, (c) => String(c.core));
        cores = Math.max(cores, byCore.size);
        for (const t of byCore.values()) threads = Math.max(threads, t.length);
      }
    }
  }
  if (cpus === 0 || nodes * sockets * dies * cores * threads !== cpus) {
    return { cpus, nodes: 1, sockets: 1, dies: 1, cores: Math.max(cpus, 1), threads: 1 };
  }
  return { cpus, nodes, sockets, dies, cores, threads };
}
