import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeTopology, type FakeHostSpec } from '../../../tests/helpers/fake-sysfs.js';
import { seeded } from '../../../tests/helpers/seeded-random.js';
import { isVirtkitError } from '../errors.js';
import { placeDomain } from './place.js';
import type { Holding, Placement, PlacementRequest, SmtPolicy } from './types.js';

const GiB = 1024 * 1024;
/** 2 nodes x 4 cores x 2 threads. node 0: cores (0,8) (1,9) (2,10) (3,11); node 1: (4,12) (5,13) (6,14) (7,15). The first core of each is shared. */
const TWO: FakeHostSpec = { nodes: 2, cores: 4, threads: 2 };
const hold = (domain: string, cpus: number[], extra: Partial<Holding> = {}): Holding => ({ domain, cpus, memory: [], hugepages: [], ...extra });
const req = (vcpus: number, more: Partial<PlacementRequest> = {}): PlacementRequest => ({ domain: 'new', vcpus, memoryKiB: GiB, ...more });

interface Case {
  readonly name: string;
  readonly host: FakeHostSpec;
  readonly holdings?: Holding[];
  readonly shared?: number[];
  readonly request: PlacementRequest;
  readonly expect: { node: number; vcpus: number[]; idle?: number[]; emulator?: number[]; guestThreads?: number } | { error: RegExp };
}

