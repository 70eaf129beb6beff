import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { parseHugetlbfsMounts, parsePageSize, readHostMemoryFacts } from './memory-facts.js';

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vk-memfacts-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

test('hugetlbfs mounts by page size; a mount without pagesize= has the default size; the ones virtkit made are marked', () => {
  assert.equal(parsePageSize('2M'), 2048);
  assert.equal(parsePageSize('1G'), 1048576);
  assert.equal(parsePageSize('bogus'), undefined);
  const mounts = [
    'proc /proc proc rw 0 0',
    'hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0',
    'none /mnt/huge\\0401G hugetlbfs rw,pagesize=1G 0 0',
    'hugetlbfs /mnt/plain hugetlbfs rw 0 0',
    'virtkit /run/virtkit/hugepages-2048kB hugetlbfs rw,relatime,pagesize=2M 0 0',
  ].join('\n');
  assert.deepEqual(parseHugetlbfsMounts(mounts, 2048), [
    { sizeKiB: 2048, path: '/dev/hugepages' },
    { sizeKiB: 1048576, path: '/mnt/huge 1G' },
    { sizeKiB: 2048, path: '/mnt/plain' },
    { sizeKiB: 2048, path: '/run/virtkit/hugepages-2048kB', virtkit: true },
  ]);
});

test('host memory facts from a fake procfs/sysfs tree; defaults on a bare one', async () => {
  const root = await tree({
    'proc/meminfo': 'MemTotal: 100 kB\nHugepagesize:    1048576 kB\n',
    'proc/mounts': 'hugetlbfs /hp hugetlbfs rw 0 0\n',
    'sys/devices/system/node/online': '0-1,3\n',
  });
  const bare = await tree({ 'sys/devices/system/node/node2/cpulist': '0\n' });
  try {
    assert.deepEqual(await readHostMemoryFacts({ root }), {
      defaultHugepageKiB: 1048576, hugetlbfs: [{ sizeKiB: 1048576, path: '/hp' }], numaNodes: [0, 1, 3],
    });
    assert.deepEqual(await readHostMemoryFacts({ root: bare }), { defaultHugepageKiB: 2048, hugetlbfs: [], numaNodes: [2] });
    assert.deepEqual((await readHostMemoryFacts({ root: join(bare, 'nothing') })).numaNodes, [0]);
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(bare, { recursive: true, force: true });
  }
});
