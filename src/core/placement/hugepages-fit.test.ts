import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeTopology } from '../../../tests/helpers/fake-sysfs.js';
import { isVirtkitError } from '../errors.js';
import { parseDomainXml } from '../xml/domain/index.js';
import { checkHugepagesFit, hugepageDemands, pageForCell } from './hugepages-fit.js';
import type { HostNumaTopology } from './topology.js';

const P2M = 2048;
const P1G = 1024 * 1024;

/** A host of `free[n]` free 2 MiB pages (and `free1g[n]` 1 GiB pages) on node n. */
function host(free: readonly number[], free1g?: readonly number[]): HostNumaTopology {
  const node = Object.fromEntries(free.map((f, n) => [n, { hugepages: [
    { sizeKiB: P2M, total: f + 10, free: f },
    ...(free1g === undefined ? [] : [{ sizeKiB: P1G, total: free1g[n] ?? 0, free: free1g[n] ?? 0 }]),
  ] }]));
  return fakeTopology({ nodes: free.length, cores: 2, threads: 1, node });
}

/** A domain of `mem` MiB: `backing` inside <memoryBacking>, `cells` as [cpus, MiB] pairs, `numatune` as written. */
function domain(o: { mem?: number; backing?: string; cells?: readonly (readonly [string, number])[]; numatune?: string }): ReturnType<typeof parseDomainXml> {
  const cells = o.cells === undefined ? '' : `<cpu><numa>${o.cells.map(([cpus, mib], i) => `<cell id='${i}' cpus='${cpus}' memory='${mib}' unit='MiB'/>`).join('')}</numa></cpu>`;
  const mem = o.mem ?? (o.cells ?? []).reduce((s, [, m]) => s + m, 0);
  return parseDomainXml(`<domain type='qemu'><name>hp</name><memory unit='MiB'>${mem}</memory><vcpu>4</vcpu>` +
    `<memoryBacking>${o.backing ?? '<hugepages/>'}</memoryBacking>${o.numatune === undefined ? '' : `<numatune>${o.numatune}</numatune>`}` +
    `<os><type>hvm</type></os>${cells}</domain>`);
}

/** The message of checkHugepagesFit, or 'fits'. */
function verdict(def: ReturnType<typeof domain>, h: HostNumaTopology): string {
  try {
    checkHugepagesFit(def, h, P2M);
    return 'fits';
  } catch (e) {
    assert.ok(isVirtkitError(e) && e.code === 'HUGEPAGES_INSUFFICIENT', String(e));
    return e.message.replace(/^domain 'hp' cannot start: /, '').replace(/\. Reserve more pages with .*$/, '');
  }
}

