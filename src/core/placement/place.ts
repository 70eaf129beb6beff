/**
 * Automatic placement of one dedicated domain (what libvirt leaves to numad or to the user):
 * one NUMA node with enough free threads, memory and huge pages; each vCPU on its own host
 * thread that no other dedicated domain holds; emulator threads on shared CPUs, never on
 * dedicated ones. Pure: the host's topology and the current holdings in, a Placement out (or a
 * PLACEMENT_NO_FIT error saying what each node is short of). docs/placement.md has the rules.
 */
import { VirtkitError } from '../errors.js';
import { nodeCores, pickThreads, type ThreadPick } from './threads.js';
import type { HostCpu, HostNumaTopology, NumaNode } from './topology.js';
import type { Holding, NodeShortfall, Placement, PlacementInput, PlacementRequest } from './types.js';

/** "4 GiB", "1.5 GiB", "512 MiB", "640 KiB". */
export function formatKiB(k: number): string {
  const units: [number, string][] = [[1024 * 1024, 'GiB'], [1024, 'MiB']];
  for (const [size, unit] of units) if (k >= size) return `${Number((k / size).toFixed(2))} ${unit}`;
  return `${k} KiB`;
}

/** The default shared CPUs: the first physical core (all its threads) of each node with CPUs. */
export function defaultSharedCpus(host: HostNumaTopology): number[] {
  return host.nodes.flatMap((n) => {
    const first = host.cpus.find((c) => c.node === n.id);
    return first === undefined ? [] : first.siblings.filter((s) => n.cpus.includes(s));
  });
}

function checkRequest(input: PlacementInput): void {
  const r = input.request;
  const bad = (what: string): never => { throw new VirtkitError('INVALID_ARGUMENT', `placement of '${r.domain}': ${what}`); };
  if (!Number.isInteger(r.vcpus) || r.vcpus < 1) bad(`vcpus must be a whole number of at least 1, not ${r.vcpus}`);
  if (!Number.isInteger(r.memoryKiB) || r.memoryKiB < 1) bad(`memory must be a positive number of KiB, not ${r.memoryKiB}`);
  if (r.hugepageKiB !== undefined && (!Number.isInteger(r.hugepageKiB) || r.hugepageKiB < 1)) bad(`the huge page size must be a positive number of KiB, not ${r.hugepageKiB}`);
  if (input.holdings.some((h) => h.domain === r.domain)) {
    throw new VirtkitError('OPERATION_INVALID', `domain '${r.domain}' holds host CPUs already: release its placement before placing it again`, { details: { domain: r.domain } });
  }
}

interface Candidate {
  readonly node: NumaNode;
  readonly pick: ThreadPick;
  readonly emulator: number[];
  readonly localEmulator: boolean;
  readonly freeAfter: number;
}

/** Memory and huge pages (by page size) the holdings are promised, per node. */
interface Promised { kiB: number; pages: Map<number, number> }

function promisedByNode(holdings: readonly Holding[]): Map<number, Promised> {
  const out = new Map<number, Promised>();
  const of = (node: number): Promised => {
    let p = out.get(node);
    if (p === undefined) out.set(node, (p = { kiB: 0, pages: new Map() }));
    return p;
  };
  for (const h of holdings) {
    for (const m of h.memory) of(m.node).kiB += m.kiB;
    for (const hp of h.hugepages) { const p = of(hp.node); p.pages.set(hp.sizeKiB, (p.pages.get(hp.sizeKiB) ?? 0) + hp.pages); }
  }
  return out;
}

/** Normal memory and huge pages the node can still give (its free figures, less what holdings are promised). */
function memoryShort(node: NumaNode, promised: Promised | undefined, r: PlacementRequest): string[] {
  if (r.hugepageKiB !== undefined) {
    const size = r.hugepageKiB;
    const pages = Math.ceil(r.memoryKiB / size);
    const pool = node.hugepages.find((p) => p.sizeKiB === size);
    if (pool === undefined) return [`${formatKiB(size)} pages: ${pages} needed, the node has no pool of that size`];
    const avail = Math.max(0, Math.min(pool.free, pool.total - (promised?.pages.get(size) ?? 0)));
    return avail >= pages ? [] : [`${formatKiB(size)} pages: ${pages} needed, ${avail} free`];
  }
  const pools = node.hugepages.reduce((s, p) => s + p.sizeKiB * p.total, 0);
  const avail = Math.max(0, Math.min(node.memFreeKiB, node.memTotalKiB - pools - (promised?.kiB ?? 0)));
  return avail >= r.memoryKiB ? [] : [`memory: ${formatKiB(r.memoryKiB)} needed, ${formatKiB(avail)} free`];
}

