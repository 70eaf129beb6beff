/**
 * What `virtkit placement` shows: per NUMA node, its CPUs, those dedicated domains hold, and the
 * normal memory and huge pages promised to them there. Pure: from the topology and the holdings.
 */
import type { HostNumaTopology } from './topology.js';
import type { Holding } from './types.js';

export interface NodeHeld {
  readonly node: number;
  readonly cpus: readonly number[];
  readonly heldCpus: readonly number[];
  readonly memoryKiB: number;
  readonly hugepages: readonly { readonly sizeKiB: number; readonly pages: number }[];
}

export function heldPerNode(host: HostNumaTopology, holdings: readonly Holding[]): NodeHeld[] {
  const held = new Set(holdings.flatMap((h) => h.cpus));
  return host.nodes.map((n) => {
    const pages = new Map<number, number>();
    for (const h of holdings) for (const p of h.hugepages) if (p.node === n.id) pages.set(p.sizeKiB, (pages.get(p.sizeKiB) ?? 0) + p.pages);
    return {
      node: n.id,
      cpus: n.cpus,
      heldCpus: n.cpus.filter((c) => held.has(c)),
      memoryKiB: holdings.reduce((s, h) => s + h.memory.filter((m) => m.node === n.id).reduce((t, m) => t + m.kiB, 0), 0),
      hugepages: [...pages].sort((a, b) => a[0] - b[0]).map(([sizeKiB, count]) => ({ sizeKiB, pages: count })),
    };
  });
}
