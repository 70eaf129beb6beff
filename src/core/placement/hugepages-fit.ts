/**
 * Do the host's huge page pools hold what a domain's <memoryBacking><hugepages> asks for? A pure
 * check run before QEMU starts: QEMU preallocates hugetlbfs-backed RAM (prealloc=on, as libvirt),
 * so a start that does not fit would otherwise die inside QEMU with a bare "cannot allocate memory".
 *
 * Each guest NUMA cell (or the whole guest without cells) needs ceil(size / page size) pages of the
 * page size its <page> gives (the same choice as the argv builder: pageForCell); a cell that no
 * <page nodeset> covers, when every <page> has one, is ordinary RAM and needs none. Where numatune binds
 * the cell's memory (mode strict or restrictive, through memnode or memory), the pages must come from
 * those host nodes; otherwise (no numatune, preferred, interleave: the kernel falls back to any node for
 * huge pages) from any node, so the free pages of every node add up. The free counts are the kernel's
 * (free_hugepages), which already leave out the pages of running guests.
 *
 * Several cells may draw on overlapping node sets: the demand fits when, for every union U of the sets,
 * the cells bound inside U need no more than U has free (Hall's condition for this transport problem).
 */
import { VirtkitError } from '../errors.js';
import { parseCpuset } from '../xml/values.js';
import type { DomainDef } from '../xml/domain/index.js';
import { formatCpuset } from './cpuset.js';
import type { HostNumaTopology } from './topology.js';

type HugepagesElem = NonNullable<NonNullable<DomainDef['memoryBacking']>['hugepages']>;
type Page = NonNullable<HugepagesElem['page']>[number];

/**
 * What backs guest cell `cellId` (the whole guest: undefined), as libvirt's qemuBuildMemoryBackendProps
 * picks it: the <page> whose nodeset holds the cell, else the <page> without a nodeset; 'default' for
 * <hugepages/> without <page> (pages of the host's default size); undefined where every <page> has a
 * nodeset and none holds the cell: that cell gets ordinary RAM (memory-backend-ram), no huge pages.
 */
export function pageForCell(hp: HugepagesElem, cellId: number | undefined): Page | 'default' | undefined {
  const pages = hp.page ?? [];
  if (pages.length === 0) return 'default';
  const own = cellId === undefined ? undefined : pages.find((p) => p.nodeset !== undefined && parseCpuset(p.nodeset).includes(cellId));
  return own ?? pages.find((p) => p.nodeset === undefined);
}

/** What one guest cell (or the whole guest) takes from the pools of one page size. */
export interface HugepageDemand {
  /** Guest cell ids; empty for a guest without NUMA cells. */
  readonly cells: readonly number[];
  readonly sizeKiB: number;
  readonly pages: number;
  /** The host nodes the pages may come from. */
  readonly nodes: readonly number[];
}

interface HugepageShortage extends HugepageDemand {
  /** Free pages of that size on `nodes`, all together. */
  readonly free: number;
  /** Free pages per node of `nodes` (0 where the node has no pool of that size). */
  readonly freePerNode: readonly { readonly node: number; readonly free: number }[];
}

/** Guest memory rounded up to a whole MiB, as the argv sizes its backends (219100 KiB -> 219136 KiB). */
export const roundMiB = (kib: number): number => Math.ceil(kib / 1024) * 1024;

/** The host nodes numatune binds guest cell `cellId` to (undefined: any node). */
function boundNodes(def: DomainDef, cellId: number | undefined): number[] | undefined {
  const nt = def.numatune;
  const binds = (mode: string | undefined): boolean => mode === undefined || mode === 'strict' || mode === 'restrictive';
  const mn = cellId === undefined ? undefined : (nt?.memnode ?? []).find((m) => m.cellid === cellId);
  if (mn !== undefined) return binds(mn.mode) ? parseCpuset(mn.nodeset) : undefined;
  const m = nt?.memory;
  if (m === undefined || m.nodeset === undefined || !binds(m.mode)) return undefined;
  return parseCpuset(m.nodeset);
}

/**
 * Each cell's (or the whole guest's) huge page demand; [] when the domain has no <hugepages>. A cell
 * that no <page> covers (ordinary RAM, see pageForCell) takes nothing from the pools.
 */