/** The host's CPUs by node, computed once per topology object (placement runs often on one host). */
const byNodeCache = new WeakMap<HostNumaTopology, Map<number, HostCpu[]>>();
function cpusByNode(host: HostNumaTopology): Map<number, HostCpu[]> {
  let m = byNodeCache.get(host);
  if (m === undefined) {
    m = new Map(host.nodes.map((n) => [n.id, [] as HostCpu[]]));
    for (const c of host.cpus) m.get(c.node)?.push(c);
    byNodeCache.set(host, m);
  }
  return m;
}

/** Shared CPUs for the emulator: the node's own, else those of the nearest nodes (SLIT distance) that have some. */
function emulatorCpus(host: HostNumaTopology, node: NumaNode, shared: ReadonlySet<number>): { cpus: number[]; local: boolean } {
  const on = (n: NumaNode): number[] => n.cpus.filter((c) => shared.has(c));
  const local = on(node);
  if (local.length > 0) return { cpus: local, local: true };
  const dist = (id: number): number => node.distances.find((d) => d.node === id)?.value ?? Number.MAX_SAFE_INTEGER;
  const others = host.nodes.filter((n) => n.id !== node.id && on(n).length > 0);
  const nearest = Math.min(...others.map((n) => dist(n.id)));
  return { cpus: others.filter((n) => dist(n.id) === nearest).flatMap(on).sort((a, b) => a - b), local: false };
}

function better(a: Candidate, b: Candidate): boolean {
  if (a.localEmulator !== b.localEmulator) return a.localEmulator;
  if (a.pick.sharedCores !== b.pick.sharedCores) return a.pick.sharedCores < b.pick.sharedCores;
  if (a.freeAfter !== b.freeAfter) return a.freeAfter < b.freeAfter; // pack: keep room on other nodes for big domains
  return a.node.id < b.node.id;
}

export function placeDomain(input: PlacementInput): Placement {
  checkRequest(input);
  const { host, holdings, request: r } = input;
  const smt = r.smt ?? 'prefer';
  const shared = new Set(input.sharedCpus ?? defaultSharedCpus(host));
  const taken = new Set<number>(shared);
  for (const h of holdings) for (const c of h.cpus) taken.add(c);
  const promised = promisedByNode(holdings);
  const byNode = cpusByNode(host);
  const shortfalls: NodeShortfall[] = [];
  let best: Candidate | undefined;
  for (const node of host.nodes) {
    const short: string[] = [];
    const cores = nodeCores(byNode.get(node.id) ?? [], taken);
    const pick = node.cpus.length === 0 ? 'CPUs: the node has none' : pickThreads(cores, r.vcpus, smt);
    if (typeof pick === 'string') short.push(pick.startsWith('CPUs') ? pick : `CPUs: ${pick}`);
    short.push(...memoryShort(node, promised.get(node.id), r));
    const emu = emulatorCpus(host, node, shared);
    if (emu.cpus.length === 0) short.push('emulator: no shared CPU on any node for the emulator threads');
    if (short.length > 0 || typeof pick === 'string') {
      shortfalls.push({ node: node.id, short });
      continue;
    }
    const freeAfter = cores.reduce((s, c) => s + c.free.length, 0) - pick.vcpus.length - pick.idle.length;
    const cand: Candidate = { node, pick, emulator: emu.cpus, localEmulator: emu.local, freeAfter };
    if (best === undefined || better(cand, best)) best = cand;
  }
  if (best === undefined) throw noFit(r, smt, shortfalls);
  const { node, pick } = best;
  const pages = r.hugepageKiB === undefined ? undefined : { sizeKiB: r.hugepageKiB, pages: Math.ceil(r.memoryKiB / r.hugepageKiB) };
  return {
    domain: r.domain,
    node: node.id,
    vcpus: pick.vcpus,
    idle: pick.idle,
    emulator: best.emulator,
    memoryKiB: r.memoryKiB,
    ...(pages === undefined ? {} : { hugepages: pages }),
    guestThreads: pick.guestThreads,
    holding: {
      domain: r.domain,
      cpus: [...pick.vcpus, ...pick.idle].sort((a, b) => a - b),
      memory: pages === undefined ? [{ node: node.id, kiB: r.memoryKiB }] : [],
      hugepages: pages === undefined ? [] : [{ node: node.id, ...pages }],
    },
  };
}

function noFit(r: PlacementRequest, smt: string, nodes: NodeShortfall[]): VirtkitError {
  const what = [`${r.vcpus} vCPU${r.vcpus === 1 ? '' : 's'}`, formatKiB(r.memoryKiB), ...(r.hugepageKiB === undefined ? [] : [`${formatKiB(r.hugepageKiB)} pages`]), `smt=${smt}`];
  const per = nodes.map((n) => `node ${n.node}: ${n.short.join('; ')}`);
  return new VirtkitError('PLACEMENT_NO_FIT',
    `cannot place domain '${r.domain}' (${what.join(', ')}) on one NUMA node: ${per.join(' | ')}. ` +
    'Free CPUs or memory (stop or re-place a dedicated domain), reserve more huge pages on a node (allocpages), or ask for less.',
    { details: { domain: r.domain, request: { ...r, smt }, nodes } });
}