const twoCells = [['0-1', 1024], ['2-3', 1024]] as const;
const cases: readonly { name: string; def: ReturnType<typeof domain>; host: HostNumaTopology; want: string }[] = [
  { name: 'no cells, no numatune: the free pages of both nodes add up', def: domain({ mem: 1024 }), host: host([300, 300]), want: 'fits' },
  { name: 'no cells, no numatune, too few on the whole host', def: domain({ mem: 1024 }), host: host([200, 100]),
    want: 'the guest needs 512 pages of 2048 KiB on host nodes 0-1; they have 300 free (node 0: 200, node 1: 100)' },
  { name: 'one-node host: the pages of its one node', def: domain({ mem: 128 }), host: host([63]),
    want: 'the guest needs 64 pages of 2048 KiB on host node 0; node 0 has 63 free' },
  { name: 'exactly as many as free', def: domain({ mem: 128 }), host: host([64]), want: 'fits' },
  { name: 'memory rounded up to whole pages (129 MiB: 65 pages)', def: domain({ mem: 129 }), host: host([64]),
    want: 'the guest needs 65 pages of 2048 KiB on host node 0; node 0 has 64 free' },
  { name: 'no cells, numatune strict to node 1: only node 1 counts', def: domain({ mem: 1024, numatune: "<memory mode='strict' nodeset='1'/>" }), host: host([600, 100]),
    want: 'the guest needs 512 pages of 2048 KiB on host node 1; node 1 has 100 free' },
  { name: 'no cells, numatune preferred: any node', def: domain({ mem: 1024, numatune: "<memory mode='preferred' nodeset='1'/>" }), host: host([600, 100]), want: 'fits' },
  { name: 'no cells, numatune interleave: any node (the kernel falls back for huge pages)',
    def: domain({ mem: 1024, numatune: "<memory mode='interleave' nodeset='0-1'/>" }), host: host([500, 100]), want: 'fits' },
  { name: 'two cells bound one per node, both fit', def: domain({ cells: twoCells, numatune: "<memnode cellid='0' mode='strict' nodeset='0'/><memnode cellid='1' mode='strict' nodeset='1'/>" }),
    host: host([512, 512]), want: 'fits' },
  { name: 'two cells bound one per node, cell 1 short', def: domain({ cells: twoCells, numatune: "<memnode cellid='0' mode='strict' nodeset='0'/><memnode cellid='1' mode='strict' nodeset='1'/>" }),
    host: host([900, 100]), want: 'guest cell 1 needs 512 pages of 2048 KiB on host node 1; node 1 has 100 free' },
  { name: 'two cells bound to the same node: their needs add up', def: domain({ cells: twoCells, numatune: "<memnode cellid='0' mode='strict' nodeset='1'/><memnode cellid='1' mode='strict' nodeset='1'/>" }),
    host: host([2000, 600]), want: 'guest cells 0-1 need 1024 pages of 2048 KiB (512 + 512) on host node 1; node 1 has 600 free' },
  { name: 'memnode restrictive binds too', def: domain({ cells: twoCells, numatune: "<memnode cellid='0' mode='restrictive' nodeset='0'/>" }),
    host: host([10, 2000]), want: 'guest cell 0 needs 512 pages of 2048 KiB on host node 0; node 0 has 10 free' },
  { name: 'one cell bound, the other from anywhere: the unbound one takes what the bound one leaves',
    def: domain({ cells: twoCells, numatune: "<memnode cellid='0' mode='strict' nodeset='0'/>" }), host: host([600, 300]),
    want: 'guest cells 0-1 need 1024 pages of 2048 KiB (512 + 512) on host nodes 0-1; they have 900 free (node 0: 600, node 1: 300)' },
  { name: 'domain-wide memory nodeset binds every cell without a memnode', def: domain({ cells: twoCells, numatune: "<memory mode='strict' nodeset='0'/><memnode cellid='1' mode='strict' nodeset='1'/>" }),
    host: host([100, 600]), want: 'guest cell 0 needs 512 pages of 2048 KiB on host node 0; node 0 has 100 free' },
  { name: 'per-cell page sizes: cell 0 on 1 GiB pages, cell 1 on 2 MiB pages, each checked in its own pools',
    def: domain({ cells: twoCells, backing: `<hugepages><page size='1' unit='GiB' nodeset='0'/><page size='2' unit='MiB' nodeset='1'/></hugepages>` }),
    host: host([512, 0], [0, 0]), want: 'guest cell 0 needs 1 page of 1048576 KiB on host nodes 0-1; they have 0 free (node 0: 0, node 1: 0)' },
  { name: 'a cell no <page nodeset> covers is ordinary RAM (libvirt hugepages-numa-nodeset-part): only cell 1 is counted',
    def: domain({ cells: twoCells, backing: "<hugepages><page size='2' unit='MiB' nodeset='1'/></hugepages>" }), host: host([300, 300]), want: 'fits' },
  { name: 'a cell no <page nodeset> covers: the covered cell alone can still be short',
    def: domain({ cells: twoCells, backing: "<hugepages><page size='2' unit='MiB' nodeset='1'/></hugepages>" }), host: host([200, 300]),
    want: 'guest cell 1 needs 512 pages of 2048 KiB on host nodes 0-1; they have 500 free (node 0: 200, node 1: 300)' },
  { name: 'a page size the host has no pool of counts as 0 free', def: domain({ mem: 1024, backing: "<hugepages><page size='1' unit='GiB'/></hugepages>" }), host: host([5000]),
    want: 'the guest needs 1 page of 1048576 KiB on host node 0; node 0 has 0 free' },
];

