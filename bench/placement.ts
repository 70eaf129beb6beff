/**
 * Placement bench (issue 10): 1,000 domains of mixed sizes arriving and leaving on a simulated
 * 8-socket, 256-thread host (8 NUMA nodes x 16 cores x 2 threads, Linux's CPU numbering), placed
 * by virtkit's placeDomain and, in the same run, by two first-fit baselines. Reports the time
 * spent in each placer and how many domains were placed without sharing a physical core with
 * another domain. Pure computation: no daemon, no QEMU. docs/bench.md has the definitions.
 *   npm run build && node dist/bench/placement.js [--runs N] [--seed S] [--domains N] [--json]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultSharedCpus } from '../src/core/placement/index.js';
import { fakeTopology } from '../tests/helpers/fake-sysfs.js';
import { firstFitNodePlacer, firstFitPlacer, simulate, virtkitPlacer, workload, type SimResult } from './lib/placement-sim.js';
import { load1 } from './lib/proc.js';
import { summarise } from './lib/stats.js';

const GiB = 1024 * 1024;
const PLACERS = [virtkitPlacer, firstFitPlacer, firstFitNodePlacer];

function main(): void {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' }, domains: { type: 'string' }, json: { type: 'boolean' } } });
  const runs = Number(values.runs ?? 7);
  const seed = Number(values.seed ?? 1);
  const n = Number(values.domains ?? 1000);
  const host = fakeTopology({
    nodes: 8, cores: 16, threads: 2, memTotalKiB: 192 * GiB, memFreeKiB: 184 * GiB,
    hugepages: [{ sizeKiB: 2048, total: 16384, free: 16384 }, { sizeKiB: GiB, total: 32, free: 32 }],
    distance: (a, b) => (Math.floor(a / 2) === Math.floor(b / 2) ? 16 : 32),
  });
  const domains = workload(seed, n);
  // requests no node can ever take (say isolate with more vCPUs than a node has free cores): refused even on an empty host
  const shared = new Set(defaultSharedCpus(host));
  const never = domains.filter((d) => virtkitPlacer.place(host, shared, new Map(), d) === undefined).length;
  const loadBefore = load1();
  for (const p of PLACERS) simulate(host, domains, p); // warm-up (JIT), not counted
  const results = new Map<string, SimResult[]>(PLACERS.map((p) => [p.name, []]));
  for (let r = 0; r < runs; r++) for (const p of PLACERS) results.get(p.name)?.push(simulate(host, domains, p));
  const first = (name: string): SimResult => results.get(name)?.[0] as SimResult;
  for (const [name, list] of results) {
    const a = first(name);
    if (list.some((x) => x.placed !== a.placed || x.noSharing !== a.noSharing)) throw new Error(`${name}: runs of one seed disagree`);
  }
  const ms = (name: string): number => summarise((results.get(name) ?? []).map((x) => x.ms))?.median ?? NaN;
  const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
  const asked = domains.reduce((s, d) => s + d.vcpus, 0);
  const rows: [string, (x: SimResult) => string][] = [
    ['placed (of all domains)', (x) => `${x.placed} (${pct(x.placed, x.domains)})`],
    ['... refused, that virtkit refuses even on an empty host (too big for one node)', (x) => (x.placer === virtkitPlacer.name ? String(never) : '')],
    ['placed without sharing a physical core (of all domains)', (x) => `${x.noSharing} (${pct(x.noSharing, x.domains)})`],
    ['... of the domains placed', (x) => pct(x.noSharing, x.placed)],
    ['vCPUs on one NUMA node (of the domains placed)', (x) => pct(x.oneNode, x.placed)],
    ['isolate kept: one vCPU per core, cores unshared (of isolate domains placed)', (x) => `${x.isolateKept} of ${x.isolateAsked}`],
    [`time for ${n} placements, median of ${runs} runs`, (x) => `${ms(x.placer).toFixed(1)} ms`],
    ['... per placement', (x) => `${((1000 * ms(x.placer)) / n).toFixed(1)} us`],
  ];
  const meta = {
    date: new Date().toISOString(), node: process.version, cpus: cpus().length, load1Before: loadBefore, load1After: load1(),
    seed, runs, domains: n, vcpusAsked: asked, neverFit: never, host: '8 nodes x 16 cores x 2 threads (256 threads, 16 shared), 192 GiB a node, 2 MiB pool 32 GiB + 1 GiB pool 32 GiB a node',
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ meta, results: Object.fromEntries(results) }, null, 2)}\n`);
    return;
  }
  const names = PLACERS.map((p) => p.name);
  const out = [`| row | ${names.join(' | ')} |`, `| --- | ${names.map(() => '--:').join(' | ')} |`];
  for (const [label, f] of rows) out.push(`| ${label} | ${names.map((nm) => f(first(nm))).join(' | ')} |`);
  process.stdout.write(`${out.join('\n')}\n\n${JSON.stringify(meta)}\n`);
}

main();
