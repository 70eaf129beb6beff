/**
 * The host's CPU and NUMA layout as placement sees it: online CPUs with their package, die,
 * core and SMT siblings; NUMA nodes with their CPUs, memory, distances and huge page pools.
 * Read by src/host/sysfs/topology.ts (from /sys under a root a test can point at a fake tree);
 * pure data here, so placement (./place.ts) and the capabilities XML can take it as input.
 */

export interface HostCpu {
  /** The kernel's CPU number (a hardware thread). */
  readonly id: number;
  /** The NUMA node the CPU belongs to. */
  readonly node: number;
  /** physical_package_id (the socket). */
  readonly socket: number;
  /** die_id (0 where the kernel has none). */
  readonly die: number;
  /** core_id: unique only within its package and die. */
  readonly core: number;
  /** The online threads of this CPU's physical core, this one included, ascending. */
  readonly siblings: readonly number[];
}

export interface HugepagePool {
  readonly sizeKiB: number;
  /** nr_hugepages: pages in the node's pool. */
  readonly total: number;
  /** free_hugepages: pages no mapping has taken yet. */
  readonly free: number;
}

export interface NumaNode {
  readonly id: number;
  /** Online CPUs of the node, ascending (empty for a memory-only node). */
  readonly cpus: readonly number[];
  readonly memTotalKiB: number;
  readonly memFreeKiB: number;
  /** The node's SLIT distance to each node (itself included, 10 there), in node order. */
  readonly distances: readonly { readonly node: number; readonly value: number }[];
  /** Huge page pools by page size, ascending. */
  readonly hugepages: readonly HugepagePool[];
}

export interface HostNumaTopology {
  /** Online CPUs, ascending by id. */
  readonly cpus: readonly HostCpu[];
  /** NUMA nodes, ascending by id; one node 0 on a kernel without NUMA. */
  readonly nodes: readonly NumaNode[];
}
