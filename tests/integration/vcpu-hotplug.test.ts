// setvcpus --live and setmem --live on a real TCG guest (pc machine, ACPI), through the daemon engine
// and the real QEMU driver. A guest with <vcpu current='1'>2</vcpu> gets vCPU 1 plugged: QEMU
// reports 2 vCPUs, the guest sees cpu1 (and onlines it), vcpucount, vcpuinfo and the live XML agree,
// the new vCPU thread is pinned as <cputune> says and gets its own cgroup with <period>/<quota> (where
// the host has a cpu cgroup), and all of it survives a daemon restart; then it is unplugged again (the
// guest ejects it through ACPI) and its cgroup goes. setmem shrinks the guest through virtio_balloon.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { isVirtkitError } from '../../src/core/errors.js';
import type { Monitor } from '../../src/daemon/qemu-driver/monitor.js';
import { QemuDomain } from '../../src/daemon/qemu-driver/running.js';
import { detectCgroup } from '../../src/host/tuning/cgroup.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { until } from '../helpers/wait.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';

function monitorOf(h: Harness, name: string): Monitor {
  const handle = h.engine.ctx.registry.named(name).runtime?.handle;
  assert.ok(handle instanceof QemuDomain);
  return (handle as unknown as { p: { monitor: Monitor } }).p.monitor;
}

async function qemuVcpus(h: Harness, name: string): Promise<{ 'cpu-index': number; 'thread-id': number }[]> {
  const cpus = (await monitorOf(h, name).execute('query-cpus-fast')) as { 'cpu-index': number; 'thread-id': number }[];
  return cpus.sort((a, b) => a['cpu-index'] - b['cpu-index']);
}

async function shellOf(h: Harness, name: string): Promise<GuestShell> {
  return new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
}

const codeOf = (code: string) => (e: unknown): boolean => isVirtkitError(e) && e.code === code;

// Per-vCPU CPU bandwidth needs a cgroup hierarchy with the cpu controller (this host: v1); without one the case leaves it out.
const CG = '/sys/fs/cgroup';
const cgroupVersion = (await detectCgroup(CG))?.version;
const BANDWIDTH = cgroupVersion === undefined ? '' : '<period>100000</period><quota>50000</quota>';

/** The CPU quota of the domain's vcpuN group and the threads in it; undefined when the group does not exist. */
async function vcpuGroup(pid: number, vcpu: number): Promise<{ quota: string; tids: string } | undefined> {
  const dir = cgroupVersion === 1 ? `${CG}/cpu/virtkit/qemu-${pid}/vcpu${vcpu}` : `${CG}/virtkit/qemu-${pid}/vcpu${vcpu}`;
  const [quotaFile, tidsFile] = cgroupVersion === 1 ? ['cpu.cfs_quota_us', 'tasks'] : ['cpu.max', 'cgroup.threads'];
  const read = (f: string): Promise<string | undefined> => readFile(`${dir}/${f}`, 'utf8').then((t) => t.trim(), () => undefined);
  const [quota, tids] = await Promise.all([read(quotaFile), read(tidsFile)]);
  return quota === undefined || tids === undefined ? undefined : { quota: quota.split(' ')[0] ?? '', tids };
}

