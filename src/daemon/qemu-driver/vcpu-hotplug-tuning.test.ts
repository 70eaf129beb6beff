// setvcpus --live and <cputune>: after a vCPU is plugged, the retune gives the new vCPU thread what
// the others have: its own vcpuN cgroup sub-group with <period>/<quota>, its vcpupin and its
// vcpusched. QemuLiveVcpus and the real tuning step (tuning.ts, src/host/tuning/cgroup.ts) run
// against a scripted monitor whose query-cpus-fast grows with each device_add, a fake /proc and
// fake cgroup v1 and v2 trees; the thread tools are recorded.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDomainXml } from '../../core/xml/domain/index.js';
import { fakeCgroup } from '../../../tests/helpers/fake-cgroup.js';
import type { DomainDef } from '../domain-xml.js';
import type { Monitor, QmpEventListener } from './monitor.js';
import { applyTuning } from './tuning.js';
import { QemuLiveVcpus } from './vcpu-hotplug.js';

const PID = 700;
/** vCPU n runs on thread 701 + n; 700 is the main (emulator) thread. */
const tidOf = (vcpu: number): number => PID + 1 + vcpu;
const CPUS = [1, 0].map((s) => ({ type: 'qemu64-x86_64-cpu', 'vcpus-count': 1, props: { 'socket-id': s, 'core-id': 0, 'thread-id': 0 } }));

const CPUTUNE = "<cputune><vcpupin vcpu='1' cpuset='0'/><period>100000</period><quota>50000</quota>" +
  "<vcpusched vcpus='0-1' scheduler='fifo' priority='1'/></cputune>";

/**
 * A QEMU with vCPU 0 running and vCPU 1 pluggable: device_add of vcpu1 adds its thread to
 * query-cpus-fast and /proc; device_del takes it away and reports DEVICE_DELETED (the guest ejects it).
 */
async function guest(proc: string) {
  const plugged = new Set([0]);
  const listeners: QmpEventListener[] = [];
  const monitor: Monitor = {
    execute: async (command, args) => {
      const vcpu = Number(/^vcpu(\d+)$/.exec(String(args?.['id']))?.[1]);
      const task = join(proc, String(PID), 'task', String(tidOf(vcpu)));
      if (command === 'device_add') {
        plugged.add(vcpu);
        await mkdir(task, { recursive: true });
      }
      if (command === 'device_del') {
        plugged.delete(vcpu);
        await rm(task, { recursive: true });
        setImmediate(() => { for (const l of listeners) l('DEVICE_DELETED', { path: `/machine/peripheral/vcpu${vcpu}/lapic` }); });
      }
      if (command === 'query-hotpluggable-cpus') return CPUS;
      if (command === 'query-cpus-fast') return [...plugged].map((v) => ({ 'cpu-index': v, 'thread-id': tidOf(v) }));
      if (command === 'query-iothreads') return [];
      return {};
    },
    onEvent: (l) => { listeners.push(l); },
    closed: new Promise(() => undefined),
    close: () => undefined,
  };
  for (const tid of [PID, tidOf(0)]) await mkdir(join(proc, String(PID), 'task', String(tid)), { recursive: true });
  return monitor;
}

for (const version of [1, 2] as const) {
  describe(`a vCPU plugged live gets the per-vCPU tuning (cgroup v${version})`, () => {
    it('its vcpuN group with <period>/<quota> holding its thread, its vcpupin and its vcpusched; unplugged, the group goes', async () => {
      const proc = await mkdtemp(join(tmpdir(), 'vk-hotproc-'));
      // v1 as this host has it: RT_GROUP_SCHED, so the fifo vCPUs' groups get a real-time budget.
      const cg = await fakeCgroup(version, version === 1 ? { rtRuntime: 950000 } : {});
      try {
        const calls: string[] = [];
        const host = { procRoot: proc, cgroupRoot: cg.root, run: (bin: string, a: readonly string[]) => { calls.push([bin, ...a].join(' ')); return Promise.resolve(''); } };
        const monitor = await guest(proc);
        let live: DomainDef = parseDomainXml(`<domain type='qemu'><name>t</name><memory>65536</memory><vcpu current='1'>2</vcpu>${CPUTUNE}</domain>`);
        await applyTuning(monitor, live, PID, host); // as at start
        const group = (n: number): string => (version === 1 ? `cpu/virtkit/qemu-${PID}/vcpu${n}` : `virtkit/qemu-${PID}/vcpu${n}`);
        const [members, quota] = version === 1 ? ['tasks', 'cpu.cfs_quota_us'] : ['cgroup.threads', 'cpu.max'];
        const wantQuota = version === 1 ? '50000' : '50000 100000';
        assert.equal(await cg.read(`${group(0)}/${quota}`), wantQuota);
        await assert.rejects(cg.read(`${group(1)}/${quota}`), /ENOENT/, 'no group for a vCPU not plugged yet');
        calls.length = 0;

        const vcpus = new QemuLiveVcpus({
          monitor, unplugTimeoutMs: 60_000, warn: () => undefined, live: () => live, setLive: (d) => { live = d; },
          retune: (d) => applyTuning(monitor, d, PID, host),
        });
        await vcpus.set(2);
        assert.equal(await cg.read(`${group(1)}/${quota}`), wantQuota);
        assert.equal((await cg.read(`${group(1)}/${members}`)).trim(), String(tidOf(1)), 'the new thread is in its own group');
        assert.equal((await cg.read(`${group(0)}/${members}`)).trim(), String(tidOf(0)));
        assert.ok(calls.includes(`taskset -p -c 0 ${tidOf(1)}`), calls.join('; '));
        assert.ok(calls.some((c) => c.startsWith('chrt -f -p 1 ') && c.split(' ').includes(String(tidOf(1)))), calls.join('; '));
        // Two fifo threads on the fake's 4 CPUs: the domain 2/4 of the host's runtime, each vCPU group half of that.
        const rt = (g: string): Promise<string> => cg.read(`cpu/virtkit/qemu-${PID}${g}/cpu.rt_runtime_us`);
        if (version === 1) assert.deepEqual([await rt(''), await rt('/vcpu0'), await rt('/vcpu1')], ['475000', '237500', '237500']);

        // Unplugged: its group goes (libvirt's qemuDomainRemoveVcpu), vCPU 0 keeps its own.
        await vcpus.set(1);
        await assert.rejects(cg.read(`${group(1)}/${quota}`), /ENOENT/, 'the group of the unplugged vCPU is removed');
        assert.equal(await cg.read(`${group(0)}/${quota}`), wantQuota);
        assert.equal((await cg.read(`${group(0)}/${members}`)).trim(), String(tidOf(0)));
        if (version === 1) assert.deepEqual([await rt(''), await rt('/vcpu0')], ['237500', '237500'], 'the budget shrinks to the one fifo vCPU left');
      } finally {
        await rm(proc, { recursive: true, force: true });
        await cg.remove();
      }
    });
  });
}
