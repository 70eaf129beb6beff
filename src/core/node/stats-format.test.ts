import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuShares, formatCpuShares, formatCpuStats, formatMemStats } from './stats-format.js';

test('nodememstats: %-7s: %20llu KiB', () => {
  assert.equal(formatMemStats([{ field: 'total', value: 24684084 }, { field: 'free', value: 23803172 }, { field: 'buffers', value: 0 }, { field: 'cached', value: 678910 }]), [
    'total  :             24684084 KiB',
    'free   :             23803172 KiB',
    'buffers:                    0 KiB',
    'cached :               678910 KiB',
  ].join('\n'));
});

test('nodecpustats: user, system (kernel), idle, iowait as %-15s %20llu', () => {
  const s = [{ field: 'kernel', value: 3687190000000 }, { field: 'user', value: 23542560000000 }, { field: 'idle', value: 40587550000000 }, { field: 'iowait', value: 126030000000 }];
  assert.equal(formatCpuStats(s), [
    'user:                 23542560000000',
    'system:                3687190000000',
    'idle:                 40587550000000',
    'iowait:                 126030000000',
  ].join('\n'));
});

test('nodecpustats --percent: each counter\'s share of the time between two samples', () => {
  const at = (kernel: number, user: number, idle: number, iowait: number) =>
    [{ field: 'kernel', value: kernel }, { field: 'user', value: user }, { field: 'idle', value: idle }, { field: 'iowait', value: iowait }];
  const s = cpuShares(at(100, 200, 300, 0), at(110, 230, 355, 5));
  assert.deepEqual(s, { usage: 40, user: 30, system: 10, idle: 55, iowait: 5 });
  assert.equal(formatCpuShares(s), 'usage:           40.0%\nuser:            30.0%\nsystem:          10.0%\nidle:            55.0%\niowait:           5.0%');
  // no time passed: 0 everywhere rather than NaN
  assert.equal(cpuShares(at(1, 1, 1, 1), at(1, 1, 1, 1)).usage, 0);
});
