/**
 * The placement bench's simulation: a seeded stream of domains arriving and leaving on a
 * simulated host, replayed through a placer (virtkit's placeDomain, or a first-fit baseline),
 * counting what was placed, what shared a physical core with another domain, and the time
 * spent in the placer alone.
 */
import { isVirtkitError } from '../../src/core/errors.js';
import { defaultSharedCpus, placeDomain, type Holding, type HostNumaTopology, type SmtPolicy } from '../../src/core/placement/index.js';
import { seeded } from '../../tests/helpers/seeded-random.js';

const GiB = 1024 * 1024;

export interface SimDomain {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryKiB: number;
  readonly hugepageKiB?: number;
  readonly smt: SmtPolicy;
  /** Arrival index (the i-th arrival); it leaves just before arrival `depart`. */
  readonly arrive: number;
  readonly depart: number;
}

/** What a placer gave a domain: every host CPU it holds (vCPU threads and idle siblings). */
export interface Held {
  readonly cpus: readonly number[];
  readonly vcpus: readonly number[];
  readonly holding: Holding;
}

export interface Placer {
  readonly name: string;
  place(host: HostNumaTopology, shared: ReadonlySet<number>, live: ReadonlyMap<string, Held>, d: SimDomain): Held | undefined;
}

function pick<T>(r: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return (weighted[weighted.length - 1] as readonly [T, number])[0];
}

/** `n` domains of mixed sizes: 1-16 vCPUs, 1 or 2 GiB a vCPU, half on huge pages, SMT policies mixed; each lives 10-90 arrivals. */
export function workload(seed: number, n: number): SimDomain[] {
  const bytes = seeded(seed);
  const r = (): number => bytes(4).reduce((s, b) => s * 256 + b, 0) / 2 ** 32; // in [0, 1)
  return Array.from({ length: n }, (_, i): SimDomain => {
    const vcpus = pick(r, [[1, 20], [2, 30], [4, 25], [8, 15], [16, 10]] as const);
    const memoryKiB = vcpus * pick(r, [[1, 1], [2, 1]] as const) * GiB;
    const hp = pick(r, [[undefined, 50], [2048, 40], [GiB, 10]] as const);
    const smt = pick(r, [['prefer', 60], ['isolate', 20], ['require', 20]] as const);
    return { name: `d${i}`, vcpus, memoryKiB, ...(hp === undefined ? {} : { hugepageKiB: hp }), smt, arrive: i, depart: i + 10 + Math.floor(r() * 81) };
  });
}

/** Whether no two of these vCPU threads are siblings (isolate: one vCPU per physical core). */
function ownCoresApart(vcpus: readonly number[], siblings: ReadonlyMap<number, readonly number[]>): boolean {
  const set = new Set(vcpus);
  return vcpus.every((c) => (siblings.get(c) ?? []).every((s) => s === c || !set.has(s)));
}

export interface SimResult {
  readonly placer: string;
  readonly domains: number;
  readonly placed: number;
  /** Placed domains no other domain's vCPU ever ran beside on a physical core during their life. */
  readonly noSharing: number;
  /** Placed domains whose vCPUs all sit on one NUMA node. */
  readonly oneNode: number;
  /** Placed isolate domains whose cores no other vCPU used (their own included). */
  readonly isolateKept: number;
  readonly isolateAsked: number;
  /** Time inside the placer, all arrivals. */
  readonly ms: number;
}

export function simulate(host: HostNumaTopology, domains: readonly SimDomain[], placer: Placer): SimResult {
  const shared = new Set(defaultSharedCpus(host));
  const siblings = new Map(host.cpus.map((c) => [c.id, c.siblings] as const));
  const nodeOf = new Map(host.cpus.map((c) => [c.id, c.node] as const));
  const live = new Map<string, Held>();
  const owner = new Map<number, string>();
  const sharing = new Set<string>();
  const leaving = [...domains].sort((a, b) => a.depart - b.depart);
  let next = 0;
  let placed = 0;
  let oneNode = 0;
  const isolateApart = new Set<string>();
  let isolateAsked = 0;
  let ns = 0n;
  for (const d of domains) {
    for (; next < leaving.length && (leaving[next] as SimDomain).depart <= d.arrive; next++) {
      const gone = leaving[next] as SimDomain;
      for (const c of live.get(gone.name)?.cpus ?? []) owner.delete(c);
      live.delete(gone.name);
    }
    const t0 = process.hrtime.bigint();
    const held = placer.place(host, shared, live, d);
    ns += process.hrtime.bigint() - t0;
    if (held === undefined) continue;
    placed++;
    for (const c of held.cpus) {
      for (const s of siblings.get(c) ?? []) {
        const o = owner.get(s);
        if (o !== undefined && o !== d.name) { sharing.add(o); sharing.add(d.name); }
      }
    }
    for (const c of held.cpus) owner.set(c, d.name);
    live.set(d.name, held);
    if (new Set(held.vcpus.map((c) => nodeOf.get(c))).size === 1) oneNode++;
    if (d.smt === 'isolate') {
      isolateAsked++;
      if (ownCoresApart(held.vcpus, siblings)) isolateApart.add(d.name);
    }
  }
  const noSharing = placed - sharing.size;
  const isolateKept = [...isolateApart].filter((n) => !sharing.has(n)).length;
  return { placer: placer.name, domains: domains.length, placed, noSharing, oneNode, isolateKept, isolateAsked, ms: Number(ns) / 1e6 };
}

/** virtkit's placement: the live domains' holdings in, one placement out (or PLACEMENT_NO_FIT). */
export const virtkitPlacer: Placer = {
  name: 'virtkit',
  place(host, shared, live, d) {
    try {
      const p = placeDomain({
        host, sharedCpus: [...shared], holdings: [...live.values()].map((h) => h.holding),
        request: { domain: d.name, vcpus: d.vcpus, memoryKiB: d.memoryKiB, smt: d.smt, ...(d.hugepageKiB === undefined ? {} : { hugepageKiB: d.hugepageKiB }) },
      });
      return { cpus: p.holding.cpus, vcpus: p.vcpus, holding: p.holding };
    } catch (e) {
      if (isVirtkitError(e) && e.code === 'PLACEMENT_NO_FIT') return undefined;
      throw e;
    }
  },
};

function heldOf(d: SimDomain, cpus: number[]): Held {
  return { cpus, vcpus: cpus, holding: { domain: d.name, cpus, memory: [], hugepages: [] } };
}

/** First fit: the first free non-shared threads in CPU number order, anywhere on the host; no NUMA, SMT or memory checks. */
export const firstFitPlacer: Placer = {
  name: 'first-fit',
  place(host, shared, live, d) {
    const taken = new Set([...live.values()].flatMap((h) => h.cpus));
    const free = host.cpus.map((c) => c.id).filter((c) => !taken.has(c) && !shared.has(c));
    return free.length < d.vcpus ? undefined : heldOf(d, free.slice(0, d.vcpus));
  },
};

/** First fit per node: the first node with enough free non-shared threads, its first ones in number order; no SMT or memory checks. */
export const firstFitNodePlacer: Placer = {
  name: 'first-fit per node',
  place(host, shared, live, d) {
    const taken = new Set([...live.values()].flatMap((h) => h.cpus));
    for (const n of host.nodes) {
      const free = n.cpus.filter((c) => !taken.has(c) && !shared.has(c));
      if (free.length >= d.vcpus) return heldOf(d, free.slice(0, d.vcpus));
    }
    return undefined;
  },
};
