// The tuning commands' output as virsh 9.0 prints it, and schedinfo's --set parsing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TuningReport } from '../../client/types.js';
import { parseSchedSet } from './schedinfo.js';
import { emulatorpinLines, iothreadTable, numatuneLines, schedinfoLines, vcpupinTable } from './tuning-format.js';

const r: TuningReport = {
  of: 'live', hostCpus: 2, vcpupin: [{ vcpu: 0, cpuset: '1' }, { vcpu: 1, cpuset: '0-1' }], emulatorpin: '0',
  iothreadpin: [{ iothread: 1, cpuset: '0-1' }],
  sched: { cpu_shares: 1024, vcpu_period: 100000, vcpu_quota: -1, emulator_period: 100000, emulator_quota: -1, global_period: 100000, global_quota: -1, iothread_period: 100000, iothread_quota: -1 },
  numatune: { mode: 'strict', nodeset: '0' },
};

test('vcpupin, emulatorpin, iothreadinfo, schedinfo and numatune output', () => {
  assert.equal(vcpupinTable(r), ' VCPU   CPU Affinity\n----------------------\n 0      1\n 1      0-1');
  assert.equal(vcpupinTable(r, 1), ' VCPU   CPU Affinity\n----------------------\n 1      0-1');
  assert.equal(emulatorpinLines(r), 'emulator: CPU Affinity\n----------------------------------\n       *: 0');
  assert.equal(iothreadTable(r), ' IOThread ID   CPU Affinity\n-----------------------------\n 1             0-1');
  assert.equal(schedinfoLines(r), [
    'Scheduler      : posix', 'cpu_shares     : 1024', 'vcpu_period    : 100000', 'vcpu_quota     : -1', 'emulator_period: 100000',
    'emulator_quota : -1', 'global_period  : 100000', 'global_quota   : -1', 'iothread_period: 100000', 'iothread_quota : -1',
  ].join('\n'));
  assert.equal(numatuneLines(r), 'numa_mode      : strict\nnuma_nodeset   : 0');
});

test('schedinfo --set name=value', () => {
  assert.deepEqual(parseSchedSet(['cpu_shares=512', 'vcpu_quota=-1']), { cpu_shares: 512, vcpu_quota: -1 });
  assert.throws(() => parseSchedSet(['cpu_shares']), /expecting name=value/);
  assert.throws(() => parseSchedSet(['weight=5']), /invalid scheduler option: weight/);
});
