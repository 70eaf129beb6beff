// <cputune> and <numatune> on real TCG guests with 2 vCPUs, on this host's cgroup v1 hierarchy:
// vcpupin and emulatorpin move QEMU's threads (Cpus_allowed_list in /proc), shares land in the
// domain's cpu cgroup, numatune strict binds the guest RAM (/proc/PID/numa_maps) or, without
// guest NUMA cells, the cgroup's cpuset.mems; the cgroup is gone once the domain stops.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { detectCgroup } from '../../src/host/tuning/cgroup.js';
import { guestDomainXml } from '../helpers/guest.js';
import { allowedCpus, monitorOf } from '../helpers/qemu-threads.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';

const CG = '/sys/fs/cgroup';
const v1 = (await detectCgroup(CG))?.version === 1;
const twoCpus = (await readFile('/sys/devices/system/cpu/online', 'utf8')).trim() !== '0';

/** A thread's scheduling policy (field 41 of /proc/PID/task/TID/stat, counted after the command name). */
async function policy(pid: number, tid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
}

async function twoVcpuGuest(name: string, extra: string): Promise<string> {
  return (await guestDomainXml(name, { extra })).replace('<vcpu>1</vcpu>', '<vcpu>2</vcpu>');
}

async function started(h: Harness, name: string, xml: string): Promise<{ pid: number; vcpuTids: number[] }> {
  await h.engine.dispatch({ kind: 'define', xml });
  await h.engine.dispatch({ kind: 'start', name });
  await h.remember(name);
  const pid = h.engine.ctx.registry.named(name).runtime?.pid;
  assert.ok(pid !== undefined);
  const cpus = (await monitorOf(h.engine, name).execute('query-cpus-fast')) as { 'cpu-index': number; 'thread-id': number }[];
  return { pid, vcpuTids: cpus.sort((a, b) => a['cpu-index'] - b['cpu-index']).map((c) => c['thread-id']) };
}

describe('cputune and numatune on a real guest', { skip: !v1 || !twoCpus ? 'needs a cgroup v1 cpu hierarchy at /sys/fs/cgroup and 2 host CPUs' : false }, () => {
  test('vcpupin, emulatorpin, vcpusched and shares are applied at start; the cgroup goes when the domain stops, after a daemon restart too', { timeout: 120_000 }, async () => {
    const h = await createHarness();
    try {
      const { pid, vcpuTids } = await started(h, 'tune1', await twoVcpuGuest('tune1', `<cputune><shares>512</shares>
    <vcpupin vcpu='0' cpuset='1'/><vcpupin vcpu='1' cpuset='0'/><emulatorpin cpuset='1'/>
    <vcpusched vcpus='1' scheduler='batch'/></cputune>\n`));
      assert.equal(vcpuTids.length, 2);
      assert.equal(await allowedCpus(pid, vcpuTids[0] as number), '1');
      assert.equal(await allowedCpus(pid, vcpuTids[1] as number), '0');
      assert.equal(await allowedCpus(pid, pid), '1', 'the main (emulator) thread');
      // SCHED_BATCH is policy 3 (field 41 of stat); vCPU 0 keeps SCHED_OTHER (0). No fifo/rr here: a TCG vCPU at real-time priority would starve the host.
      assert.deepEqual(await Promise.all(vcpuTids.map((t) => policy(pid, t))), [0, 3]);
      const dir = `${CG}/cpu/virtkit/qemu-${pid}`;
      assert.equal((await readFile(`${dir}/cpu.shares`, 'utf8')).trim(), '512');
      assert.match(await readFile(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`:cpu:/virtkit/qemu-${pid}\\n`));
      // A restarted daemon takes the domain back and still removes its cgroup when it stops.
      await h.restart();
      await h.engine.dispatch({ kind: 'destroy', name: 'tune1' });
      assert.equal(existsSync(dir), false, `${dir} is left`);
      await assertNoLeftovers(h);
    } finally {
      await h.close();
    }
  });

  test('numatune strict nodeset=0 with a guest NUMA cell binds the guest RAM to node 0 (numa_maps bind:0)', { timeout: 120_000 }, async () => {
    const h = await createHarness();
    try {
      const { pid } = await started(h, 'tune2', await twoVcpuGuest('tune2', `<cpu><numa><cell id='0' cpus='0-1' memory='262144' unit='KiB'/></numa></cpu>
  <numatune><memory mode='strict' nodeset='0'/></numatune>\n`));
      const maps = await readFile(`/proc/${pid}/numa_maps`, 'utf8');
      // The guest RAM is the one anonymous 256 MiB mapping: find it in smaps by size, then its policy.
      const smaps = await readFile(`/proc/${pid}/smaps`, 'utf8');
      const ram = [...smaps.matchAll(/^([0-9a-f]+)-[0-9a-f]+ [^\n]*\nSize:\s+(\d+) kB/gm)].find((m) => Number(m[2]) >= 262144 && Number(m[2]) < 262144 + 8192);
      assert.ok(ram !== undefined, 'a mapping of the guest RAM size');
      const line = maps.split('\n').find((l) => l.startsWith(`${ram[1]} `));
      assert.ok(line !== undefined, `numa_maps has ${ram[1]}`);
      assert.match(line, /^[0-9a-f]+ bind:0 /);
      await h.engine.dispatch({ kind: 'destroy', name: 'tune2' });
      await assertNoLeftovers(h);
    } finally {
      await h.close();
    }
  });

  test('numatune strict without guest NUMA cells goes to the cgroup cpuset.mems', { timeout: 120_000 }, async () => {
    const h = await createHarness();
    try {
      const { pid } = await started(h, 'tune3', await twoVcpuGuest('tune3', "<numatune><memory mode='strict' nodeset='0'/></numatune>\n"));
      const dir = `${CG}/cpuset/virtkit/qemu-${pid}`;
      assert.equal((await readFile(`${dir}/cpuset.mems`, 'utf8')).trim(), '0');
      assert.match(await readFile(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`:cpuset:/virtkit/qemu-${pid}\\n`));
      await h.engine.dispatch({ kind: 'destroy', name: 'tune3' });
      assert.equal(existsSync(dir), false, `${dir} is left`);
      await assertNoLeftovers(h);
    } finally {
      await h.close();
    }
  });
});
