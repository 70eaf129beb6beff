// The tuning plan: which thread gets which affinity and policy, which cgroup groups with which
// bandwidth, and the files each cgroup version takes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVirtkitError } from '../errors.js';
import { parseDomainXml } from '../xml/domain/index.js';
import { cpuWrites, memsWrite, parseCpuMax } from './cgroup-files.js';
import { planTuning } from './plan.js';
import type { QemuThreads } from './plan.js';

const dom = (top: string, vcpu = "<vcpu placement='static'>4</vcpu>") => parseDomainXml(`<domain type='qemu'><name>g</name>
  <memory unit='MiB'>256</memory>${vcpu}<iothreads>2</iothreads>${top}<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>`);

// QEMU 100: main thread 100, vCPUs 0-3 on 110-113, I/O threads 1-2 on 120-121, a worker 130.
const T: QemuThreads = {
  pid: 100,
  vcpus: [0, 1, 2, 3].map((vcpu) => ({ vcpu, tid: 110 + vcpu })),
  iothreads: [{ id: 1, tid: 120 }, { id: 2, tid: 121 }],
  all: [100, 110, 111, 112, 113, 120, 121, 130],
};

test('no tuning: no steps and no cgroup', () => {
  assert.deepEqual(planTuning(dom(''), T), { steps: [] });
});

test('vcpupin, emulatorpin and iothreadpin pin their threads; the emulator is every other thread', () => {
  const p = planTuning(dom(`<cputune><vcpupin vcpu='1' cpuset='1'/><vcpupin vcpu='0' cpuset='0,2-3'/>
    <emulatorpin cpuset='1-2'/><iothreadpin iothread='2' cpuset='3'/></cputune>`), T);
  assert.deepEqual(p.steps, [
    { kind: 'affinity', tids: [100, 130], cpus: [1, 2], path: '/domain/cputune/emulatorpin' },
    { kind: 'affinity', tids: [110], cpus: [0, 2, 3], path: '/domain/cputune/vcpupin[2]' },
    { kind: 'affinity', tids: [111], cpus: [1], path: '/domain/cputune/vcpupin[1]' },
    { kind: 'affinity', tids: [121], cpus: [3], path: '/domain/cputune/iothreadpin[1]' },
  ]);
  assert.equal(p.cgroup, undefined);
});

test('<vcpu cpuset> is the default of the emulator and of each vCPU without a vcpupin', () => {
  const p = planTuning(dom("<cputune><vcpupin vcpu='2' cpuset='0'/></cputune>", "<vcpu cpuset='1-3,^2'>4</vcpu>"), T);
  assert.deepEqual(p.steps.map((s) => [s.tids, s.kind === 'affinity' ? s.cpus : [], s.path]), [
    [[100, 120, 121, 130].filter((t) => t !== 120 && t !== 121), [1, 3], '/domain/vcpu/@cpuset'],
    [[110], [1, 3], '/domain/vcpu/@cpuset'],
    [[111], [1, 3], '/domain/vcpu/@cpuset'],
    [[112], [0], '/domain/cputune/vcpupin[1]'],
    [[113], [1, 3], '/domain/vcpu/@cpuset'],
  ]);
});

test('vcpusched, emulatorsched and iothreadsched: fifo/rr keep their priority (1 when absent), batch/idle take 0', () => {
  const p = planTuning(dom(`<cputune><vcpusched vcpus='0-1' scheduler='fifo' priority='5'/><vcpusched vcpus='3' scheduler='rr'/>
    <emulatorsched scheduler='idle'/><iothreadsched iothreads='1-2,^1' scheduler='batch' priority='3'/></cputune>`), T);
  assert.deepEqual(p.steps, [
    { kind: 'sched', tids: [110, 111], policy: 'fifo', priority: 5, path: '/domain/cputune/vcpusched[1]' },
    { kind: 'sched', tids: [113], policy: 'rr', priority: 1, path: '/domain/cputune/vcpusched[2]' },
    { kind: 'sched', tids: [100, 130], policy: 'idle', priority: 0, path: '/domain/cputune/emulatorsched' },
    { kind: 'sched', tids: [121], policy: 'batch', priority: 0, path: '/domain/cputune/iothreadsched[1]' },
  ]);
});

