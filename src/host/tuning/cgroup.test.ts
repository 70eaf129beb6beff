// The domain's cgroup on fake v2 and v1 trees (the real v1 hierarchy of this host is covered by
// tests/integration/tuning-guest.test.ts): what is made, written, moved and removed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CgroupPlan } from '../../core/tuning/plan.js';
import { fakeCgroup } from '../../../tests/helpers/fake-cgroup.js';
import { DomainCgroup, detectCgroup } from './cgroup.js';

const PLAN: CgroupPlan = {
  groups: [
    { name: '', cpu: { shares: 512, period: 200000, quota: -1 }, tids: [] },
    { name: 'vcpu0', cpu: { period: 100000, quota: 50000 }, tids: [4243] },
    { name: 'emulator', cpu: { quota: 20000 }, tids: [4242, 4250] },
  ],
  mems: [0],
};

test('cgroup v2: controllers enabled in the parents, cpu.weight and cpu.max, threaded sub-groups, then removed', async () => {
  const fake = await fakeCgroup(2);
  try {
    const mount = await detectCgroup(fake.root);
    assert.deepEqual(mount, { root: fake.root, version: 2 });
    const cg = new DomainCgroup(mount, 4242);
    await cg.create(PLAN, 4242);
    const r = (p: string) => fake.read(p);
    assert.equal(await r('cgroup.subtree_control'), '+cpu +cpuset');
    assert.equal(await r('virtkit/cgroup.subtree_control'), '+cpu +cpuset');
    assert.equal(await r('virtkit/qemu-4242/cpu.weight'), '512');
    assert.equal(await r('virtkit/qemu-4242/cpu.max'), 'max 200000');
    assert.equal(await r('virtkit/qemu-4242/cpuset.mems'), '0');
    assert.equal(await r('virtkit/qemu-4242/cgroup.procs'), '4242');
    assert.equal(await r('virtkit/qemu-4242/vcpu0/cgroup.type'), 'threaded');
    assert.equal(await r('virtkit/qemu-4242/vcpu0/cpu.max'), '50000 100000');
    assert.equal(await r('virtkit/qemu-4242/vcpu0/cgroup.threads'), '4243');
    assert.equal(await r('virtkit/qemu-4242/emulator/cpu.max'), '20000');
    // One write per thread: the fake file keeps the last one (the kernel takes each).
    assert.equal(await r('virtkit/qemu-4242/emulator/cgroup.threads'), '4250');
    assert.equal(existsSync(join(fake.root, 'virtkit/qemu-4242/cpu.shares')), false);
    await cg.setCpu('', { shares: 100 });
    assert.equal(await cg.read('cpu', 'cpu.weight'), '100');
    assert.deepEqual(await cg.remove(), []);
    assert.equal(existsSync(join(fake.root, 'virtkit/qemu-4242')), false);
    assert.equal(existsSync(join(fake.root, 'virtkit')), true, 'the parent shared by all domains stays');
  } finally {
    await fake.remove();
  }
});

test('cgroup v1: one tree per controller, cpuset levels copy their parent before the task joins', async () => {
  const fake = await fakeCgroup(1, { cpus: '0-7', mems: '0-3' });
  try {
    const mount = await detectCgroup(fake.root);
    assert.deepEqual(mount, { root: fake.root, version: 1 });
    const cg = new DomainCgroup(mount, 77);
    await cg.create({ ...PLAN, mems: [1, 3] }, 77);
    const r = (p: string) => fake.read(p);
    assert.equal(await r('cpu/virtkit/qemu-77/cpu.shares'), '512');
    assert.equal(await r('cpu/virtkit/qemu-77/cpu.cfs_period_us'), '200000');
    assert.equal(await r('cpu/virtkit/qemu-77/cpu.cfs_quota_us'), '-1');
    assert.equal(await r('cpu/virtkit/qemu-77/cgroup.procs'), '77');
    assert.equal(await r('cpu/virtkit/qemu-77/vcpu0/cpu.cfs_quota_us'), '50000');
    assert.equal(await r('cpu/virtkit/qemu-77/vcpu0/tasks'), '4243');
    assert.equal(await r('cpuset/virtkit/cpuset.cpus'), '0-7');
    assert.equal(await r('cpuset/virtkit/cpuset.mems'), '0-3');
    assert.equal(await r('cpuset/virtkit/qemu-77/cpuset.cpus'), '0-7');
    assert.equal(await r('cpuset/virtkit/qemu-77/cpuset.mems'), '1,3');
    assert.equal(await r('cpuset/virtkit/qemu-77/cgroup.procs'), '77');
    assert.deepEqual(await cg.remove(), []);
    assert.equal(existsSync(join(fake.root, 'cpu/virtkit/qemu-77')), false);
    assert.equal(existsSync(join(fake.root, 'cpuset/virtkit/qemu-77')), false);
  } finally {
    await fake.remove();
  }
});

test('no cgroup hierarchy under the root: detectCgroup says so', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'vk-cg0-'));
  try {
    assert.equal(await detectCgroup(empty), undefined);
  } finally {
    await rm(empty, { recursive: true });
  }
});
