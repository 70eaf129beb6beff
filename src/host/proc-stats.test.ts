// The procfs/sysfs readers on captured text and on a fake tree.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllowedCpus, parseTaskStat, readNetDeviceCounters, readTaskTimes } from './proc-stats.js';

// Captured from /proc/PID/stat, with utime/stime set to 250/37 and a name that holds a space and a ')'.
const VCPU_STAT = '4242 (CPU 0/TCG) x) R 13260 13260 5183 0 -1 4194304 101 0 0 0 250 37 0 0 20 0 1 0 863153 3133440 392 18446744073709551615 93912640544768 93912640564649 140737139461472 ' +
  '0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 93912640580656 93912640582272 93913012756480 140737139464916 140737139464936 140737139464936 140737139466219 0';

test('parses a stat line: utime and stime in 100 Hz ticks, the last CPU, the state', () => {
  assert.deepEqual(parseTaskStat(VCPU_STAT), { cpuTimeNs: 2_870_000_000, userNs: 2_500_000_000, systemNs: 370_000_000, cpu: 1, state: 'R' });
  assert.equal(parseTaskStat('not a stat line'), undefined);
  assert.equal(parseTaskStat('1 (x) R 1 2'), undefined, 'too few fields');
});

test('parses Cpus_allowed_list from a status file', () => {
  assert.deepEqual(parseAllowedCpus('Name:\tqemu\nCpus_allowed:\t5\nCpus_allowed_list:\t0,2-3\nMems_allowed:\t1\n'), [0, 2, 3]);
  assert.equal(parseAllowedCpus('Name:\tqemu\n'), undefined);
});

test('reads a fake procfs and sysfs: a gone process or device is undefined, not an error', async () => {
  const root = await mkdtemp(join(tmpdir(), 'vk-procstats-'));
  try {
    await mkdir(join(root, 'proc/4200/task/4242'), { recursive: true });
    await writeFile(join(root, 'proc/4200/task/4242/stat'), VCPU_STAT);
    assert.equal((await readTaskTimes(4200, 4242, join(root, 'proc')))?.cpuTimeNs, 2_870_000_000);
    assert.equal(await readTaskTimes(4200, undefined, join(root, 'proc')), undefined);
    const dir = join(root, 'sys/class/net/vnet0/statistics');
    await mkdir(dir, { recursive: true });
    const files = ['rx_bytes', 'rx_packets', 'rx_errors', 'rx_dropped', 'tx_bytes', 'tx_packets', 'tx_errors', 'tx_dropped'];
    await Promise.all(files.map((f, i) => writeFile(join(dir, f), `${i + 1}\n`)));
    assert.deepEqual(await readNetDeviceCounters('vnet0', join(root, 'sys')), {
      rxBytes: 1, rxPackets: 2, rxErrors: 3, rxDrops: 4, txBytes: 5, txPackets: 6, txErrors: 7, txDrops: 8,
    });
    assert.equal(await readNetDeviceCounters('vnet9', join(root, 'sys')), undefined);
    // Something other than "gone" is reported: a stat path that is a directory.
    await mkdir(join(root, 'proc/4300/stat'), { recursive: true });
    await assert.rejects(readTaskTimes(4300, undefined, join(root, 'proc')), /EISDIR/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