const CASES: Case[] = [
  { name: 'empty host, 4 vCPUs, prefer: node 0, two pairs of siblings, emulator on the shared core',
    host: TWO, request: req(4), expect: { node: 0, vcpus: [1, 9, 2, 10], idle: [], emulator: [0, 8], guestThreads: 2 } },
  { name: 'busy node: node 0 has one free core left, 4 vCPUs go to node 1',
    host: TWO, holdings: [hold('a', [1, 9, 2, 10])], request: req(4), expect: { node: 1, vcpus: [5, 13, 6, 14], emulator: [4, 12] } },
  { name: 'packing: 2 vCPUs take the last free core of node 0, not a core of the empty node 1',
    host: TWO, holdings: [hold('a', [1, 9, 2, 10])], request: req(2), expect: { node: 0, vcpus: [3, 11] } },
  { name: 'prefer, odd count: the last vCPU on a whole free core rather than beside another domain',
    host: TWO, holdings: [hold('a', [3])], request: req(3), expect: { node: 0, vcpus: [1, 9, 2], guestThreads: 1 } },
  { name: 'prefer: a node where no core is shared with another domain beats a fuller one',
    host: TWO, holdings: [hold('a', [3]), hold('b', [1, 9])], request: req(3), expect: { node: 1, vcpus: [5, 13, 6] } },
  { name: 'prefer: the free sibling of a half-held core once no whole core is left on any node',
    host: TWO, holdings: [hold('a', [3]), hold('b', [1, 9]), hold('c', [5, 13, 6, 14, 7, 15])], request: req(3), expect: { node: 0, vcpus: [2, 10, 11] } },
  { name: 'prefer: takes threads of split cores when whole ones run out',
    host: TWO, holdings: [hold('a', [1, 2, 3]), hold('b', [5, 6, 7, 13, 14, 15])], request: req(3), expect: { node: 0, vcpus: [9, 10, 11] } },
  { name: 'isolate: one vCPU per core, the siblings held idle',
    host: TWO, request: req(3, { smt: 'isolate' }), expect: { node: 0, vcpus: [1, 2, 3], idle: [9, 10, 11], guestThreads: 1 } },
  { name: 'isolate: a core with one busy thread does not count, node 1 it is',
    host: TWO, holdings: [hold('a', [9])], request: req(3, { smt: 'isolate' }), expect: { node: 1, vcpus: [5, 6, 7], idle: [13, 14, 15] } },
  { name: 'require: whole cores only, the spare thread of the last one held idle',
    host: TWO, holdings: [hold('a', [9])], request: req(3, { smt: 'require' }), expect: { node: 0, vcpus: [2, 10, 3], idle: [11] } },
  { name: 'require on a host without SMT: refused, saying so',
    host: { nodes: 1, cores: 4, threads: 1 }, request: req(2, { smt: 'require' }),
    expect: { error: /node 0: CPUs: SMT siblings \(require\), its cores have one thread each/ } },
  { name: 'hugepages per node: node 0 has 100 free 2 MiB pages of 512 needed, node 1 has them',
    host: { ...TWO, node: { 0: { hugepages: [{ sizeKiB: 2048, total: 512, free: 100 }] }, 1: { hugepages: [{ sizeKiB: 2048, total: 1024, free: 1024 }] } } },
    request: req(2, { hugepageKiB: 2048 }), expect: { node: 1, vcpus: [5, 13] } },
  { name: 'hugepages promised to a domain that has not touched them yet count as taken',
    host: { ...TWO, node: { 0: { hugepages: [{ sizeKiB: 2048, total: 512, free: 100 }] }, 1: { hugepages: [{ sizeKiB: 2048, total: 1024, free: 1024 }] } } },
    holdings: [hold('a', [5], { hugepages: [{ node: 1, sizeKiB: 2048, pages: 600 }] })], request: req(2, { hugepageKiB: 2048 }),
    expect: { error: /node 0: 2 MiB pages: 512 needed, 100 free \| node 1: 2 MiB pages: 512 needed, 424 free/ } },
  { name: '1 GiB pages where only node 1 has a pool of that size',
    host: { ...TWO, node: { 1: { hugepages: [{ sizeKiB: GiB, total: 2, free: 2 }] } } }, request: req(2, { memoryKiB: 2 * GiB, hugepageKiB: GiB }),
    expect: { node: 1, vcpus: [5, 13] } },
  { name: 'memory: node 0 has 1 GiB free, 4 GiB go to node 1',
    host: { ...TWO, node: { 0: { memFreeKiB: GiB } } }, request: req(2, { memoryKiB: 4 * GiB }), expect: { node: 1, vcpus: [5, 13] } },
  { name: 'memory promised to placed domains counts, and the huge page pools are not free memory',
    host: { ...TWO, memTotalKiB: 16 * GiB, memFreeKiB: 15 * GiB, hugepages: [{ sizeKiB: 2048, total: 2048, free: 2048 }] },
    holdings: [hold('a', [1], { memory: [{ node: 0, kiB: 8 * GiB }] })], request: req(2, { memoryKiB: 6 * GiB }), expect: { node: 1, vcpus: [5, 13] } },
  { name: 'emulator: a node without shared CPUs uses those of the nearest node (SLIT distance)',
    host: { nodes: 4, cores: 2, threads: 2, distance: (a, b) => (Math.floor(a / 2) === Math.floor(b / 2) ? 12 : 32) },
    // nodes: 0 = (0,8) (1,9); 1 = (2,10) (3,11); 2 = (4,12) (5,13); 3 = (6,14) (7,15); only 2 has room, 3 is near it, 1 far
    shared: [3, 11, 7, 15], holdings: [hold('a', [0, 8, 1, 9, 2, 10, 6, 14])], request: req(2), expect: { node: 2, vcpus: [4, 12], emulator: [7, 15] } },
  { name: 'no shared CPU anywhere: nowhere for the emulator threads',
    host: TWO, shared: [], request: req(1), expect: { error: /emulator: no shared CPU on any node/ } },
  { name: 'nothing fits: each node says what it is short of',
    host: { ...TWO, node: { 1: { memFreeKiB: 2 * GiB } } }, holdings: [hold('a', [1, 9, 2, 10])], request: req(4, { memoryKiB: 3 * GiB, smt: 'isolate' }),
    expect: { error: /^cannot place domain 'new' \(4 vCPUs, 3 GiB, smt=isolate\) on one NUMA node: node 0: CPUs: 4 whole free cores for one vCPU each \(isolate\), it has 1 \| node 1: CPUs: 4 whole free cores for one vCPU each \(isolate\), it has 3; memory: 3 GiB needed, 2 GiB free\. / } },
];

function check(c: Case): void {
  const input = { host: fakeTopology(c.host), holdings: c.holdings ?? [], request: c.request, ...(c.shared === undefined ? {} : { sharedCpus: c.shared }) };
  if ('error' in c.expect) {
    assert.throws(() => placeDomain(input), (e: unknown) => isVirtkitError(e) && e.code === 'PLACEMENT_NO_FIT' && (c.expect as { error: RegExp }).error.test(e.message));
    return;
  }
  const p = placeDomain(input);
  const want = c.expect;
  assert.equal(p.node, want.node);
  assert.deepEqual(p.vcpus, want.vcpus);
  if (want.idle !== undefined) assert.deepEqual(p.idle, want.idle);
  if (want.emulator !== undefined) assert.deepEqual(p.emulator, want.emulator);
  if (want.guestThreads !== undefined) assert.equal(p.guestThreads, want.guestThreads);
  assert.deepEqual(p.holding.cpus, [...p.vcpus, ...p.idle].sort((a, b) => a - b));
}