test('setvcpus --live 2 then 1 on a guest with <vcpu current=1>2: QEMU, the guest, vcpucount, vcpuinfo and the live XML follow, across a daemon restart', { timeout: 300_000 }, async () => {
  const h = await createHarness();
  const name = 'vcpuhot1';
  try {
    const xml = (await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL}`, extra: `  <cputune><vcpupin vcpu='1' cpuset='0'/>${BANDWIDTH}</cputune>\n` }))
      .replace('<vcpu>1</vcpu>', "<vcpu current='1'>2</vcpu>");
    await h.engine.dispatch({ kind: 'define', xml });
    await h.engine.dispatch({ kind: 'start', name });
    await h.remember(name);
    let shell = await shellOf(h, name);
    await shell.waitFor(GUEST_READY_MARKER);
    assert.equal((await qemuVcpus(h, name)).length, 1);
    assert.equal((await shell.run('test -e /sys/devices/system/cpu/cpu1')).code, 1, 'no cpu1 in the guest before the plug');
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name }), /<vcpu current='1'>2<\/vcpu>\n {2}<vcpus>\n {4}<vcpu id='0' enabled='yes' hotpluggable='no' order='1'\/>\n {4}<vcpu id='1' enabled='no' hotpluggable='yes'\/>/);

    await assert.rejects(h.engine.dispatch({ kind: 'setVcpus', name, count: 3, live: true }), codeOf('VCPU_COUNT_INVALID'));
    await assert.rejects(h.engine.dispatch({ kind: 'setVcpus', name, count: 0, live: true }), codeOf('VCPU_COUNT_INVALID'));
    await h.engine.dispatch({ kind: 'setVcpus', name, count: 2, live: true });
    const two = await qemuVcpus(h, name);
    assert.deepEqual(two.map((c) => c['cpu-index']), [0, 1]);
    const pid = h.engine.ctx.registry.named(name).runtime?.pid;
    const allowed = /Cpus_allowed_list:\s*(\S+)/.exec(await readFile(`/proc/${pid}/task/${two[1]?.['thread-id']}/status`, 'utf8'))?.[1];
    assert.equal(allowed, '0', 'the plugged vCPU thread is pinned as <vcpupin vcpu=1 cpuset=0> says');
    if (BANDWIDTH !== '' && pid !== undefined) {
      assert.deepEqual(await vcpuGroup(pid, 1), { quota: '50000', tids: String(two[1]?.['thread-id']) }, 'the plugged vCPU thread has its own group with <quota>');
      assert.deepEqual(await vcpuGroup(pid, 0), { quota: '50000', tids: String(two[0]?.['thread-id']) });
    }
    // The guest kernel sees the new CPU; busybox has no udev rule to online it, so the test does.
    await until('cpu1 in the guest', async () => (await shell.run('test -e /sys/devices/system/cpu/cpu1')).code === 0);
    if ((await shell.check('cat /sys/devices/system/cpu/cpu1/online')).trim() === '0') await shell.check('echo 1 > /sys/devices/system/cpu/cpu1/online');
    assert.equal((await shell.check('cat /sys/devices/system/cpu/online')).trim(), '0-1');

    const check = async (current: number): Promise<void> => {
      assert.deepEqual((await h.engine.dispatch({ kind: 'vcpucount', name })).live, { maximum: 2, current });
      const info = await h.engine.dispatch({ kind: 'vcpuinfo', name });
      assert.deepEqual(info.vcpus?.map((v) => v.vcpu), Array.from({ length: current }, (_, i) => i));
    };
    await check(2);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name }), /<vcpu>2<\/vcpu>\n {2}<vcpus>\n {4}<vcpu id='0' enabled='yes' hotpluggable='no' order='1'\/>\n {4}<vcpu id='1' enabled='yes' hotpluggable='yes' order='2'\/>/);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name, inactive: true }), /<vcpu current='1'>2<\/vcpu>/, 'a live change leaves the definition');

    await h.restart();
    await check(2);
    shell = await shellOf(h, name);
    await h.engine.dispatch({ kind: 'setVcpus', name, count: 1, live: true });
    assert.deepEqual((await qemuVcpus(h, name)).map((c) => c['cpu-index']), [0]);
    if (BANDWIDTH !== '' && pid !== undefined) assert.equal(await vcpuGroup(pid, 1), undefined, 'the unplugged vCPU\'s group is removed');
    await check(1);
    assert.equal((await shell.check('cat /sys/devices/system/cpu/online')).trim(), '0');
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name }), /<vcpu current='1'>2<\/vcpu>/);

    await h.engine.dispatch({ kind: 'destroy', name });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test("<vcpus> with an enabled hotpluggable vCPU: -smp 1,maxcpus=2, vCPU 1 plugged before the guest runs, and unplugged live", { timeout: 300_000 }, async () => {
  const h = await createHarness();
  const name = 'vcpuhot2';
  try {
    const xml = (await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL}` })).replace('<vcpu>1</vcpu>',
      "<vcpu>2</vcpu>\n  <vcpus><vcpu id='0' enabled='yes' hotpluggable='no' order='1'/><vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/></vcpus>");
    await h.engine.dispatch({ kind: 'define', xml });
    await h.engine.dispatch({ kind: 'start', name });
    await h.remember(name);
    const argv = h.engine.ctx.registry.named(name).runtime?.argv ?? [];
    assert.equal(argv[argv.indexOf('-smp') + 1], '1,maxcpus=2,sockets=2,cores=1,threads=1');
    assert.deepEqual((await qemuVcpus(h, name)).map((c) => c['cpu-index']), [0, 1]);
    const shell = await shellOf(h, name);
    await shell.waitFor(GUEST_READY_MARKER);
    assert.equal((await shell.check('cat /sys/devices/system/cpu/online')).trim(), '0-1', 'the guest booted with both vCPUs');
    await h.engine.dispatch({ kind: 'setVcpus', name, count: 1, live: true });
    assert.deepEqual((await qemuVcpus(h, name)).map((c) => c['cpu-index']), [0]);
    assert.equal((await shell.check('cat /sys/devices/system/cpu/online')).trim(), '0');
    await h.engine.dispatch({ kind: 'destroy', name });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test("setmem --live with <memballoon model='virtio'/>: balloon.current follows and the guest's MemTotal drops", { timeout: 300_000 }, async () => {
  const h = await createHarness();
  const name = 'memhot1';
  try {
    const devices = "    <memballoon model='virtio'/>\n";
    const xml = await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL}`, memoryMiB: 256, devices });
    await h.engine.dispatch({ kind: 'define', xml });
    await h.engine.dispatch({ kind: 'start', name });
    await h.remember(name);
    const shell = await shellOf(h, name);
    await shell.waitFor(GUEST_READY_MARKER);
    // The test guest loads virtio_balloon (scripts/build-test-guest.sh): its driver must have taken the device.
    await shell.check('test -d /sys/bus/virtio/drivers/virtio_balloon');
    const memTotal = async (): Promise<number> => Number(/MemTotal:\s+(\d+)/.exec(await shell.check('cat /proc/meminfo'))?.[1]);
    const before = await memTotal();
    await h.engine.dispatch({ kind: 'setMemory', name, kib: 128 * 1024, live: true });
    await until('balloon.current at 128 MiB', async () => (await h.engine.dispatch({ kind: 'domstats', name })).running?.balloon.currentKiB === 128 * 1024);
    await until('MemTotal to drop by ~128 MiB', async () => before - (await memTotal()) >= 120 * 1024);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name }), /<currentMemory unit='KiB'>131072<\/currentMemory>/);
    assert.equal((await h.engine.dispatch({ kind: 'stats', name })).currentMemoryKiB, 128 * 1024, "dominfo's Used memory");
    await h.engine.dispatch({ kind: 'destroy', name });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});
