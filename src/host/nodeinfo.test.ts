import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCpuList, readNodeInfo } from './nodeinfo.js';

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vk-sysfs-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** 2 NUMA nodes x 1 socket x 2 cores x 2 threads = 8 CPUs. */
function twoNodeHost(): Record<string, string> {
  const files: Record<string, string> = {
    'sys/devices/system/cpu/online': '0-7\n',
    'sys/devices/system/node/node0/cpulist': '0-3\n',
    'sys/devices/system/node/node1/cpulist': '4-7\n',
    'proc/cpuinfo': 'processor\t: 0\nmodel name\t: Fake CPU\ncpu MHz\t\t: 2596.146\n\nprocessor\t: 1\n',
    'proc/meminfo': 'MemTotal:       24684084 kB\nMemFree:        23803172 kB\n',
  };
  for (let cpu = 0; cpu < 8; cpu++) {
    files[`sys/devices/system/cpu/cpu${cpu}/topology/physical_package_id`] = `${cpu < 4 ? 0 : 1}\n`;
    files[`sys/devices/system/cpu/cpu${cpu}/topology/core_id`] = `${Math.floor((cpu % 4) / 2)}\n`;
  }
  return files;
}

describe('host nodeinfo', () => {
  it('parses kernel CPU lists', () => {
    assert.deepEqual(parseCpuList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11]);
    assert.deepEqual(parseCpuList(''), []);
  });

  it('reads topology, frequency and memory from a fake sysfs/procfs tree', async () => {
    const root = await tree(twoNodeHost());
    try {
      assert.deepEqual(await readNodeInfo({ root, arch: 'x86_64' }), {
        model: 'x86_64', cpus: 8, mhz: 2596, nodes: 2, sockets: 1, cores: 2, threads: 2, memoryKiB: 24684084,
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('falls back to a flat topology when the numbers do not multiply out', async () => {
    const files = twoNodeHost();
    files['sys/devices/system/cpu/online'] = '0-6\n'; // one CPU offline
    const root = await tree(files);
    try {
      const info = await readNodeInfo({ root, arch: 'x86_64' });
      assert.deepEqual([info.cpus, info.nodes, info.sockets, info.cores, info.threads], [7, 1, 1, 7, 1]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('reads this machine', async () => {
    const info = await readNodeInfo();
    assert.ok(info.cpus >= 1 && info.memoryKiB > 0);
    assert.equal(info.nodes * info.sockets * info.cores * info.threads, info.cpus);
  });
});