describe('placement: table of cases', () => {
  for (const c of CASES) it(c.name, () => check(c));
});

describe('placement', () => {
  it('two dedicated domains competing for one host never get the same CPU, and a third that does not fit is refused', () => {
    const host = fakeTopology(TWO);
    const a = placeDomain({ host, holdings: [], request: req(6, { domain: 'a' }) });
    const b = placeDomain({ host, holdings: [a.holding], request: req(6, { domain: 'b' }) });
    assert.deepEqual([a.node, a.vcpus], [0, [1, 9, 2, 10, 3, 11]]);
    assert.deepEqual([b.node, b.vcpus], [1, [5, 13, 6, 14, 7, 15]]);
    assert.throws(() => placeDomain({ host, holdings: [a.holding, b.holding], request: req(1, { domain: 'c' }) }), (e: unknown) => {
      assert.ok(isVirtkitError(e) && e.code === 'PLACEMENT_NO_FIT');
      assert.deepEqual(e.details?.['nodes'], [{ node: 0, short: ['CPUs: 1 free threads, it has 0'] }, { node: 1, short: ['CPUs: 1 free threads, it has 0'] }]);
      return true;
    });
  });

  it('refuses a request that is not one, and a domain that holds CPUs already', () => {
    const host = fakeTopology(TWO);
    assert.throws(() => placeDomain({ host, holdings: [], request: req(0) }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => placeDomain({ host, holdings: [], request: req(1, { memoryKiB: 0 }) }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => placeDomain({ host, holdings: [hold('new', [1])], request: req(1) }), { code: 'OPERATION_INVALID' });
  });

  it('keeps its promises over a long random run of places and releases (seeded)', () => {
    const host = fakeTopology({ nodes: 4, cores: 8, threads: 2, hugepages: [{ sizeKiB: 2048, total: 4096, free: 4096 }] });
    const shared = new Set([0, 32, 8, 40, 16, 48, 24, 56]);
    const rnd = seeded(10);
    const pickOf = (n: number): number => ((rnd(1)[0] as number) % n);
    const live: Placement[] = [];
    let placed = 0;
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      if (live.length > 0 && pickOf(3) === 0) live.splice(pickOf(live.length), 1);
      const request = req([1, 2, 3, 4, 6, 8][pickOf(6)] as number, {
        domain: `d${i}`, memoryKiB: GiB * (1 + pickOf(4)), smt: (['prefer', 'isolate', 'require'] as const)[pickOf(3)] as SmtPolicy, ...(pickOf(2) === 0 ? { hugepageKiB: 2048 } : {}),
      });
      try {
        const p = placeDomain({ host, holdings: live.map((l) => l.holding), request });
        placed++;
        const node = host.nodes.find((n) => n.id === p.node);
        assert.equal(p.vcpus.length, request.vcpus);
        for (const c of [...p.vcpus, ...p.idle]) assert.ok(node?.cpus.includes(c) && !shared.has(c), `d${i}: CPU ${c} on node ${p.node}, not shared`);
        for (const c of p.emulator) assert.ok(shared.has(c), `d${i}: emulator on shared CPU ${c}`);
        live.push(p);
      } catch (e) {
        if (!isVirtkitError(e) || e.code !== 'PLACEMENT_NO_FIT') throw e;
        refused++;
      }
      const owners = new Map<number, string>();
      for (const l of live) for (const c of l.holding.cpus) {
        assert.equal(owners.get(c), undefined, `CPU ${c} held by ${owners.get(c)} and ${l.domain}`);
        owners.set(c, l.domain);
      }
      for (const n of host.nodes) {
        const pages = live.flatMap((l) => l.holding.hugepages).filter((h) => h.node === n.id).reduce((s, h) => s + h.pages, 0);
        assert.ok(pages <= 4096, `node ${n.id}: ${pages} huge pages promised of 4096`);
      }
    }
    assert.ok(placed > 100 && refused > 10, `the run exercised both outcomes (placed ${placed}, refused ${refused})`);
  });
});
