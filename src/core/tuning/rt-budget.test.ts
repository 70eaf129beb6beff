// The real-time budget a domain's cgroup groups need for its fifo/rr threads (RT_GROUP_SCHED).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDomainXml } from '../xml/domain/index.js';
import { planTuning } from './plan.js';
import type { QemuThreads } from './plan.js';
import { rtRuntimes } from './rt-budget.js';

const dom = (cputune: string) => parseDomainXml(`<domain type='qemu'><name>g</name><memory unit='MiB'>256</memory><vcpu>4</vcpu>
  <cputune>${cputune}</cputune><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>`);

// QEMU 100: main thread 100, vCPUs 0-3 on 110-113, a worker 130.
const T: QemuThreads = { pid: 100, vcpus: [0, 1, 2, 3].map((vcpu) => ({ vcpu, tid: 110 + vcpu })), iothreads: [], all: [100, 110, 111, 112, 113, 130] };

test('fifo/rr threads in a domain with a cgroup: counted per group they land in; batch/idle and cgroup-less domains need none', () => {
  assert.deepEqual(planTuning(dom("<shares>512</shares><vcpusched vcpus='1-2' scheduler='fifo' priority='1'/><emulatorsched scheduler='rr'/>"), T).cgroup?.rt,
    { threads: 4, groups: [{ name: '', threads: 4 }] });
  // Per-vCPU bandwidth moves each vCPU into vcpuN; the emulator threads stay in the domain group.
  assert.deepEqual(planTuning(dom("<period>100000</period><quota>50000</quota><vcpusched vcpus='3' scheduler='rr' priority='2'/><emulatorsched scheduler='fifo'/>"), T).cgroup?.rt,
    { threads: 3, groups: [{ name: '', threads: 2 }, { name: 'vcpu3', threads: 1 }] });
  assert.equal(planTuning(dom("<shares>512</shares><vcpusched vcpus='1' scheduler='batch'/>"), T).cgroup?.rt, undefined);
  assert.equal(planTuning(dom("<vcpusched vcpus='1' scheduler='fifo'/>"), T).cgroup, undefined, 'no cgroup: the thread stays in the daemon\'s group');
});

test("each fifo/rr thread is worth one host CPU's share of the host's runtime, at most all of it; sub-groups split the domain's", () => {
  const one = { threads: 1, groups: [{ name: '', threads: 1 }] };
  assert.deepEqual([...rtRuntimes(one, { runtime: 950000, cpus: 2 })], [['', 475000]]);
  assert.deepEqual([...rtRuntimes(one, { runtime: 950000, cpus: 64 })], [['', 14843]]);
  assert.deepEqual([...rtRuntimes({ threads: 5, groups: [{ name: '', threads: 5 }] }, { runtime: 950000, cpus: 4 })], [['', 950000]]);
  assert.deepEqual([...rtRuntimes({ threads: 3, groups: [{ name: '', threads: 1 }, { name: 'vcpu0', threads: 1 }, { name: 'vcpu1', threads: 1 }] }, { runtime: 900000, cpus: 4 })],
    [['', 675000], ['vcpu0', 225000], ['vcpu1', 225000]]);
});
