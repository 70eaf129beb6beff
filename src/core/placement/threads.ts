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
  /** Cores whose other threads another domain holds already (prefer only). */
  readonly sharedCores: number;
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
    return { vcpus: picked.map((c) => c.free[0] as number), idle: picked.flatMap((c) => c.free.slice(1)), sharedCores: 0, guestThreads: 1 };
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
    return { vcpus: all.slice(0, n), idle: all.slice(n), sharedCores: 0, guestThreads: guestThreads(picked, n) };
  }
  return preferPick(cores, n);
}

/**
 * prefer: whole free cores while a whole core still fits in what is left; the rest on a whole
 * free core too while there is one (its spare thread stays free, no other domain beside this
 * one yet); only then on the free threads of cores another domain holds part of, the core that
 * fits the rest most tightly first, else the cores with most free threads.
 */
function preferPick(cores: readonly Core[], n: number): ThreadPick | string {
  const free = cores.reduce((s, c) => s + c.free.length, 0);
  if (free < n) return `${n} free threads, it has ${free}`;
  const left = cores.filter((c) => c.free.length > 0);
  const vcpus: number[] = [];
  const picked: Core[] = [];
  let shared = 0;
  while (vcpus.length < n) {
    const need = n - vcpus.length;
    let i = left.findIndex((c) => whole(c) && c.free.length <= need);
    if (i < 0) i = left.findIndex(whole);
    if (i < 0) {
      for (const [j, c] of left.entries()) {
        const b = left[i];
        if (c.free.length >= need && (b === undefined || c.free.length < b.free.length)) i = j;
      }
    }
    if (i < 0) i = left.reduce((m, c, j) => (c.free.length > (left[m]?.free.length ?? 0) ? j : m), 0);
    const c = left.splice(i, 1)[0] as Core;
    if (!whole(c)) shared++;
    vcpus.push(...c.free.slice(0, need));
    picked.push(c);
  }
  return { vcpus, idle: [], sharedCores: shared, guestThreads: guestThreads(picked, n) };
}
