// <vcpusched> fifo and rr on real TCG guests: the vCPU thread's policy and rt_priority (fields 41
// and 40 of /proc/PID/task/TID/stat) after start, and with this host's cgroup v1 cpu controller,
// where the kernel's RT_GROUP_SCHED lets a SCHED_FIFO/RR thread into a cgroup only with a real-time
// budget (cpu.rt_runtime_us): the domain's group gets one, and the parent's goes back once it stops.
// Kept gentle on a 2-CPU host shared with others: one real-time vCPU of two, pinned to one CPU, at
// priority 1 or 2; the guest idles after boot (a halted TCG vCPU sleeps).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { detectCgroup } from '../../src/host/tuning/cgroup.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { monitorOf } from '../helpers/qemu-threads.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';

const CG = '/sys/fs/cgroup';
const PARENT_RT = `${CG}/cpu/virtkit/cpu.rt_runtime_us`;
const v1 = (await detectCgroup(CG))?.version === 1;
const twoCpus = (await readFile('/sys/devices/system/cpu/online', 'utf8')).trim() !== '0';
const rtGroupSched = existsSync(`${CG}/cpu/cpu.rt_runtime_us`);

/** SCHED_OTHER 0, SCHED_FIFO 1, SCHED_RR 2 (field 41 of stat) and rt_priority (field 40), counted after the command name. */
async function sched(pid: number, tid: number): Promise<[policy: number, priority: number]> {
  const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(f[38]), Number(f[37])];
}

