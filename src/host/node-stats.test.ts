import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeTree } from '../../tests/helpers/fake-sysfs.js';
import { rm } from 'node:fs/promises';
import { isVirtkitError } from '../core/errors.js';
import { parseCpuStats, parseMemStats, readCpuStats, readMemStats } from './node-stats.js';

// captured on this machine
const STAT = 'cpu  2338167 16089 365803 4058755 12603 0 2916 6923 9 0\ncpu0 1119815 8321 186513 2077639 3966 0 519 3433 5 0\ncpu1 1218352 7768 179289 1981115 8636 0 2396 3490 3 0\nintr 1 2 3\n';
const NODE_MEMINFO = 'Node 0 MemTotal:        9398088 kB\nNode 0 MemFree:         7196308 kB\nNode 0 MemUsed:         2201780 kB\nNode 0 FilePages:        900000 kB\n';
const MEMINFO = 'MemTotal:       24684084 kB\nMemFree:        23803172 kB\nMemAvailable:   23900000 kB\nBuffers:           12345 kB\nCached:           678910 kB\nSwapCached:            0 kB\n';

describe('host memory and CPU counters', () => {
  it('parses /proc/meminfo and a node meminfo into libvirt fields', () => {
    assert.deepEqual(parseMemStats(MEMINFO), [
      { field: 'total', value: 24684084 }, { field: 'free', value: 23803172 }, { field: 'buffers', value: 12345 }, { field: 'cached', value: 678910 },
    ]);
    // SwapCached is not Cached; a node has no Buffers or Cached
    assert.deepEqual(parseMemStats(NODE_MEMINFO), [{ field: 'total', value: 9398088 }, { field: 'free', value: 7196308 }]);
  });

  it('parses /proc/stat: kernel = system + irq + softirq, user = user + nice, in ns', () => {
    assert.deepEqual(parseCpuStats(STAT), [
      { field: 'kernel', value: (365803 + 0 + 2916) * 1e7 }, { field: 'user', value: (2338167 + 16089) * 1e7 },
      { field: 'idle', value: 4058755 * 1e7 }, { field: 'iowait', value: 12603 * 1e7 },
    ]);
    assert.equal(parseCpuStats(STAT, 1)?.[2]?.value, 1981115 * 1e7);
    assert.equal(parseCpuStats(STAT, 2), undefined);
  });

  it('reads them under a root; an unknown cell or CPU is INVALID_ARGUMENT', async () => {
    const root = await writeTree({ 'proc/stat': STAT, 'proc/meminfo': MEMINFO, 'sys/devices/system/node/node0/meminfo': NODE_MEMINFO });
    try {
      assert.equal((await readMemStats(root)).length, 4);
      assert.equal((await readMemStats(root, 0)).length, 2);
      assert.equal((await readCpuStats(root, 0))[1]?.value, (1119815 + 8321) * 1e7);
      const bad = (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT';
      await assert.rejects(readMemStats(root, 1), (e: unknown) => bad(e) && /NUMA cell 1 does not exist/.test((e as Error).message));
      await assert.rejects(readCpuStats(root, 5), (e: unknown) => bad(e) && /CPU 5 does not exist or is offline/.test((e as Error).message));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
