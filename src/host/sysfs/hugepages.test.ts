import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fakeSysfs } from '../../../tests/helpers/fake-sysfs.js';
import { isVirtkitError } from '../../core/errors.js';
import { setPagePool, type PoolFileIo } from './hugepages.js';
import { readHostTopology } from './topology.js';

const pool = (node: number, size = 2048) => `sys/devices/system/node/node${node}/hugepages/hugepages-${size}kB/nr_hugepages`;

describe('huge page pools through sysfs', () => {
  it("sets and adds to one node's pool, which the topology reader then reads", async () => {
    const host = await fakeSysfs({ nodes: 2, cores: 1, threads: 1, hugepages: [{ sizeKiB: 2048, total: 4, free: 4 }] });
    try {
      assert.deepEqual(await setPagePool(host.root, { sizeKiB: 2048, count: 10, node: 1 }), { previous: 4, total: 10 });
      assert.deepEqual(await setPagePool(host.root, { sizeKiB: 2048, count: 3, node: 1, add: true }), { previous: 10, total: 13 });
      const t = await readHostTopology({ root: host.root });
      assert.deepEqual(t.nodes.map((n) => n.hugepages[0]?.total), [4, 13]);
      assert.equal(await readFile(join(host.root, pool(1)), 'utf8'), '13\n');
    } finally {
      await host.remove();
    }
  });

  it('refuses a page size the node has no pool of, naming the file', async () => {
    const host = await fakeSysfs({ nodes: 1, cores: 1, threads: 1, hugepages: [{ sizeKiB: 2048, total: 0, free: 0 }] });
    try {
      await assert.rejects(setPagePool(host.root, { sizeKiB: 1048576, count: 1, node: 0 }),
        (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT' && /page size 1048576KiB is not available on NUMA node 0 \(no .*hugepages-1048576kB\/nr_hugepages\)/.test(e.message));
      await assert.rejects(setPagePool(host.root, { sizeKiB: 2048, count: 1 }),
        (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT' && /on the host \(no .*sys\/kernel\/mm\/hugepages\/hugepages-2048kB/.test(e.message));
    } finally {
      await host.remove();
    }
  });

  it('a kernel that gives fewer pages than asked: HUGEPAGES_SHORT, and the pool is put back', async () => {
    // as the kernel does when memory is short: it keeps what it could get (here at most 6 pages)
    let value = 2;
    const writes: string[] = [];
    const kernel: PoolFileIo = {
      read: () => Promise.resolve(`${value}\n`),
      write: (_f, text) => { writes.push(text.trim()); value = Math.min(6, Number(text)); return Promise.resolve(); },
    };
    await assert.rejects(setPagePool('/fake', { sizeKiB: 2048, count: 8, node: 0, add: true }, kernel), (e: unknown) => isVirtkitError(e) && e.code === 'HUGEPAGES_SHORT'
      && e.message === 'unable to allocate 10 pages of 2048KiB on NUMA node 0: the kernel gave only 6; the pool is back to 2 pages'
      && (e.details as { allocated?: number }).allocated === 6);
    assert.deepEqual(writes, ['10', '2']);
    assert.equal(value, 2);
  });
});