export function hugepageDemands(def: DomainDef, defaultHugepageKiB: number, hostNodes: readonly number[]): HugepageDemand[] {
  const hp = def.memoryBacking?.hugepages;
  if (hp === undefined) return [];
  const cells = def.cpu?.numa?.cell ?? [];
  const parts = cells.length > 0
    ? cells.map((c, i) => ({ id: c.id ?? i as number | undefined, kib: roundMiB(c.memory) }))
    : [{ id: undefined, kib: roundMiB(def.memory?.value ?? 0) }];
  return parts.flatMap(({ id, kib }) => {
    const page = pageForCell(hp, id);
    if (page === undefined) return [];
    const sizeKiB = page === 'default' ? defaultHugepageKiB : page.size;
    return [{ cells: id === undefined ? [] : [id], sizeKiB, pages: Math.ceil(kib / sizeKiB), nodes: boundNodes(def, id) ?? [...hostNodes] }];
  });
}

const key = (nodes: readonly number[]): string => nodes.join(',');

/** The shortages of `demands` against the host's free pages; [] when the domain fits. */
function hugepageShortages(demands: readonly HugepageDemand[], host: HostNumaTopology): HugepageShortage[] {
  const out: HugepageShortage[] = [];
  for (const sizeKiB of [...new Set(demands.map((d) => d.sizeKiB))].sort((a, b) => a - b)) {
    const mine = demands.filter((d) => d.sizeKiB === sizeKiB);
    const freeOn = (n: number): number => host.nodes.find((h) => h.id === n)?.hugepages.find((p) => p.sizeKiB === sizeKiB)?.free ?? 0;
    // Every union of the demands' node sets, smallest first.
    const unions = new Map<string, number[]>();
    for (const d of mine) {
      const set = [...new Set(d.nodes)].sort((a, b) => a - b);
      for (const u of [...unions.values(), []]) {
        const s = [...new Set([...u, ...set])].sort((a, b) => a - b);
        unions.set(key(s), s);
      }
    }
    const ordered = [...unions.values()].sort((a, b) => a.length - b.length || key(a).localeCompare(key(b)));
    const short: number[][] = [];
    for (const u of ordered) {
      // A union holding a smaller one already short says nothing new.
      if (short.some((s) => s.every((n) => u.includes(n)))) continue;
      const inside = mine.filter((d) => d.nodes.every((n) => u.includes(n)));
      const pages = inside.reduce((s, d) => s + d.pages, 0);
      const freePerNode = u.map((node) => ({ node, free: freeOn(node) }));
      const free = freePerNode.reduce((s, f) => s + f.free, 0);
      if (pages <= free) continue;
      short.push(u);
      out.push({ cells: inside.flatMap((d) => d.cells), sizeKiB, pages, nodes: u, free, freePerNode });
    }
  }
  return out;
}

/** "guest cell 1 needs 512 pages of 2048 KiB on host node 1; node 1 has 100 free" */
function describeShortage(s: HugepageShortage, demands: readonly HugepageDemand[]): string {
  const who = s.cells.length === 0 ? 'the guest needs' : s.cells.length === 1 ? `guest cell ${s.cells[0]} needs` : `guest cells ${formatCpuset(s.cells)} need`;
  const parts = demands.filter((d) => d.sizeKiB === s.sizeKiB && d.cells.some((c) => s.cells.includes(c))).map((d) => d.pages);
  const sum = parts.length > 1 ? ` (${parts.join(' + ')})` : '';
  const pages = `${s.pages} page${s.pages === 1 ? '' : 's'}`;
  if (s.nodes.length === 1) return `${who} ${pages} of ${s.sizeKiB} KiB${sum} on host node ${s.nodes[0]}; node ${s.nodes[0]} has ${s.free} free`;
  const each = s.freePerNode.map((f) => `node ${f.node}: ${f.free}`).join(', ');
  return `${who} ${pages} of ${s.sizeKiB} KiB${sum} on host nodes ${formatCpuset(s.nodes)}; they have ${s.free} free (${each})`;
}

/** Throws HUGEPAGES_INSUFFICIENT, naming every shortage, when the host's pools cannot back the domain. */
export function checkHugepagesFit(def: DomainDef, host: HostNumaTopology, defaultHugepageKiB: number): void {
  const demands = hugepageDemands(def, defaultHugepageKiB, host.nodes.map((n) => n.id));
  const short = hugepageShortages(demands, host);
  if (short.length === 0) return;
  throw new VirtkitError('HUGEPAGES_INSUFFICIENT',
    `domain '${def.name}' cannot start: ${short.map((s) => describeShortage(s, demands)).join('; ')}. Reserve more pages with 'virtkit allocpages', or free some`,
    { details: { shortages: short.map((s) => ({ cells: s.cells, pageSizeKiB: s.sizeKiB, needed: s.pages, nodes: s.nodes, free: s.free })) } });
}