describe('HUGEPAGES_INSUFFICIENT before start: a table on fake two-node hosts', () => {
  for (const c of cases) it(c.name, () => assert.equal(verdict(c.def, c.host), c.want));
});

describe('on the fake four-node host', () => {
  const fourCells = [['0', 2048], ['1', 2048], ['2', 2048], ['3', 2048]] as const;
  const memnodes = (sets: readonly string[]): string => sets.map((s, i) => `<memnode cellid='${i}' mode='strict' nodeset='${s}'/>`).join('');

  it('four cells, one per node: each node checked alone, every short one named', () => {
    const def = domain({ cells: fourCells, numatune: memnodes(['0', '1', '2', '3']) });
    assert.equal(verdict(def, host([1024, 1023, 1024, 0])),
      'guest cell 1 needs 1024 pages of 2048 KiB on host node 1; node 1 has 1023 free; guest cell 3 needs 1024 pages of 2048 KiB on host node 3; node 3 has 0 free');
    assert.equal(verdict(def, host([1024, 1024, 1024, 1024])), 'fits');
  });

  it('overlapping node sets: each set alone is enough, but together they are not', () => {
    // cells 0 and 1 on nodes 0-1, cell 2 on nodes 1-2: nodes 0-2 have 2500 free for 3072 pages.
    const def = domain({ cells: fourCells.slice(0, 3), numatune: memnodes(['0-1', '0-1', '1-2']) });
    assert.equal(verdict(def, host([1000, 1500, 0, 5000])),
      'guest cells 0-2 need 3072 pages of 2048 KiB (1024 + 1024 + 1024) on host nodes 0-2; they have 2500 free (node 0: 1000, node 1: 1500, node 2: 0)');
    assert.equal(verdict(def, host([1000, 1500, 600, 0])), 'fits');
  });

  it('details list each shortage', () => {
    const def = domain({ cells: fourCells, numatune: memnodes(['0', '1', '2', '3']) });
    assert.throws(() => checkHugepagesFit(def, host([0, 1024, 1024, 1024]), P2M), (e: unknown) => isVirtkitError(e) &&
      JSON.stringify(e.details) === JSON.stringify({ shortages: [{ cells: [0], pageSizeKiB: P2M, needed: 1024, nodes: [0], free: 0 }] }));
  });
});

describe('the page size of a cell (shared with the argv builder)', () => {
  it('takes the <page> whose nodeset holds the cell, else the one without a nodeset (in either order), else the default size', () => {
    for (const hp of [{ page: [{ size: P1G, nodeset: '1' }, { size: P2M }] }, { page: [{ size: P2M }, { size: P1G, nodeset: '1' }] }]) {
      assert.deepEqual(pageForCell(hp, 1), { size: P1G, nodeset: '1' });
      assert.deepEqual(pageForCell(hp, 0), { size: P2M });
    }
    assert.equal(pageForCell({}, 0), 'default');
    assert.deepEqual(hugepageDemands(domain({ mem: 64 }), 4096, [0]), [{ cells: [], sizeKiB: 4096, pages: 16, nodes: [0] }]);
    assert.deepEqual(hugepageDemands(domain({ mem: 64, backing: '' }), P2M, [0]), []);
  });

  it('every <page> with a nodeset and none holding the cell: ordinary RAM, no demand on the pools', () => {
    const hp = { page: [{ size: P1G, nodeset: '1' }] };
    assert.equal(pageForCell(hp, 0), undefined);
    const def = domain({ cells: [['0', 256], ['1', 768]], backing: "<hugepages><page size='1' unit='GiB' nodeset='1'/></hugepages>" });
    assert.deepEqual(hugepageDemands(def, P2M, [0, 1]), [{ cells: [1], sizeKiB: P1G, pages: 1, nodes: [0, 1] }]);
  });
});