/** The cpu controller's group of a process (v1 line `N:cpu:/PATH` of /proc/PID/cgroup). */
async function cpuCgroup(pid: number | 'self'): Promise<string | undefined> {
  return /^\d+:(?:[^:]*,)?cpu(?:,[^:]*)?:(.*)$/m.exec(await readFile(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
}

/** A 2-vCPU guest with `cputune`, started; its QEMU pid and vCPU thread ids, once the guest has booted. */
async function started(h: Harness, name: string, cputune: string, extra = ''): Promise<{ pid: number; vcpuTids: number[]; shell: GuestShell }> {
  const xml = (await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL}`, extra: `${extra}  <cputune>${cputune}</cputune>\n` }))
    .replace('<vcpu>1</vcpu>', '<vcpu>2</vcpu>');
  await h.engine.dispatch({ kind: 'define', xml });
  await h.engine.dispatch({ kind: 'start', name, paused: true });
  await h.remember(name);
  const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
  await h.engine.dispatch({ kind: 'resume', name });
  await shell.waitFor(GUEST_READY_MARKER, 120_000);
  const pid = h.engine.ctx.registry.named(name).runtime?.pid;
  assert.ok(pid !== undefined);
  const cpus = (await monitorOf(h.engine, name).execute('query-cpus-fast')) as { 'cpu-index': number; 'thread-id': number }[];
  return { pid, shell, vcpuTids: cpus.sort((a, b) => a['cpu-index'] - b['cpu-index']).map((c) => c['thread-id']) };
}

describe('vcpusched fifo/rr on a real guest', { skip: !v1 || !twoCpus ? 'needs a cgroup v1 cpu hierarchy at /sys/fs/cgroup and 2 host CPUs' : false }, () => {
  let parentBefore: string | undefined;
  before(async () => {
    parentBefore = await readFile(PARENT_RT, 'utf8').catch(() => undefined);
  });
  after(async () => {
    // The domains' groups went with their QEMUs, and the shared parent must keep no budget of ours: put it back, then fail.
    if (parentBefore === undefined) return;
    const now = await readFile(PARENT_RT, 'utf8');
    if (now !== parentBefore) await writeFile(PARENT_RT, parentBefore).catch(() => undefined);
    assert.equal(now, parentBefore, `${PARENT_RT} was not back to what it was`);
  });

  test('fifo priority 1 on vCPU 1 (pinned to CPU 1), no cgroup: SCHED_FIFO, rt_priority 1; vCPU 0 stays SCHED_OTHER; emulatorsched and iothreadsched batch', { timeout: 180_000 }, async () => {
    const h = await createHarness();
    try {
      const { pid, vcpuTids, shell } = await started(h, 'rt1', "<vcpupin vcpu='1' cpuset='1'/><vcpusched vcpus='1' scheduler='fifo' priority='1'/>" +
        "<emulatorsched scheduler='batch'/><iothreadsched iothreads='1' scheduler='batch'/>", '  <iothreads>1</iothreads>\n');
      assert.deepEqual(await Promise.all(vcpuTids.map((t) => sched(pid, t))), [[0, 0], [1, 1]]);
      // SCHED_BATCH is 3: QEMU's main thread (an emulator thread) and I/O thread 1 (thread-id of query-iothreads).
      const io = (await monitorOf(h.engine, 'rt1').execute('query-iothreads')) as { id: string; 'thread-id': number }[];
      assert.deepEqual(io.map((x) => x.id), ['iothread1']);
      assert.deepEqual([await sched(pid, pid), await sched(pid, io[0]?.['thread-id'] ?? -1)], [[3, 0], [3, 0]]);
      // The real-time vCPU runs guest code: a process the guest pins to its CPU 1 reports running there (field 39 of its stat).
      const stat = await shell.check('taskset -c 1 cat /proc/self/stat');
      assert.equal(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[36], '1', stat);
      assert.equal(await cpuCgroup(pid), await cpuCgroup('self'), 'no cgroup of its own: QEMU stays in the daemon\'s');
      await h.engine.dispatch({ kind: 'destroy', name: 'rt1' });
      await assertNoLeftovers(h);
    } finally {
      await h.close();
    }
  });

  test("rr priority 2 with <shares>: the domain's cpu cgroup gets a real-time budget, so the thread can be SCHED_RR in it", { skip: rtGroupSched ? false : 'the kernel has no RT_GROUP_SCHED: no budget needed', timeout: 180_000 }, async () => {
    const h = await createHarness();
    try {
      const { pid, vcpuTids } = await started(h, 'rt2', "<shares>512</shares><vcpupin vcpu='1' cpuset='1'/><vcpusched vcpus='1' scheduler='rr' priority='2'/>");
      assert.deepEqual(await Promise.all(vcpuTids.map((t) => sched(pid, t))), [[0, 0], [2, 2]]);
      const dir = `${CG}/cpu/virtkit/qemu-${pid}`;
      assert.equal(await cpuCgroup(pid), `/virtkit/qemu-${pid}`);
      assert.equal((await readFile(`${dir}/cpu.shares`, 'utf8')).trim(), '512');
      // One real-time thread on a 2-CPU host: half of the host's budget (sched_rt_runtime_us), held by the parent too.
      const budget = Math.floor(Number(await readFile('/proc/sys/kernel/sched_rt_runtime_us', 'utf8')) / 2);
      assert.equal(Number(await readFile(`${dir}/cpu.rt_runtime_us`, 'utf8')), budget);
      assert.ok(Number(await readFile(PARENT_RT, 'utf8')) >= budget);
      await h.engine.dispatch({ kind: 'destroy', name: 'rt2' });
      assert.equal(existsSync(dir), false, `${dir} is left`);
      await assertNoLeftovers(h);
    } finally {
      await h.close();
    }
  });

  test('fifo without a cgroup, then schedinfo --set cpu_shares live: the new cgroup takes the SCHED_FIFO thread with a budget', { skip: rtGroupSched ? false : 'the kernel has no RT_GROUP_SCHED: no budget needed', timeout: 180_000 }, async () => {
    const h = await createHarness();
    try {
      const { pid, vcpuTids } = await started(h, 'rt3', "<vcpupin vcpu='1' cpuset='1'/><vcpusched vcpus='1' scheduler='fifo' priority='1'/>");
      await h.engine.dispatch({ kind: 'setTuning', name: 'rt3', change: { what: 'sched', params: { cpu_shares: 256 } }, live: true });
      assert.equal(await cpuCgroup(pid), `/virtkit/qemu-${pid}`);
      assert.equal((await readFile(`${CG}/cpu/virtkit/qemu-${pid}/cpu.shares`, 'utf8')).trim(), '256');
      assert.deepEqual(await sched(pid, vcpuTids[1] as number), [1, 1]);
      await h.engine.dispatch({ kind: 'destroy', name: 'rt3' });
      await assertNoLeftovers(h);
    } finally {
      await h.close();
    }
  });
});