test('shares and bandwidth: the domain group, one group per vCPU and I/O thread, and the emulator group', () => {
  const p = planTuning(dom(`<cputune><shares>2048</shares><period>100000</period><quota>50000</quota>
    <global_period>200000</global_period><global_quota>-1</global_quota><emulator_quota>20000</emulator_quota>
    <iothread_period>10000</iothread_period></cputune>`), T);
  assert.deepEqual(p.cgroup, {
    groups: [
      { name: '', cpu: { shares: 2048, period: 200000, quota: -1 }, tids: [] },
      ...[0, 1, 2, 3].map((v) => ({ name: `vcpu${v}`, cpu: { period: 100000, quota: 50000 }, tids: [110 + v] })),
      { name: 'emulator', cpu: { quota: 20000 }, tids: [100, 130] },
      { name: 'iothread1', cpu: { period: 10000 }, tids: [120] },
      { name: 'iothread2', cpu: { period: 10000 }, tids: [121] },
    ],
  });
});

test('numatune: strict without cells and restrictive go to cpuset.mems; strict with cells is on the command line', () => {
  const mems = (xml: string) => planTuning(dom(xml), T).cgroup?.mems;
  assert.deepEqual(mems("<numatune><memory mode='strict' nodeset='0-1'/></numatune>"), [0, 1]);
  assert.deepEqual(mems("<numatune><memory nodeset='1'/></numatune>"), [1]);
  assert.deepEqual(mems(`<numatune><memory mode='restrictive' nodeset='0'/></numatune><cpu><numa><cell id='0' cpus='0-3' memory='262144'/></numa></cpu>`), [0]);
  assert.equal(mems(`<numatune><memory mode='strict' nodeset='0'/></numatune><cpu><numa><cell id='0' cpus='0-3' memory='262144'/></numa></cpu>`), undefined);
  assert.equal(mems("<numatune><memory mode='interleave' nodeset='0'/></numatune>"), undefined);
});

test('cgroup files: v1 shares and CFS, v2 weight and cpu.max, cpuset.mems', () => {
  assert.deepEqual(cpuWrites(1, { shares: 2048, period: 100000, quota: -5 }).map((w) => `${w.file}=${w.value}`),
    ['cpu.shares=2048', 'cpu.cfs_period_us=100000', 'cpu.cfs_quota_us=-1']);
  assert.deepEqual(cpuWrites(2, { shares: 2048, period: 100000, quota: 50000 }).map((w) => `${w.file}=${w.value}`),
    ['cpu.weight=2048', 'cpu.max=50000 100000']);
  assert.deepEqual(cpuWrites(2, { quota: -1 }).map((w) => w.value), ['max']);
  assert.deepEqual(cpuWrites(2, { period: 20000 }).map((w) => w.value), ['max 20000']);
  assert.deepEqual(memsWrite([0, 1, 2, 5]), { controller: 'cpuset', file: 'cpuset.mems', value: '0-2,5' });
  assert.deepEqual(parseCpuMax('max 100000\n'), { quota: -1, period: 100000 });
  assert.deepEqual(parseCpuMax('50000 20000'), { quota: 50000, period: 20000 });
  const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (e) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT' && re.test(e.message));
  refused(() => cpuWrites(2, { shares: 20000 }), /shares 20000 is out of range \[1, 10000\] on cgroup v2/);
  refused(() => cpuWrites(1, { period: 999 }), /period 999 is out of range/);
  refused(() => cpuWrites(1, { quota: 10 }), /quota 10 is out of range/);
});
