// The real-time budgets of domain groups on a fake cgroup v1 tree with RT_GROUP_SCHED (the real
// kernel, which also refuses a budget its parent cannot cover: tests/integration/guest-vcpusched.test.ts).
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isVirtkitError } from '../../core/errors.js';
import type { CgroupPlan } from '../../core/tuning/plan.js';
import { fakeCgroup } from '../../../tests/helpers/fake-cgroup.js';
import { DomainCgroup, detectCgroup } from './cgroup.js';

// vCPU 0 (thread 4243) is fifo in its own sub-group; the domain group holds the rest of QEMU 77.
const PLAN: CgroupPlan = {
  groups: [{ name: '', cpu: { shares: 512 }, tids: [] }, { name: 'vcpu0', cpu: { quota: 50000 }, tids: [4243] }],
  rt: { threads: 1, groups: [{ name: '', threads: 0 }, { name: 'vcpu0', threads: 1 }] },
};

test("v1 with RT_GROUP_SCHED: the parent is raised by the domain's budget, the groups get theirs before QEMU joins; taken back on removal", async () => {
  const fake = await fakeCgroup(1, { cpus: '0-3', rtRuntime: 950000 });
  try {
    // Another domain already holds a budget, which its parent covers.
    await mkdir(join(fake.root, 'cpu/virtkit/qemu-50'), { recursive: true });
    await writeFile(join(fake.root, 'cpu/virtkit/qemu-50/cpu.rt_runtime_us'), '100000\n');
    await writeFile(join(fake.root, 'cpu/virtkit/cpu.rt_runtime_us'), '100000\n');
    const mount = await detectCgroup(fake.root);
    assert.ok(mount !== undefined);
    const cg = new DomainCgroup(mount, 77);
    await cg.create(PLAN, 77);
    const r = async (p: string): Promise<string> => (await fake.read(p)).trim();
    // One real-time thread on 4 CPUs: a quarter of 950000.
    assert.equal(await r('cpu/virtkit/cpu.rt_runtime_us'), '337500');
    assert.equal(await r('cpu/virtkit/qemu-77/cpu.rt_runtime_us'), '237500');
    assert.equal(await r('cpu/virtkit/qemu-77/vcpu0/cpu.rt_runtime_us'), '237500');
    assert.equal(await r('cpu/virtkit/qemu-77/vcpu0/tasks'), '4243');
    // Applied again (a live change): the same budgets, the parent not raised twice.
    await cg.create(PLAN, 77);
    assert.equal(await r('cpu/virtkit/cpu.rt_runtime_us'), '337500');
    assert.deepEqual(await cg.remove(), []);
    assert.equal(await r('cpu/virtkit/cpu.rt_runtime_us'), '100000', 'back to what the other domain holds');
  } finally {
    await fake.remove();
  }
});

test('v1 without RT_GROUP_SCHED, or with an unlimited runtime (-1): no budget is written', async () => {
  for (const rtRuntime of [undefined, -1]) {
    const fake = await fakeCgroup(1, rtRuntime === undefined ? {} : { rtRuntime });
    try {
      const mount = await detectCgroup(fake.root);
      assert.ok(mount !== undefined);
      await new DomainCgroup(mount, 77).create(PLAN, 77);
      await assert.rejects(fake.read('cpu/virtkit/qemu-77/cpu.rt_runtime_us'), { code: 'ENOENT' });
      await assert.rejects(fake.read('cpu/virtkit/cpu.rt_runtime_us'), { code: 'ENOENT' });
    } finally {
      await fake.remove();
    }
  }
});

test('a parent the kernel will not raise: HOST_TUNING_FAILED naming the budget and who holds it', async () => {
  const fake = await fakeCgroup(1, { cpus: '0-1', rtRuntime: 950000 });
  try {
    await mkdir(join(fake.root, 'cpu/other'), { recursive: true });
    await writeFile(join(fake.root, 'cpu/other/cpu.rt_runtime_us'), '900000\n');
    // A directory where the file should be: the write fails as the kernel's EBUSY would.
    await mkdir(join(fake.root, 'cpu/virtkit/cpu.rt_runtime_us'), { recursive: true });
    const mount = await detectCgroup(fake.root);
    assert.ok(mount !== undefined);
    await assert.rejects(new DomainCgroup(mount, 77).create(PLAN, 77), (e) => isVirtkitError(e) && e.code === 'HOST_TUNING_FAILED' &&
      e.message.includes("the host's real-time budget is 950000 µs per period (sched_rt_runtime_us), this domain's fifo/rr threads need 475000, and other holds 900000"));
    await rm(join(fake.root, 'cpu/virtkit/cpu.rt_runtime_us'), { recursive: true });
  } finally {
    await fake.remove();
  }
});
