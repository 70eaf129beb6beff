/**
 * Which threads of one NUMA node a domain's vCPUs get, by SMT policy (types.ts). A core is the
 * set of a CPU's online siblings; a thread is free when no dedicated domain holds it and it is
 * not shared (emulator threads, the host). Cores are taken in order of their first thread, so
 * that the same inputs always give the same answer.
 */
import type { SmtPolicy } from './types.js';
import type { HostCpu } from './topology.js';

export interface Core {
  /** The core's online threads on the node, ascending. */
  readonly threads: readonly number[];
  /** Those no dedicated domain holds and not shared. */
  readonly free: readonly number[];
}

export interface ThreadPick {
  /** vCPU i -> host thread, siblings next to each other. */
  readonly vcpus: number[];
  /** Threads held idle beside them. */
  readonly idle: number[];
  /** Cores the vCPUs share with another domain or leave a free thread on (prefer only). */
  readonly splitCores: number;
  /** Threads per core when every vCPU came in whole cores of one size; else 1. */
  readonly guestThreads: number;
}

/** The cores of one node's CPUs with their free threads. */
export function nodeCores(cpus: readonly HostCpu[], taken: ReadonlySet<number>): Core[] {
  const here = new Set(cpus.map((c) => c.id));
  const cores = new Map<number, Core>();
  for (const c of cpus) {
    const first = c.siblings[0] ?? c.id;
    if (cores.has(first)) continue;
    const threads = c.siblings.filter((s) => here.has(s));
    cores.set(first, { threads, free: threads.filter((t) => !taken.has(t)) });
  }
  return [...cores.entries()].sort((a, b) => a[0] - b[0]).map(([, core]) => core);
}

const whole = (c: Core): boolean => c.free.length === c.threads.length && c.free.length > 0;

function guestThreads(picked: readonly Core[], n: number): number {
  const t = picked[0]?.threads.length ?? 1;
  return picked.every((c) => c.threads.length === t) && n % t === 0 && n / t === picked.length ? t : 1;
}

/** Threads for `n` vCPUs on these cores, or what is short (in words) when they cannot take them. */
export function pickThreads(cores: readonly Core[], n: number, policy: SmtPolicy): ThreadPick | string {
  if (policy === 'isolate') {
    const eligible = cores.filter(whole);
    if (eligible.length < n) return `${n} whole free cores for one vCPU each (isolate), it has ${eligible.length}`;
    const picked = eligible.slice(0, n);
    return { vcpus: picked.map((c) => c.free[0] as number), idle: picked.flatMap((c) => c.free.slice(1)), splitCores: 0, guestThreads: 1 };
  }
  if (policy === 'require') {
    if (!cores.some((c) => c.threads.length > 1)) return 'SMT siblings (require), its cores have one thread each';
    const eligible = cores.filter((c) => whole(c) && c.threads.length > 1);
    const picked: Core[] = [];
    let got = 0;
    for (const c of eligible) {
      if (got >= n) break;
      picked.push(c);
      got += c.free.length;
    }
    if (got < n) return `${n} threads on whole free cores (require), it has ${eligible.reduce((s, c) => s + c.free.length, 0)} on ${eligible.length} cores`;
    const all = picked.flatMap((c) => c.free);
    return { vcpus: all.slice(0, n), idle: all.slice(n), splitCores: 0, guestThreads: guestThreads(picked, n) };
  }
  return preferPick(cores, n);
}

/**
 * prefer: whole free cores while a whole core still fits in what is left; the rest on the core
 * that fits it most tightly (a partly free core before breaking a whole one); when nothing
 * holds the rest, the cores with most free threads first.
 */
function preferPick(cores: readonly Core[], n: number): ThreadPick | string {
  const free = cores.reduce((s, c) => s + c.free.length, 0);
  if (free < n) return `${n} free threads, it has ${free}`;
  const left = [...cores].filter((c) => c.free.length > 0);
  const vcpus: number[] = [];
  const picked: Core[] = [];
  let split = 0;
  while (vcpus.length < n) {
    const need = n - vcpus.length;
    const wholeFit = left.findIndex((c) => whole(c) && c.free.length <= need);
    let i = wholeFit;
    if (i < 0) {
      let best = -1;
      for (const [j, c] of left.entries()) {
        if (c.free.length < need) continue;
        const b = left[best];
        if (b === undefined || c.free.length < b.free.length || (c.free.length === b.free.length && !whole(c) && whole(b))) best = j;
      }
      i = best >= 0 ? best : left.reduce((m, c, j) => (c.free.length > (left[m]?.free.length ?? 0) ? j : m), 0);
    }
    const c = left.splice(i, 1)[0] as Core;
    const take = c.free.slice(0, need);
    vcpus.push(...take);
    picked.push(c);
    if (take.length < c.threads.length) split++;
  }
  return { vcpus, idle: [], splitCores: split, guestThreads: split === 0 ? guestThreads(picked, n) : 1 };
}
