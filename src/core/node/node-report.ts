/**
 * What the daemon answers about the host's NUMA cells, CPUs and page pools (GET
 * /v1/host/topology), and virsh 9.0's text for the commands that read it: freecell,
 * freepages and nodecpumap. Pure: the daemon reads the report from sysfs
 * (src/host/sysfs/host-reader.ts); the CLI prints it with these functions.
 */
import { VirtkitError } from '../errors.js';
import { formatCpuset } from '../placement/cpuset.js';
import type { HostNumaTopology, NumaNode } from '../placement/topology.js';

export interface HostNodeReport {
  readonly topology: HostNumaTopology;
  /** The system page size, KiB. */
  readonly pageKiB: number;
  /** Present CPUs (sys/devices/system/cpu/present), online or not, ascending. */
  readonly presentCpus: readonly number[];
}

function cellOf(report: HostNodeReport, cell: number): NumaNode {
  const n = report.topology.nodes.find((x) => x.id === cell);
  if (n === undefined) {
    const ids = report.topology.nodes.map((x) => x.id).join(', ');
    throw new VirtkitError('INVALID_ARGUMENT', `invalid argument: NUMA cell ${cell} does not exist (this host has cells ${ids})`, { details: { cell } });
  }
  return n;
}

/** virsh freecell: the host's free memory, one cell's (`cellno`), or every cell's and the total (`all`). */
export function formatFreecell(report: HostNodeReport, o: { readonly cellno?: number; readonly all?: boolean }): string {
  const nodes = report.topology.nodes;
  const total = nodes.reduce((s, n) => s + n.memFreeKiB, 0);
  if (o.all === true) {
    const lines = nodes.map((n) => `${String(n.id).padStart(5)}: ${String(n.memFreeKiB).padStart(10)} KiB`);
    return [...lines, '--------------------', `${'Total'.padStart(5)}: ${String(total).padStart(10)} KiB`].join('\n');
  }
  if (o.cellno !== undefined) return `${o.cellno}: ${cellOf(report, o.cellno).memFreeKiB} KiB`;
  return `Total: ${total} KiB`;
}

/** Free pages of one size in one cell: the pool's free_hugepages, or MemFree / page size for the system page. */
export function freePages(report: HostNodeReport, node: NumaNode, sizeKiB: number): number {
  if (sizeKiB === report.pageKiB) return Math.floor(node.memFreeKiB / report.pageKiB);
  return node.hugepages.find((p) => p.sizeKiB === sizeKiB)?.free ?? 0;
}

/** Every page size of the host: the system page, then each pool's size, ascending. */
export function pageSizes(report: Pick<HostNodeReport, 'topology' | 'pageKiB'>): number[] {
  const sizes = new Set<number>([report.pageKiB]);
  for (const n of report.topology.nodes) for (const p of n.hugepages) sizes.add(p.sizeKiB);
  return [...sizes].sort((a, b) => a - b);
}

function checkSize(report: HostNodeReport, sizeKiB: number): void {
  if (!pageSizes(report).includes(sizeKiB)) {
    throw new VirtkitError('INVALID_ARGUMENT', `invalid argument: page size ${sizeKiB}KiB is not supported by this host (sizes: ${pageSizes(report).map((s) => `${s}KiB`).join(', ')})`,
      { details: { pageSizeKiB: sizeKiB } });
  }
}

/**
 * virsh freepages: with `all`, every cell and every page size (or only `pagesizeKiB`);
 * else one cell's free pages of one size (virsh needs both --cellno and --pagesize then).
 */
export function formatFreepages(report: HostNodeReport, o: { readonly cellno?: number; readonly pagesizeKiB?: number; readonly all?: boolean }): string {
  if (o.all === true) {
    const sizes = o.pagesizeKiB === undefined ? pageSizes(report) : [o.pagesizeKiB];
    if (o.pagesizeKiB !== undefined) checkSize(report, o.pagesizeKiB);
    // virsh ends each cell's block with an empty line
    return report.topology.nodes.map((n) => [`Node ${n.id}:`, ...sizes.map((s) => `${s}KiB: ${freePages(report, n, s)}`), ''].join('\n')).join('\n');
  }
  if (o.cellno === undefined) throw new VirtkitError('INVALID_ARGUMENT', 'missing cellno argument');
  if (o.pagesizeKiB === undefined) throw new VirtkitError('INVALID_ARGUMENT', 'missing pagesize argument');
  checkSize(report, o.pagesizeKiB);
  return `${o.pagesizeKiB}KiB: ${freePages(report, cellOf(report, o.cellno), o.pagesizeKiB)}`;
}

/**
 * virsh nodecpumap: present and online CPU counts, then the map: 'y' per online CPU and '-'
 * per offline one, from CPU 0 to the last present one; `pretty` gives the online list instead.
 */
export function formatNodeCpumap(report: HostNodeReport, pretty: boolean): string {
  const online = new Set(report.topology.cpus.map((c) => c.id));
  const present = report.presentCpus.length === 0 ? 0 : Math.max(...report.presentCpus) + 1;
  const map = pretty
    ? formatCpuset(online)
    : Array.from({ length: present }, (_, i) => (online.has(i) ? 'y' : '-')).join('');
  return [`${'CPUs present:'.padEnd(15)} ${present}`, `${'CPUs online:'.padEnd(15)} ${online.size}`, `${'CPU map:'.padEnd(15)} ${map}`].join('\n');
}
