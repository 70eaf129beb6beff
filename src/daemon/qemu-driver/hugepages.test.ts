import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeSysfs, fakeTopology } from '../../../tests/helpers/fake-sysfs.js';
import { isVirtkitError } from '../../core/errors.js';
import { parseDomainXml } from '../../core/xml/domain/index.js';
import type { HugetlbfsMount } from '../../host/memory-facts.js';
import { readHostTopology } from '../../host/sysfs/topology.js';
import { prepareHugepages } from './hugepages.js';

const RUN = '/vk/run';
const domain = (backing: string): ReturnType<typeof parseDomainXml> => parseDomainXml(
  `<domain type='qemu'><name>hp</name><memory unit='MiB'>128</memory><memoryBacking>${backing}</memoryBacking><os><type>hvm</type></os></domain>`);

/** prepareHugepages on a two-node host with `free` 2 MiB pages per node, the given mounts, and a mounter that records. */
async function prepare(backing: string, mounts: HugetlbfsMount[], free = 100, root: string | null = RUN): Promise<{ dirs: unknown; mounted: string[] }> {
  const mounted: string[] = [];
  const topology = fakeTopology({ nodes: 2, cores: 1, threads: 1, hugepages: [{ sizeKiB: 2048, total: free, free }, { sizeKiB: 1048576, total: 1, free: 1 }] });
  const dirs = await prepareHugepages(domain(backing), {
    facts: () => Promise.resolve({ defaultHugepageKiB: 2048, hugetlbfs: mounts, numaNodes: [0, 1] }),
    topology: () => Promise.resolve(topology),
    mount: (dir, sizeKiB) => { mounted.push(`${sizeKiB} ${dir}`); return Promise.resolve(); },
  }, root ?? undefined);
  return { dirs, mounted };
}

describe('huge pages at start: the check, then a hugetlbfs mount per page size', () => {
  it('nothing without <hugepages>', async () => {
    assert.deepEqual(await prepare('', []), { dirs: undefined, mounted: [] });
  });

  it("the host's own mount of that size is used, nothing is mounted", async () => {
    assert.deepEqual(await prepare('<hugepages/>', [{ sizeKiB: 1048576, path: '/mnt/1g' }, { sizeKiB: 2048, path: '/dev/hugepages' }]),
      { dirs: [{ sizeKiB: 2048, dir: '/dev/hugepages', default: true }], mounted: [] });
  });

  it('no mount of that size: the instance mounts its own under its run dir', async () => {
    assert.deepEqual(await prepare("<hugepages><page size='1' unit='GiB'/></hugepages>", [{ sizeKiB: 2048, path: '/dev/hugepages' }]),
      { dirs: [{ sizeKiB: 1048576, dir: `${RUN}/hugepages-1048576kB` }], mounted: [`1048576 ${RUN}/hugepages-1048576kB`] });
  });

  it("its own mount from an earlier run (a restarted daemon) is reused; another instance's is not", async () => {
    const own = { sizeKiB: 2048, path: `${RUN}/hugepages-2048kB`, virtkit: true as const };
    const other = { sizeKiB: 2048, path: '/other/run/hugepages-2048kB', virtkit: true as const };
    assert.deepEqual(await prepare('<hugepages/>', [other, own]), { dirs: [{ sizeKiB: 2048, dir: own.path, default: true }], mounted: [] });
    assert.deepEqual(await prepare('<hugepages/>', [other]),
      { dirs: [{ sizeKiB: 2048, dir: own.path, default: true }], mounted: [`2048 ${own.path}`] });
  });

  it('too few free pages: HUGEPAGES_INSUFFICIENT, and nothing is mounted', async () => {
    // 128 MiB = 64 pages; the two nodes have 30 each
    await assert.rejects(prepare('<hugepages/>', [], 30), (e: unknown) => isVirtkitError(e) && e.code === 'HUGEPAGES_INSUFFICIENT' &&
      e.message.includes('the guest needs 64 pages of 2048 KiB on host nodes 0-1; they have 60 free (node 0: 30, node 1: 30)'));
  });

  it('without a run dir to mount on (a pretend run), a size without a host mount is refused', async () => {
    await assert.rejects(prepare('<hugepages/>', [], 100, null), (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT');
  });

  it('reads the per-node pools from a fake two-node sysfs tree: a cell bound to node 1 counts node 1 only', async () => {
    const tree = await fakeSysfs({ nodes: 2, cores: 1, threads: 1, hugepages: [{ sizeKiB: 2048, total: 600, free: 600 }],
      node: { 1: { hugepages: [{ sizeKiB: 2048, total: 200, free: 100 }] } } });
    try {
      const def = parseDomainXml("<domain type='qemu'><name>hp</name><memory unit='MiB'>2048</memory><memoryBacking><hugepages/></memoryBacking>" +
        "<numatune><memnode cellid='1' mode='strict' nodeset='1'/></numatune><os><type>hvm</type></os>" +
        "<cpu><numa><cell id='0' cpus='0' memory='1' unit='GiB'/><cell id='1' cpus='1' memory='1' unit='GiB'/></numa></cpu></domain>");
      const mounted: string[] = [];
      const host = {
        facts: () => Promise.resolve({ defaultHugepageKiB: 2048, hugetlbfs: [], numaNodes: [0, 1] }),
        topology: () => readHostTopology({ root: tree.root }),
        mount: (dir: string) => { mounted.push(dir); return Promise.resolve(); },
      };
      await assert.rejects(prepareHugepages(def, host, RUN), (e: unknown) => isVirtkitError(e) && e.code === 'HUGEPAGES_INSUFFICIENT' &&
        e.message === "domain 'hp' cannot start: guest cell 1 needs 512 pages of 2048 KiB on host node 1; node 1 has 100 free. " +
          "Reserve more pages with 'virtkit allocpages', or free some");
      assert.deepEqual(mounted, []);
    } finally {
      await tree.remove();
    }
  });
});
